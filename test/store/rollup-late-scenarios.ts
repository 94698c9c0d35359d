import { describe, expect, it } from 'vitest';
import { Bus } from '../../src/core/bus.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { Metrics } from '../../src/core/metrics.js';
import type { Reading } from '../../src/core/reading.js';
import { HourlyAggregator, type OutsideCheck } from '../../src/store/rollup.js';
import { RollupService } from '../../src/store/rollup-service.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { RollupRow, TimeSeriesStore } from '../../src/store/store.js';
import { reading, T0 } from './contract.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
export const hot: OutsideCheck = {
  id: 'comfort.temperature',
  quantity: 'temperature',
  outside: (v) => v > 28,
};
const stale = () => 30 * MIN;

export async function setup(makeStore: () => TimeSeriesStore = () => new SqliteStore(':memory:')) {
  const store = makeStore();
  await store.open();
  const bus = new Bus();
  const clock = new ManualClock(T0);
  let reads = 0;
  const make = () =>
    new RollupService({
      bus,
      store,
      source: (q) => {
        reads++;
        return store.raw({ ...q, limit: 1_000_000 });
      },
      checks: [hot],
      staleAfterMs: stale,
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
  /** the rows a from-scratch aggregation of everything stored gives (hours in [from, to)) */
  const truth = async (from: number, to: number): Promise<RollupRow[]> => {
    const agg = new HourlyAggregator([hot], stale);
    for (const r of await store.raw({ from: from - DAY, to: to + DAY })) agg.add(r);
    return agg.takeRows(clock.now()).filter((r) => r.hour >= from && r.hour < to);
  };
  return { store, bus, clock, make, ingest, truth, reads: () => reads };
}

const t = (value: number, minutes: number) => reading({ value, ts: T0 + minutes * MIN });
const byHour = (rows: RollupRow[]) => [...rows].sort((a, b) => a.hour - b.hour);

/** The late-reading scenarios, run against every store (the InfluxDB ones in rollup-late-influx.test.ts). */
export function lateReadingSuite(name: string, makeStore?: () => TimeSeriesStore): void {
  describe(`RollupService: late readings reach the rollups (${name})`, () => {
    it('a reading two hours late re-aggregates its hour at the next flush, as if it had come in order', async () => {
      const { store, clock, make, ingest, truth } = await setup(makeStore);
      const svc = make();
      await svc.start();
      for (let m = 0; m <= 150; m += 10) {
        clock.set(T0 + m * MIN);
        if (m !== 40) await ingest([t(m === 30 ? 31 : 25, m)]);
      }
      await svc.flush();
      const before = await store.rollups({ from: T0, to: T0 + HOUR });
      expect(before[0]?.count).toBe(5);
      await ingest([t(40, 40)]); // 110 minutes late, the series' newest is at 150
      await svc.flush();
      const rows = await store.rollups({ from: T0, to: T0 + 3 * HOUR });
      expect(rows[0]).toMatchObject({ count: 6, max: 40, sum: 25 * 4 + 31 + 40 });
      expect(byHour(rows)).toEqual(await truth(T0, T0 + 3 * HOUR));
      await svc.stop();
    });

    it('a late reading in an hour the live aggregator still holds is not overwritten by it later', async () => {
      const { store, clock, make, ingest, truth } = await setup(makeStore);
      const svc = make();
      await svc.start();
      clock.set(T0 + 35 * MIN);
      await ingest([t(25, 0), t(26, 20), t(27, 30)]);
      await ingest([t(35, 10)]); // out of order within the hour in progress
      await svc.flush();
      clock.set(T0 + 45 * MIN);
      await ingest([t(24, 40)]);
      await svc.flush();
      const [row] = await store.rollups({ from: T0, to: T0 + HOUR });
      expect(row).toMatchObject({ count: 5, sum: 137, max: 35 });
      expect([row]).toEqual(await truth(T0, T0 + HOUR));
      await svc.stop();
    });

    it('re-aggregates each dirty hour once per flush however many late readings touched it', async () => {
      const { clock, make, ingest, reads, store, truth } = await setup(makeStore);
      const svc = make();
      await svc.start();
      clock.set(T0 + 10 * HOUR);
      await ingest([t(25, 10 * 60)]);
      await svc.flush();
      const late = Array.from({ length: 50 }, (_, i) => t(20 + (i % 10), 2 * 60 + i)); // 50 readings, hours 2–3
      await ingest(late);
      const n = reads();
      await svc.flush();
      expect(reads() - n).toBeLessThanOrEqual(2); // one raw read (plus its lead-in) for the series' dirty run
      expect(byHour(await store.rollups({ from: T0, to: T0 + 11 * HOUR }))).toEqual(
        await truth(T0, T0 + 11 * HOUR),
      );
      await svc.stop();
    });

    it('touch(): readings stored months ago (an import) get their hours rebuilt, day chunk by day chunk', async () => {
      const { store, clock, make, truth } = await setup(makeStore);
      clock.set(T0 + 200 * DAY);
      const svc = make();
      await svc.start();
      const old = [t(25, 0), t(30, 10), t(25, 20), t(26, 60 * 24 * 3), t(27, 60 * 24 * 3 + 5)];
      await store.write(old);
      const progress: number[] = [];
      await svc.touch(old, (done) => progress.push(done));
      const rows = await store.rollups({ from: T0, to: T0 + 4 * DAY });
      expect(rows.map((r) => [(r.hour - T0) / HOUR, r.count])).toEqual([
        [0, 3],
        [72, 2],
      ]);
      expect(byHour(rows)).toEqual(await truth(T0, T0 + 4 * DAY));
      expect(progress.at(-1)).toBe(2); // two series-hours (each reading's reach stays in its hour or the next, no readings there)
      await svc.stop();
    });

    it('touch(): imported readings of the hour in progress are kept when live readings of that series follow', async () => {
      const { store, clock, make, ingest, truth } = await setup(makeStore);
      clock.set(T0 + 25 * MIN);
      const svc = make();
      await svc.start();
      const imported = [t(25, 0), t(26, 10), t(27, 20)];
      await store.write(imported);
      await svc.touch(imported);
      clock.set(T0 + 35 * MIN);
      await ingest([t(28, 30)]);
      await svc.flush();
      const [row] = await store.rollups({ from: T0, to: T0 + HOUR });
      expect(row).toMatchObject({ count: 4, sum: 106 });
      expect([row]).toEqual(await truth(T0, T0 + HOUR));
      await svc.stop();
    });

    it('a restart after more than 48 h down rebuilds the whole gap (in the background), not only 48 h', async () => {
      const { store, clock, make, ingest, truth } = await setup(makeStore);
      const first = make();
      await first.start();
      for (let h = 0; h < 6; h++) {
        clock.set(T0 + h * HOUR + 5 * MIN);
        await ingest([t(25 + h, h * 60)]);
      }
      // crash: the last rows were never flushed
      const second = make();
      clock.set(T0 + 5 * DAY);
      await second.start();
      await second.settled();
      expect(byHour(await store.rollups({ from: T0, to: T0 + DAY }))).toEqual(await truth(T0, T0 + DAY));
      expect(await store.rollups({ from: T0, to: T0 + DAY })).toHaveLength(6);
      await second.stop();
    });
  });
}
