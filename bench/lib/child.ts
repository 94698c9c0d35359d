import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** bench/ folder, so children are found wherever `npm run bench` runs from */
export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
/** the compiled bench (npm run build): the service under test runs as production does, without tsx */
export const COMPILED_BENCH_DIR = fileURLToPath(new URL('../../dist/bench/', import.meta.url));

/** Every bench child answers over IPC with messages that carry an `ev` name. */
export interface ChildMessage {
  ev: string;
  [k: string]: unknown;
}

/**
 * A bench child process (Node + tsx) with an IPC channel: the publisher
 * fleet, the raw subscriber, the service under test, the report job. Each
 * runs on its own event loop, so none distorts another's figures.
 */
export class Child {
  private readonly waiters = new Set<{
    pred: (m: ChildMessage) => boolean;
    resolve: (m: ChildMessage) => void;
  }>();
  private exitInfo?: string;
  private stderrTail = '';
  readonly proc: ChildProcess;

  constructor(
    readonly name: string,
    script: string,
    opts: { env?: Record<string, string>; execArgv?: string[]; compiled?: boolean } = {},
  ) {
    const path = opts.compiled
      ? `${COMPILED_BENCH_DIR}${script.replace(/\.ts$/, '.js')}`
      : `${BENCH_DIR}${script}`;
    this.proc = fork(path, [], {
      execArgv: [...(opts.compiled ? [] : ['--import', 'tsx']), ...(opts.execArgv ?? [])],
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.proc.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-3000);
      if (process.env.BENCH_VERBOSE) process.stderr.write(`[${name}] ${d.toString()}`);
    });
    this.proc.on('message', (m: ChildMessage) => {
      for (const w of [...this.waiters]) {
        if (w.pred(m)) {
          this.waiters.delete(w);
          w.resolve(m);
        }
      }
    });
    this.proc.once('exit', (code, signal) => {
      this.exitInfo = `exited (code ${code}, signal ${signal})`;
      for (const w of [...this.waiters]) w.resolve({ ev: 'exit', code, signal });
      this.waiters.clear();
    });
  }

  send(msg: Record<string, unknown>): void {
    if (this.exitInfo) throw new Error(`${this.name} ${this.exitInfo}: ${this.stderrTail}`);
    this.proc.send(msg);
  }

  /** The next message named `ev` (throws on timeout, on an `error` message or when the child exits). */
  async next<T extends { ev: string } = ChildMessage>(ev: string, timeoutMs: number): Promise<T> {
    if (this.exitInfo) throw new Error(`${this.name} ${this.exitInfo}: ${this.stderrTail}`);
    let timer: NodeJS.Timeout | undefined;
    const msg = await new Promise<ChildMessage>((resolve) => {
      const w = { pred: (m: ChildMessage) => m.ev === ev || m.ev === 'error', resolve };
      this.waiters.add(w);
      timer = setTimeout(() => {
        this.waiters.delete(w);
        resolve({ ev: 'timeout' });
      }, timeoutMs);
    });
    clearTimeout(timer);
    if (msg.ev === ev) return msg as unknown as T;
    if (msg.ev === 'error') throw new Error(`${this.name}: ${String(msg.message)}`);
    if (msg.ev === 'timeout') throw new Error(`${this.name}: no "${ev}" within ${timeoutMs} ms`);
    throw new Error(`${this.name} ${this.exitInfo}: ${this.stderrTail}`);
  }

  /** send a command and wait for its answer */
  async ask<T extends { ev: string } = ChildMessage>(
    msg: Record<string, unknown>,
    ev: string,
    timeoutMs: number,
  ): Promise<T> {
    const answer = this.next<T>(ev, timeoutMs);
    this.send(msg);
    return answer;
  }

  /** ask politely (`{cmd:'stop'}`), then SIGKILL after `graceMs` */
  async stop(graceMs = 10_000): Promise<void> {
    const p = this.proc;
    if (p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      try {
        p.send({ cmd: 'stop' });
      } catch {
        p.kill('SIGKILL');
      }
      setTimeout(() => p.kill('SIGKILL'), graceMs).unref();
    });
  }
}

/** In a child: answer the parent; exits when the parent goes away. */
export function reply(msg: ChildMessage): void {
  process.send?.(msg);
}

/** In a child: handle parent commands; an exception becomes an `error` message. */
export function onCommand(
  handler: (msg: { cmd: string; [k: string]: unknown }) => Promise<void> | void,
): void {
  process.on('message', (msg: { cmd: string }) => {
    Promise.resolve()
      .then(() => handler(msg))
      .catch((err: unknown) =>
        reply({ ev: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** progress line on stderr */
export function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}
