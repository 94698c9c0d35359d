import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Finds a server binary from the machine's packages. Under CI=true a missing
 * binary is a failure (CI installs them; a skip would hide a broken install);
 * elsewhere the caller may skip, saying why.
 */
export function findBinary(name: string, candidates: string[]): string | undefined {
  const found = candidates.find((p) => existsSync(p));
  if (!found && process.env.CI === 'true') {
    throw new Error(
      `${name} is not installed (looked in ${candidates.join(', ')}); CI must install it (see .ci/run)`,
    );
  }
  return found;
}

/** A free TCP port on loopback (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls until `fn` returns true or the deadline passes. */
export async function waitFor(
  fn: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await fn()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
