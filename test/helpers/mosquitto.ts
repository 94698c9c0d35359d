import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, freePort, waitFor } from './binaries.js';

export const MOSQUITTO = findBinary('mosquitto', [
  '/usr/sbin/mosquitto',
  '/usr/bin/mosquitto',
  '/usr/local/sbin/mosquitto',
]);

export interface Mosquitto {
  url: string;
  port: number;
  /** stop the broker (SIGTERM), keeping its port and persistence file for `start()` */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** stop for good and remove the temp folder */
  close(): Promise<void>;
  /** process id of the running broker (the bench samples its RSS) */
  pid(): number | undefined;
}

/**
 * Starts the machine's mosquitto on a free loopback port with a throw-away
 * folder. `max_queued_messages 0` (unlimited) because mosquitto otherwise
 * silently drops messages to a subscriber that falls behind (DESIGN §5);
 * persistence on, so a restart keeps persistent sessions and queued QoS 1
 * messages, as a production broker would (`persistence: false` for the
 * bench, which measures message flow, not the broker's disk).
 */
export async function startMosquitto(opts: { persistence?: boolean } = {}): Promise<Mosquitto> {
  if (!MOSQUITTO) throw new Error('mosquitto binary not found');
  const bin = MOSQUITTO;
  const dir = mkdtempSync(join(tmpdir(), 'kaiteki-mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'max_queued_messages 0',
      'max_inflight_messages 0',
      ...(opts.persistence === false
        ? ['persistence false']
        : ['persistence true', `persistence_location ${dir}/`, 'autosave_interval 1']),
      'log_dest none',
      '',
    ].join('\n'),
  );
  let proc: ChildProcess | undefined;
  const start = async () => {
    const p = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc = p;
    let stderr = '';
    p.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    let exited = false;
    p.once('exit', () => {
      exited = true;
    });
    await waitFor(
      () => {
        if (exited) throw new Error(`mosquitto exited: ${stderr}`);
        return canConnect(port);
      },
      10_000,
      `mosquitto on port ${port}`,
    );
  };
  const stop = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
      setTimeout(() => p.kill('SIGKILL'), 5000).unref();
    });
  };
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    stop,
    start,
    pid: () => proc?.pid,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
