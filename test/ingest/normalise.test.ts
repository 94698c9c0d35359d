import { describe, expect, it } from 'vitest';
import { normalise, toNumber, toTimestamp } from '../../src/ingest/normalise.js';
import { Inventory } from '../../src/inventory/inventory.js';

const NOW = Date.parse('2026-07-01T03:00:00Z');
const inventory = new Inventory([
  {
    id: 'env-1',
    site: 'takatsu',
    zone: 'lobby',
    quantities: ['temperature'],
    intervalSeconds: 60,
    calibration: { temperature: -0.5 },
    format: 'kaiteki',
    file: 'x',
  },
]);
const opts = {
  now: NOW,
  receivedAt: NOW,
  maxFutureSkewMs: 300_000,
  maxAgeMs: 400 * 86_400_000,
  unregistered: 'accept' as const,
  inventory,
};

describe('value parsing', () => {
  it.each([
    [812, 812],
    ['24.1', 24.1],
    [' 55 ', 55],
    ['on', 1],
    ['OFF', 0],
    [true, 1],
    ['1e3', 1000],
  ])('%j → %j', (raw, want) => expect(toNumber(raw)).toBe(want));

  it.each([
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    ['0x1f'],
    [''],
    ['12abc'],
    [null],
    [{ a: 1 }],
    [[1]],
    ['NaN'],
    ['Infinity'],
  ])('rejects %j as not a number', (raw) => expect(toNumber(raw)).toMatchObject({ reason: 'not_a_number' }));

  it('reads ISO 8601 (with zone, or JST when none), epoch ms and epoch seconds', () => {
    expect(toTimestamp('2026-07-01T12:00:00+09:00')).toBe(Date.parse('2026-07-01T03:00:00Z'));
    expect(toTimestamp('2026-07-01T12:00:00')).toBe(Date.parse('2026-07-01T03:00:00Z'));
    expect(toTimestamp(NOW)).toBe(NOW);
    expect(toTimestamp(NOW / 1000)).toBe(NOW);
    expect(toTimestamp('yesterday')).toMatchObject({ reason: 'bad_timestamp' });
    expect(toTimestamp('2026-13-45T99:00:00Z')).toMatchObject({ reason: 'bad_timestamp' });
  });
});

describe('normalise', () => {
  it('applies the inventory zone and calibration and marks registration', () => {
    const out = normalise(
      { site: 'takatsu', zone: 'wrong', sensor: 'env-1', values: { temperature: 24.1, co2: '812' } },
      opts,
    );
    expect(out.rejections).toEqual([]);
    expect(out.readings).toEqual([
      {
        site: 'takatsu',
        zone: 'lobby',
        sensor: 'env-1',
        quantity: 'temperature',
        value: 24.1 - 0.5,
        ts: NOW,
        registered: true,
      },
      {
        site: 'takatsu',
        zone: 'lobby',
        sensor: 'env-1',
        quantity: 'co2',
        value: 812,
        ts: NOW,
        registered: true,
      },
    ]);
  });

  it('accepts an unregistered sensor marked as such, or rejects it when configured to', () => {
    const c = { site: 'takatsu', zone: 'z', sensor: 'new-1', values: { co2: 500 } };
    expect(normalise(c, opts).readings[0]?.registered).toBe(false);
    expect(normalise(c, { ...opts, unregistered: 'reject' }).rejections[0]?.reason).toBe(
      'unregistered_sensor',
    );
  });

  it('keeps valid fields and rejects impossible ones one by one', () => {
    const out = normalise(
      { site: 's', zone: 'z', sensor: 'x', values: { co2: -5, humidity: 140, temperature: 21 } },
      opts,
    );
    expect(out.readings.map((r) => r.quantity)).toEqual(['temperature']);
    expect(out.rejections.map((r) => r.reason)).toEqual(['out_of_range', 'out_of_range']);
  });

  it('rejects timestamps far in the future or too old, and uses the payload ts when given', () => {
    const mk = (ts: unknown) =>
      normalise({ site: 's', zone: 'z', sensor: 'x', values: { co2: 600 }, ts }, opts);
    expect(mk(NOW + 3_600_000).rejections[0]?.reason).toBe('future_timestamp');
    expect(mk(0).rejections[0]?.reason).toBe('too_old');
    expect(mk(NOW - 60_000).readings[0]?.ts).toBe(NOW - 60_000);
  });
});
