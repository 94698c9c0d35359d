import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { Metrics } from '../../src/core/metrics.js';
import { influxConfigSchema } from '../../src/store/config.js';
import { Drainer } from '../../src/store/drainer.js';
import { InfluxV1Store } from '../../src/store/influx-v1.js';
import { Outbox } from '../../src/store/outbox.js';
import { INFLUXD, type Influxd, influxQl, startInfluxd } from '../helpers/influxd.js';
import { nthReading } from '../helpers/outbox-writer.js';

if (!INFLUXD)
  console.warn('influxd not installed: skipping the store fault tests (CI=true makes this a failure)');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** count, distinct values, min and max of the fault series: exactly-once means count = distinct = max + 1, min = 0 */
async function census(url: string, db: string) {
  const [row] = await influxQl(
    url,
    db,
    "SELECT count(value), min(value), max(value) FROM temperature WHERE sensor = 'fault'",
  );
  const [distinct] = await influxQl(
    url,
    db,
    "SELECT count(distinct(value)) FROM temperature WHERE sensor = 'fault'",
  );
  return { count: row?.[1], min: row?.[2], max: row?.[3], distinct: distinct?.[1] };
}

describe.skipIf(!INFLUXD)('store faults against a real influxd 1.6.7', () => {
  let influxd: Influxd;
  let dir: string;
  beforeAll(async () => {
    influxd = await startInfluxd();
    dir = mkdtempSync(join(tmpdir(), 'kaiteki-faults-'));
  });
  afterAll(async () => {
    await influxd?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const drainerFor = async (outbox: Outbox, database: string) => {
    const cfg = influxConfigSchema.parse({
      url: influxd.url,
      database,
      batchSize: 500,
      flushIntervalMs: 50,
      timeoutMs: 2000,
      maxBackoffMs: 500,
    });
    const store = new InfluxV1Store(cfg, undefined);
    await store.open();
    const drainer = new Drainer(
      outbox,
      store,
      { ...cfg, maxReadings: 1_000_000, warnRatio: 0.8 },
      {
        clock: systemClock,
        log: silentLogger,
        metrics: new Metrics(),
      },
    );
    return { store, drainer };
  };

  it('loses and duplicates nothing when InfluxDB stops for a few seconds mid-stream', async () => {
    const outbox = new Outbox(join(dir, 'a.db'), 1_000_000);
    outbox.open();
    const { store, drainer } = await drainerFor(outbox, 'fault_a');
    await drainer.start();
    let n = 0;
    let running = true;
    const writer = (async () => {
      while (running) {
        outbox.acceptSync(Array.from({ length: 20 }, (_, k) => nthReading(n + k)));
        n += 20;
        await sleep(5);
      }
    })();
    await sleep(1500);
    await influxd.stop();
    await sleep(3000);
    const duringOutage = outbox.depth;
    expect(drainer.health().detail).toMatchObject({ reachable: false });
    await influxd.start();
    await sleep(1500);
    running = false;
    await writer;
    await drainer.drained();
    await drainer.stop();
    await store.close();
    outbox.close();
    expect(duringOutage).toBeGreaterThan(1000); // the buffer really held readings during the outage
    expect(await census(influxd.url, 'fault_a')).toEqual({ count: n, distinct: n, min: 0, max: n - 1 });
  });

  it('resumes after kill -9 of a process mid-stream and ends with every accepted reading exactly once', async () => {
    const path = join(dir, 'b.db');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/helpers/outbox-writer.ts', path, influxd.url, 'fault_b'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let reported = 0;
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      const m = /accepted (\d+)\n?$/.exec(d.toString().trim());
      if (m) reported = Number(m[1]);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    try {
      const deadline = Date.now() + 20_000;
      while (reported < 5000 && Date.now() < deadline && child.exitCode === null) await sleep(50);
      expect(reported, `writer did not get going: ${stderr}`).toBeGreaterThanOrEqual(5000);
      // let the child's drainer have writes in flight, then pull the plug
      await sleep(300);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) =>
        child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r),
      );
    }
    const before = await census(influxd.url, 'fault_b');
    const outbox = new Outbox(path, 1_000_000);
    outbox.open();
    const left = outbox.depth;
    const { store, drainer } = await drainerFor(outbox, 'fault_b');
    await drainer.start();
    await drainer.drained();
    await drainer.stop();
    await store.close();
    outbox.close();
    const after = await census(influxd.url, 'fault_b');
    expect(left).toBeGreaterThan(0); // the crash really left work behind
    expect(Number(before.count)).toBeGreaterThan(0); // and the child really had written some
    // every reading the child acknowledged (at least the last one it reported) is there exactly once
    expect(after.count).toBe(after.distinct);
    expect(after.min).toBe(0);
    expect(after.max).toBe(Number(after.count) - 1);
    expect(Number(after.count)).toBeGreaterThanOrEqual(reported);
  });
});
