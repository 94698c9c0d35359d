/**
 * Child process for the kill -9 fault test: accepts readings into the
 * durable outbox as fast as a sensor fleet would and drains them to InfluxDB
 * 1.x, printing `accepted <n>` after each committed batch, until killed.
 * Usage: node --import tsx test/helpers/outbox-writer.ts <outbox.db> <influx url> <database>
 */
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { Metrics } from '../../src/core/metrics.js';
import type { Reading } from '../../src/core/reading.js';
import { influxConfigSchema } from '../../src/store/config.js';
import { Drainer } from '../../src/store/drainer.js';
import { InfluxV1Store } from '../../src/store/influx-v1.js';
import { Outbox } from '../../src/store/outbox.js';

export const FAULT_T0 = Date.UTC(2026, 3, 1);

/** The i-th reading of the fault tests: one series, value = i, 10 ms apart. */
export function nthReading(i: number): Reading {
  return {
    site: 'takatsu',
    zone: 'lobby',
    sensor: 'fault',
    quantity: 'temperature',
    value: i,
    ts: FAULT_T0 + i * 10,
    registered: true,
  };
}

async function main(): Promise<void> {
  const [path, url, database] = process.argv.slice(2);
  if (!path || !url || !database) throw new Error('usage: outbox-writer <outbox.db> <influx url> <database>');
  const cfg = influxConfigSchema.parse({
    url,
    database,
    batchSize: 500,
    // full batches go at once; the rest waits for the interval, so a kill always leaves rows behind
    // (the in-memory tail drains fast enough that a 50 ms interval could leave the buffer empty)
    flushIntervalMs: 1000,
    timeoutMs: 2000,
  });
  const outbox = new Outbox(path, 5_000_000);
  outbox.open();
  const store = new InfluxV1Store(cfg, undefined);
  await store.open();
  const drainer = new Drainer(
    outbox,
    store,
    { ...cfg, maxReadings: 5_000_000, warnRatio: 0.8 },
    { clock: systemClock, log: silentLogger, metrics: new Metrics() },
  );
  await drainer.start();
  let n = 0;
  for (;;) {
    const batch = Array.from({ length: 20 }, (_, k) => nthReading(n + k));
    outbox.acceptSync(batch);
    n += batch.length;
    process.stdout.write(`accepted ${n}\n`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

if (process.argv[1]?.endsWith('outbox-writer.ts')) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
