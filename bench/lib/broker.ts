import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { startMosquitto as startTestMosquitto } from '../../test/helpers/mosquitto.js';
import { Child } from './child.js';

export interface BenchBroker {
  /** `mosquitto 2.0.11` or `aedes (embedded)` */
  kind: string;
  url: string;
  /** RSS of the broker process in bytes (mosquitto only; undefined for aedes) */
  rss(): number | undefined;
  close(): Promise<void>;
}

const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) =>
  existsSync(p),
);

/**
 * The bench broker: the machine's mosquitto when installed, configured as
 * DESIGN §5 says (`max_queued_messages 0`, `max_inflight_messages 0`: mosquitto
 * otherwise silently drops to a subscriber that falls behind), in memory (no
 * persistence: we measure message flow, not the broker's disk). Else the
 * embedded aedes broker in a child process.
 */
export async function startBroker(preferAedes = false): Promise<BenchBroker> {
  if (MOSQUITTO && !preferAedes) return startMosquitto(MOSQUITTO);
  const child = new Child('aedes', 'aedes.ts');
  const ready = await child.next<{ ev: string; url: string }>('ready', 20_000);
  return {
    kind: `aedes (embedded; ${MOSQUITTO ? '--aedes' : 'mosquitto not installed'})`,
    url: ready.url,
    rss: () => undefined,
    close: () => child.stop(),
  };
}

async function startMosquitto(bin: string): Promise<BenchBroker> {
  const m = await startTestMosquitto({ persistence: false });
  return {
    kind: `mosquitto ${await mosquittoVersion(bin)}`,
    url: m.url,
    rss: () => rssOf(m.pid()),
    close: () => m.close(),
  };
}

async function mosquittoVersion(bin: string): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn(bin, ['-h'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    p.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.once('exit', () => resolve(/version (\S+)/.exec(out)?.[1] ?? '?'));
    p.once('error', () => resolve('?'));
  });
}

/** RSS of a process from /proc (Linux), undefined elsewhere */
export function rssOf(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
