import { describe, expect, it } from 'vitest';
import { Bus } from '../../src/core/bus.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { Metrics } from '../../src/core/metrics.js';
import type { Reading } from '../../src/core/reading.js';
import type { OutsideCheck } from '../../src/store/rollup.js';
import { RollupService } from '../../src/store/rollup-service.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { RollupRow } from '../../src/store/store.js';
import { reading, T0 } from './contract.js';

const MIN = 60_000;
const hot: OutsideCheck = { id: 'comfort.temperature', quantity: 'temperature', outside: (v) => v > 28 };

async function setup() {
  const store = new SqliteStore(':memory:');
  await store.open();
  const bus = new Bus();
  const clock = new ManualClock(T0);
  const make = () =>
    new RollupService({
      bus,
      store,
      source: (q) => store.raw({ ...q, limit: 1_000_000 }),
      checks: [hot],
      staleAfterMs: () => 30 * MIN,
      flushIntervalMs: 3_600_000,
      clock,
      log: silentLogger,
      metrics: new Metrics(),
    });
  /** what ingest does: durable first, then the bus */
  const ingest = async (rs: Reading[]) => {
    await store.write(rs);
    bus.emit('readings', rs);
  };
  return { store, bus, clock, make, ingest };
}

const t = (value: number, minutes: number) => reading({ value, ts: T0 + minutes * MIN });

describe('RollupService', () => {
  it('keeps rollups of the bus’s readings in the store, flushing when an hour closes', async () => {
    const { store, clock, make, ingest } = await setup();
    const svc = make();
    await svc.start();
    await ingest([t(25, 0), t(29, 10)]);
    clock.set(T0 + 61 * MIN);
    await ingest([t(27, 61)]); // closes hour 0 → immediate flush
    await svc.flush();
    const rows = await store.rollups({ from: T0, to: T0 + 2 * 60 * MIN });
    expect(rows.map((r) => [r.hour - T0, r.count, r.coveredMs, r.outside['comfort.temperature']])).toEqual([
      [0, 2, 40 * MIN, 30 * MIN],
      [60 * MIN, 1, 0, 0],
    ]);
    await svc.stop();
  });

  it('resumes after a restart without overwriting the hour in progress with a partial row', async () => {
    const { store, clock, make, ingest } = await setup();
    const first = make();
    await first.start();
    await ingest([t(25, 0), t(26, 10), t(30, 20)]);
    clock.set(T0 + 25 * MIN);
    await first.stop();
    // restart: a new service knows nothing in memory
    const second = make();
    await second.start();
    await ingest([t(25, 30), t(25, 40)]);
    clock.set(T0 + 45 * MIN);
    await second.flush();
    const [row] = await store.rollups({ from: T0, to: T0 + 60 * MIN });
    expect(row).toMatchObject({
      count: 5,
      sum: 131,
      max: 30,
      coveredMs: 45 * MIN,
      outside: { 'comfort.temperature': 10 * MIN },
    });
    await second.stop();
  });

  it('keeps rows whose write failed and writes them with the next flush', async () => {
    const { store, clock, make, ingest } = await setup();
    const svc = make();
    await svc.start();
    const real = store.writeRollups.bind(store);
    let fail = true;
    store.writeRollups = async (rows: readonly RollupRow[]) => {
      if (fail) throw new Error('store down');
      await real(rows);
    };
    await ingest([t(25, 0)]);
    clock.set(T0 + 5 * MIN);
    await svc.flush();
    expect(svc.health()).toMatchObject({ ok: false, detail: { pendingRows: 1 } });
    fail = false;
    await svc.flush();
    expect(svc.health().ok).toBe(true);
    expect(await store.rollups({ from: T0, to: T0 + 1 })).toHaveLength(1);
    await svc.stop();
  });
});
