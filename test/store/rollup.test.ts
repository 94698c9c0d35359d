import { describe, expect, it } from 'vitest';
import { HourlyAggregator, type OutsideCheck } from '../../src/store/rollup.js';
import { reading, T0 } from './contract.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const hot: OutsideCheck = { id: 'comfort.temperature', quantity: 'temperature', outside: (v) => v > 28 };
const cold: OutsideCheck = { id: 'eco.overcooling', quantity: 'temperature', outside: (v) => v < 26 };
const co2: OutsideCheck = { id: 'comfort.co2', quantity: 'co2', outside: (v) => v > 1000 };

const t = (value: number, minutes: number) => reading({ value, ts: T0 + minutes * MIN });

function make(staleMinutes = 30, checks: OutsideCheck[] = [hot, cold, co2]) {
  return new HourlyAggregator(checks, () => staleMinutes * MIN);
}

describe('HourlyAggregator', () => {
  it('counts, sums, min/max/last and attributes each value until the next reading', () => {
    const agg = make();
    for (const r of [t(25, 0), t(29, 10), t(30, 20), t(27, 30)]) agg.add(r);
    const [row, ...rest] = agg.takeRows(T0 + 35 * MIN);
    expect(rest).toEqual([]);
    expect(row).toEqual({
      site: 'takatsu',
      zone: 'lobby',
      sensor: 's1',
      quantity: 'temperature',
      hour: T0,
      count: 4,
      sum: 111,
      min: 25,
      max: 30,
      last: 27,
      coveredMs: 35 * MIN, // 30 committed + 5 provisional (the newest reading up to now)
      outside: { 'comfort.temperature': 20 * MIN, 'eco.overcooling': 10 * MIN },
    });
  });

  it('caps a reading’s interval at the stale threshold', () => {
    const agg = make(30);
    agg.add(t(30, 0));
    agg.add(t(30, 50));
    const [row] = agg.takeRows(T0 + 55 * MIN);
    expect(row?.coveredMs).toBe(30 * MIN + 5 * MIN);
    expect(row?.outside['comfort.temperature']).toBe(35 * MIN);
  });

  it('splits an interval across the hour boundary and flags the closed hour', () => {
    const agg = make(30);
    agg.add(t(30, 50));
    expect(agg.closedHour).toBe(false);
    agg.add(t(20, 70));
    expect(agg.closedHour).toBe(true);
    const rows = agg.takeRows(T0 + 70 * MIN);
    expect(
      rows.map((r) => [
        r.hour - T0,
        r.count,
        r.coveredMs,
        r.outside['comfort.temperature'],
        r.outside['eco.overcooling'],
      ]),
    ).toEqual([
      [0, 1, 10 * MIN, 10 * MIN, 0],
      [HOUR, 1, 10 * MIN, 10 * MIN, 0],
    ]);
  });

  it('ignores duplicates and late readings, counting them', () => {
    const agg = make();
    agg.add(t(25, 0));
    agg.add(t(26, 10));
    expect(agg.add(t(26, 10))).toBe(false);
    expect(agg.add(t(99, 5))).toBe(false);
    expect(agg.late).toBe(2);
    expect(agg.takeRows(T0 + 10 * MIN)[0]).toMatchObject({ count: 2, max: 26 });
  });

  it('emits only rows that changed, and forgets finished hours', () => {
    const agg = make(30);
    agg.add(t(25, 10));
    agg.add(t(25, 70));
    expect(agg.takeRows(T0 + 70 * MIN)).toHaveLength(2);
    // hour 0 is final (the newest reading is past it); hour 1 changes only by its provisional tail
    const again = agg.takeRows(T0 + 80 * MIN);
    expect(again.map((r) => [r.hour - T0, r.coveredMs])).toEqual([[HOUR, 10 * MIN]]);
    // once the newest reading is stale, its interval is final and the row stops changing
    expect(agg.takeRows(T0 + 200 * MIN).map((r) => r.coveredMs)).toEqual([30 * MIN]);
    expect(agg.takeRows(T0 + 300 * MIN)).toEqual([]);
  });

  it('keeps series apart and applies only the checks of the series’ quantity', () => {
    const agg = make();
    agg.add(reading({ quantity: 'co2', value: 1200, ts: T0 }));
    agg.add(reading({ quantity: 'co2', value: 800, ts: T0 + 10 * MIN }));
    agg.add(reading({ quantity: 'co2', value: 900, ts: T0, sensor: 's2' }));
    const rows = agg.takeRows(T0 + 10 * MIN);
    expect(rows.map((r) => [r.sensor, r.count, r.outside])).toEqual([
      ['s1', 2, { 'comfort.co2': 10 * MIN }],
      ['s2', 1, { 'comfort.co2': 0 }],
    ]);
  });

  it('asks time-dependent checks about the start of each hour piece', () => {
    const seen: number[] = [];
    const afterHours: OutsideCheck = {
      id: 'eco.lights_after_hours',
      quantity: 'lights',
      outside: (v, ts) => {
        seen.push(ts - T0);
        return v >= 0.5 && ts >= T0 + HOUR;
      },
    };
    const agg = new HourlyAggregator([afterHours], () => 2 * HOUR);
    agg.add(reading({ quantity: 'lights', value: 1, ts: T0 + 30 * MIN }));
    agg.add(reading({ quantity: 'lights', value: 1, ts: T0 + 90 * MIN }));
    const rows = agg.takeRows(T0 + 90 * MIN);
    expect(seen).toEqual([30 * MIN, HOUR]);
    expect(rows.map((r) => r.outside['eco.lights_after_hours'])).toEqual([0, 30 * MIN]);
  });
});

describe('rollup spans are the judgement’s', () => {
  it('stale time, states and their hold come from the one judgement (rollupSpec)', async () => {
    const { parseConfig } = await import('../../src/config/load.js');
    const { Judgement } = await import('../../src/core/judgement.js');
    const { Inventory } = await import('../../src/inventory/inventory.js');
    const { newAggregator, rollupSpec } = await import('../../src/store/rollup-spec.js');
    const cfg = parseConfig(
      { inventory: { files: [], staleAfterIntervals: 4 }, report: { stateHoldHours: 2 } },
      'test',
      {},
    );
    // an inventory built with another multiple: the judgement's policy (config) decides, not a copy
    const inv = new Inventory(
      [{ id: 'env', site: 'default', zone: 'lobby', intervalSeconds: 120, file: 'x' } as never],
      3,
    );
    const j = new Judgement(cfg, inv);
    const agg = newAggregator(rollupSpec(cfg, inv, j));
    expect(agg.reachMs({ site: 'default', sensor: 'env', quantity: 'co2' })).toBe(4 * 120_000);
    expect(agg.reachMs({ site: 'default', sensor: 'env', quantity: 'co2' })).toBe(
      j.staleAfterMs('default', 'env'),
    );
    expect(agg.reachMs({ site: 'default', sensor: 'env', quantity: 'lights' })).toBe(2 * 3_600_000);
    expect(agg.reachMs({ site: 'default', sensor: 'env', quantity: 'lights' })).toBe(
      j.reachMs('default', 'env', 'lights'),
    );
    expect(j.isState('lights') && j.isState('occupancy') && !j.isState('co2')).toBe(true);
  });
});
