import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Quantity } from '../../src/core/quantities.js';
import type { Reading } from '../../src/core/reading.js';
import type { RollupRow, TimeSeriesStore } from '../../src/store/store.js';

/** 2026-04-01T00:00:00Z: on an hour and on every step used below */
export const T0 = Date.UTC(2026, 3, 1);
const MIN = 60_000;
const HOUR = 3_600_000;

export function reading(over: Partial<Reading> & { value: number; ts: number }): Reading {
  return { site: 'takatsu', zone: 'lobby', sensor: 's1', quantity: 'temperature', registered: true, ...over };
}

function rollup(over: Partial<RollupRow> & { hour: number }): RollupRow {
  return {
    site: 'takatsu',
    zone: 'lobby',
    sensor: 's1',
    quantity: 'co2',
    count: 60,
    sum: 48_000,
    min: 700,
    max: 1100,
    last: 900,
    coveredMs: HOUR,
    outside: { 'comfort.co2': 600_000 },
    ...over,
  };
}

/**
 * The TimeSeriesStore contract (src/store/store.ts), run against every
 * implementation. `makeStore` returns a fresh, unopened, empty store.
 */
export function storeContract(
  name: string,
  makeStore: () => Promise<TimeSeriesStore> | TimeSeriesStore,
): void {
  describe(`TimeSeriesStore contract: ${name}`, () => {
    let store: TimeSeriesStore;
    beforeEach(async () => {
      store = await makeStore();
      await store.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('returns written readings from raw(), ordered by time, with every field', async () => {
      const rs = [
        reading({ value: 21.5, ts: T0 + 2 * MIN }),
        reading({ value: 21, ts: T0 }),
        reading({ value: 800, ts: T0 + MIN, quantity: 'co2', sensor: 's2', registered: false }),
      ];
      await store.write(rs);
      const got = await store.raw({ from: T0, to: T0 + HOUR });
      expect(got).toEqual([rs[1], rs[2], rs[0]]);
    });

    it('keeps one point per identity: a rewrite replaces the value instead of adding a point', async () => {
      await store.write([reading({ value: 20, ts: T0 })]);
      await store.write([reading({ value: 22, ts: T0 }), reading({ value: 22, ts: T0 })]);
      const got = await store.raw({ from: T0, to: T0 + 1, quantity: 'temperature' });
      expect(got.map((r) => r.value)).toEqual([22]);
      const [bucket] = await store.query({ from: T0, to: T0 + HOUR, step: HOUR });
      expect(bucket?.count).toBe(1);
    });

    it('keeps quantities of one sensor at the same timestamp apart', async () => {
      await store.write([
        reading({ value: 23, ts: T0 }),
        reading({ value: 55, ts: T0, quantity: 'humidity' }),
      ]);
      const got = await store.raw({ from: T0, to: T0 + 1 });
      expect(got.map((r) => `${r.quantity}=${r.value}`).sort()).toEqual(['humidity=55', 'temperature=23']);
    });

    it('latest() gives the newest reading per series, filtered', async () => {
      await store.write([
        reading({ value: 1, ts: T0 + 5 * MIN }),
        reading({ value: 2, ts: T0 + 9 * MIN }),
        reading({ value: 3, ts: T0 + 7 * MIN }),
        reading({ value: 900, ts: T0 + 3 * MIN, quantity: 'co2' }),
        reading({ value: 300, ts: T0 + 4 * MIN, quantity: 'illuminance', zone: 'counter-1', sensor: 'l1' }),
      ]);
      const all = await store.latest();
      const byQ = Object.fromEntries(all.map((r) => [r.quantity, r]));
      expect(all).toHaveLength(3);
      expect(byQ.temperature).toEqual(reading({ value: 2, ts: T0 + 9 * MIN }));
      expect(byQ.co2?.value).toBe(900);
      expect((await store.latest({ zone: 'counter-1' })).map((r) => r.value)).toEqual([300]);
      expect((await store.latest({ quantity: 'co2' })).map((r) => r.ts)).toEqual([T0 + 3 * MIN]);
      expect(await store.latest({ sensor: 'nope' })).toEqual([]);
    });

    it('query() aggregates epoch-aligned buckets per series, omits empty ones, and gives the bucket’s last value', async () => {
      const step = 10 * MIN;
      // bucket 0: 10 @0, 30 @2, 20 @8 (newest) ; bucket 1 empty ; bucket 2: 5 @21
      await store.write([
        reading({ value: 30, ts: T0 + 2 * MIN }),
        reading({ value: 10, ts: T0 }),
        reading({ value: 20, ts: T0 + 8 * MIN }),
        reading({ value: 5, ts: T0 + 21 * MIN }),
        reading({ value: 99, ts: T0 + 30 * MIN }), // at `to`: excluded
        reading({ value: 400, ts: T0 + 1 * MIN, quantity: 'co2' }),
      ]);
      const got = await store.query({ from: T0, to: T0 + 30 * MIN, step, quantity: 'temperature' });
      expect(got).toEqual([
        {
          site: 'takatsu',
          zone: 'lobby',
          sensor: 's1',
          quantity: 'temperature',
          ts: T0,
          count: 3,
          mean: 20,
          min: 10,
          max: 30,
          last: 20,
        },
        {
          site: 'takatsu',
          zone: 'lobby',
          sensor: 's1',
          quantity: 'temperature',
          ts: T0 + 20 * MIN,
          count: 1,
          mean: 5,
          min: 5,
          max: 5,
          last: 5,
        },
      ]);
      const both = await store.query({ from: T0 + 3 * MIN, to: T0 + HOUR, step: HOUR });
      // from is not on a step: the bucket still starts on the epoch-aligned hour
      expect(both.map((b) => `${b.quantity}@${b.ts - T0}:${b.count}`).sort()).toEqual([`temperature@0:3`]);
      const buckets = await store.query({ from: T0, to: T0 + HOUR, step });
      const runs = buckets.map((b) => b.quantity).filter((q, i, a) => i === 0 || a[i - 1] !== q);
      expect(runs.sort()).toEqual(['co2', 'temperature']); // one series' buckets are contiguous
      const times = buckets.filter((b) => b.quantity === 'temperature').map((b) => b.ts - T0);
      expect(times).toEqual([0, 20 * MIN, 30 * MIN]);
    });

    it('raw() honours [from, to), filters and limit', async () => {
      const rs = Array.from({ length: 10 }, (_, i) => reading({ value: i, ts: T0 + i * MIN }));
      await store.write([...rs, reading({ value: 1, ts: T0, sensor: 's9' })]);
      const got = await store.raw({ sensor: 's1', from: T0 + 2 * MIN, to: T0 + 5 * MIN });
      expect(got.map((r) => r.value)).toEqual([2, 3, 4]);
      expect(
        (await store.raw({ sensor: 's1', from: T0, to: T0 + HOUR, limit: 4 })).map((r) => r.value),
      ).toEqual([0, 1, 2, 3]);
      expect(await store.raw({ from: T0 + HOUR, to: T0 + 2 * HOUR })).toEqual([]);
    });

    it('upserts rollups by series and hour and returns those with hour in [from, to)', async () => {
      await store.writeRollups([
        rollup({ hour: T0 }),
        rollup({ hour: T0 + HOUR }),
        rollup({ hour: T0 + 2 * HOUR }),
      ]);
      const changed = rollup({ hour: T0 + HOUR, count: 61, max: 1200, outside: { 'comfort.co2': 900_000 } });
      await store.writeRollups([changed]);
      const got = await store.rollups({ quantity: 'co2', from: T0 + HOUR, to: T0 + 3 * HOUR });
      expect(got).toEqual([changed, rollup({ hour: T0 + 2 * HOUR })]);
      expect(await store.rollups({ quantity: 'temperature', from: T0, to: T0 + 3 * HOUR })).toEqual([]);
      expect(await store.rollups({ sensor: 's1', from: T0, to: T0 + 1 })).toHaveLength(1);
    });

    it('keeps a held-state rollup (lights on all hour, no reading in it: count 0)', async () => {
      const held = rollup({
        quantity: 'lights',
        hour: T0,
        count: 0,
        sum: 0,
        min: 1,
        max: 1,
        last: 1,
        outside: { 'eco.lights_after_hours': HOUR },
      });
      await store.writeRollups([held]);
      expect(await store.rollups({ quantity: 'lights', from: T0, to: T0 + HOUR })).toEqual([held]);
    });

    it('round-trips Japanese, space, comma, equals and quote characters in site, zone and sensor', async () => {
      const odd = { site: '高津区役所', zone: '区民課 窓口,1=A', sensor: `センサー "1" 'x'` };
      const r = reading({ ...odd, value: 24.5, ts: T0 });
      await store.write([r, reading({ value: 1, ts: T0 })]);
      expect(await store.latest({ zone: odd.zone })).toEqual([r]);
      expect(await store.raw({ sensor: odd.sensor, from: T0, to: T0 + 1 })).toEqual([r]);
      const [b] = await store.query({ site: odd.site, from: T0, to: T0 + HOUR, step: HOUR });
      expect(b).toMatchObject({ ...odd, count: 1, last: 24.5 });
      const row = rollup({ ...odd, hour: T0 });
      await store.writeRollups([row]);
      expect(await store.rollups({ zone: odd.zone, from: T0, to: T0 + HOUR })).toEqual([row]);
    });

    it('answers ping() while open, and close() may be called twice', async () => {
      expect(await store.ping()).toBe(true);
      await store.close();
      await store.close();
    });

    it('accepts every quantity with float values (no field type conflicts)', async () => {
      const qs: Quantity[] = ['lights', 'occupancy', 'energy'];
      await store.write(
        qs.flatMap((q, i) => [
          reading({ quantity: q, value: 1, ts: T0 + i }),
          reading({ quantity: q, value: 0.5, ts: T0 + 100 + i }),
        ]),
      );
      expect(await store.raw({ from: T0, to: T0 + 1000 })).toHaveLength(6);
    });
  });
}
