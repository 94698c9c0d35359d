/**
 * A progress bar on a stream (stderr): redrawn in place on a terminal, a
 * line per 10 % otherwise (logs, CI). Redraws at most every 100 ms.
 */
export interface Progress {
  update(done: number, total?: number): void;
  done(message?: string): void;
}

export function progressBar(
  label: string,
  total: number,
  out: NodeJS.WriteStream = process.stderr,
): Progress {
  const tty = out.isTTY === true;
  let last = 0;
  let lastDecile = -1;
  let tot = Math.max(1, total);
  const draw = (done: number) => {
    const f = Math.min(1, done / tot);
    if (tty) {
      const width = 30;
      const n = Math.round(f * width);
      out.write(`\r${label} [${'#'.repeat(n)}${'-'.repeat(width - n)}] ${(f * 100).toFixed(0).padStart(3)}%`);
    } else {
      const decile = Math.floor(f * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        out.write(`${label} ${decile * 10}%\n`);
      }
    }
  };
  return {
    update(done, newTotal) {
      if (newTotal !== undefined) tot = Math.max(1, newTotal);
      const now = Date.now();
      if (tty && now - last < 100 && done < tot) return;
      last = now;
      draw(done);
    },
    done(message) {
      draw(tot);
      if (tty) out.write('\n');
      if (message) out.write(`${message}\n`);
    },
  };
}
