import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, freePort, waitFor } from './binaries.js';

/** The machine's InfluxDB 1.x (Debian's influxdb package: 1.6.7). Undefined → skip (outside CI only). */
export const INFLUXD = findBinary('influxd', ['/usr/bin/influxd', '/usr/local/bin/influxd']);

export interface Influxd {
  url: string;
  port: number;
  /** stop the server (SIGTERM), keeping its data folder and port for `start()` */
  stop(): Promise<void>;
  /** kill -9 (the WAL must carry what was acknowledged) */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** stop for good and remove the temp folder */
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

/**
 * Starts influxd with a generated config: both listeners (RPC `bind-address`,
 * default :8088, and `[http] bind-address`, default :8086 on every interface)
 * on free loopback ports, meta/data/wal in a mkdtemp folder, no usage
 * reporting, quiet logs (DESIGN §5). Resolves once /ping answers 204.
 */
export async function startInfluxd(): Promise<Influxd> {
  if (!INFLUXD) throw new Error('influxd binary not found');
  const bin = INFLUXD;
  const dir = mkdtempSync(join(tmpdir(), 'kaiteki-influxd-'));
  const [port, rpcPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'influxdb.conf');
  writeFileSync(
    conf,
    [
      'reporting-enabled = false',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${dir}/meta"`,
      '[data]',
      `  dir = "${dir}/data"`,
      `  wal-dir = "${dir}/wal"`,
      '  query-log-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${port}"`,
      '  log-enabled = false',
      '[logging]',
      '  level = "error"',
      '[monitor]',
      '  store-enabled = false',
      '[continuous_queries]',
      '  log-enabled = false',
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${port}`;
  let proc: ChildProcess | undefined;
  const start = async () => {
    const p = spawn(bin, ['-config', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc = p;
    live.add(p);
    let stderr = '';
    p.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    p.once('exit', () => live.delete(p));
    try {
      await waitFor(
        async () => p.exitCode === null && (await fetch(`${url}/ping`)).status === 204,
        20_000,
        `influxd on ${url}`,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}; influxd stderr: ${stderr}`);
    }
  };
  const halt = async (signal: NodeJS.Signals) => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill(signal);
      setTimeout(() => p.kill('SIGKILL'), 10_000).unref();
    });
  };
  await start();
  return {
    url,
    port,
    start,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    close: async () => {
      await halt('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An InfluxQL query against the test server (epoch ms), for assertions independent of the store under test. */
export async function influxQl(url: string, db: string, q: string): Promise<unknown[][]> {
  const res = await fetch(`${url}/query?db=${encodeURIComponent(db)}&epoch=ms&q=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { results: { error?: string; series?: { values: unknown[][] }[] }[] };
  const r = body.results[0];
  if (r?.error) throw new Error(r.error);
  return (r?.series ?? []).flatMap((s) => s.values);
}
