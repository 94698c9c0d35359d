import { describe, expect, it } from 'vitest';
import { rebuildRange } from '../../src/store/rollup-rebuild.js';
import { reading, T0 } from './contract.js';
import { hot, lateReadingSuite, setup } from './rollup-late-scenarios.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const stale = () => 30 * MIN;
const t = (value: number, minutes: number) => reading({ value, ts: T0 + minutes * MIN });

lateReadingSuite('embedded');

describe('rebuildRange', () => {
  it('rebuilds rows over a range from raw data, with a lead-in so the first hour is whole', async () => {
    const { store, clock } = await setup();
    clock.set(T0 + 2 * DAY);
    await store.write([t(30, -10), t(25, 5), t(25, 65)]);
    const res = await rebuildRange(
      { store, source: (q) => store.raw(q), spec: { checks: [hot], staleAfterMs: stale } },
      { from: T0, to: T0 + 2 * HOUR },
      { now: clock.now() },
    );
    expect(res.rows).toBe(2);
    const [h0] = await store.rollups({ from: T0, to: T0 + HOUR });
    // the reading at −10 min still covers 00:00–00:05 (outside: 30 > 28)
    expect(h0).toMatchObject({ count: 1, coveredMs: 35 * MIN, outside: { 'comfort.temperature': 5 * MIN } });
  });
});

describe('rebuild lead-in', () => {
  it('reads far enough back for a state (lights hold until the next change), only for the state series', async () => {
    const { store, clock } = await setup();
    clock.set(T0 + 2 * DAY);
    const lights = (value: number, minutes: number) =>
      reading({ sensor: 'sw', quantity: 'lights', value, ts: T0 + minutes * MIN });
    await store.write([lights(1, -5 * 60), lights(0, 30), t(25, -50), t(25, 10)]);
    const reads: { from: number; quantity?: string }[] = [];
    await rebuildRange(
      {
        store,
        source: (q) => {
          reads.push({ from: q.from, ...(q.quantity ? { quantity: q.quantity } : {}) });
          return store.raw(q);
        },
        spec: { checks: [hot], staleAfterMs: stale },
      },
      { from: T0, to: T0 + HOUR },
      { now: clock.now() },
    );
    const rows = await store.rollups({ from: T0, to: T0 + HOUR });
    // lights: on since 05:00 the day before, held across midnight until 00:30, then off until the hold ends
    expect(rows.find((r) => r.quantity === 'lights')).toMatchObject({ count: 1, coveredMs: HOUR });
    // temperature: the reading at −50 min is past its 30 min stale time, so 00:00–00:10 is not covered
    expect(rows.find((r) => r.quantity === 'temperature')).toMatchObject({ count: 1, coveredMs: 30 * MIN });
    // the range, the measurements' lead-in (their stale time), and a day back for each state quantity
    expect(reads).toEqual([
      { from: T0 },
      { from: T0 - 30 * MIN },
      { from: T0 - DAY, quantity: 'lights' },
      { from: T0 - DAY, quantity: 'occupancy' },
    ]);
  });
});
