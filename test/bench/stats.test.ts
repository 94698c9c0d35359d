import { describe, expect, it } from 'vitest';
import { median, percentiles, quantile, ratio, slope, spread } from '../../bench/lib/stats.js';

describe('bench stats', () => {
  it('median of odd and even counts, unsorted input left untouched', () => {
    const input = [9, 1, 5];
    expect(median(input)).toBe(5);
    expect(input).toEqual([9, 1, 5]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('quantile interpolates between closest ranks', () => {
    const v = Array.from({ length: 101 }, (_, i) => i); // 0..100
    expect(quantile(v, 0.99)).toBe(99);
    expect(quantile([10, 20], 0.25)).toBe(12.5);
    expect(quantile([], 0.5)).toBeNaN();
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });

  it('spread gives median, min and max and leaves out runs that were not measured', () => {
    expect(spread([30, 10, Number.NaN, 20])).toEqual({ median: 20, min: 10, max: 30, n: 3 });
    expect(spread([Number.NaN]).n).toBe(0);
  });

  it('percentiles: p50, p99 and max of latency samples', () => {
    const samples = Float64Array.from({ length: 1000 }, (_, i) => 1000 - i); // 1..1000, reversed
    const p = percentiles(samples);
    expect(p.n).toBe(1000);
    expect(p.max).toBe(1000);
    expect(p.p50).toBeCloseTo(500.5, 6);
    expect(p.p99).toBeCloseTo(990.01, 6);
    expect(percentiles([]).n).toBe(0);
  });

  it('slope finds a linear growth trend and is NaN without one', () => {
    expect(slope([0, 1, 2, 3].map((x) => ({ x, y: 100 + 2 * x })))).toBeCloseTo(2, 9);
    expect(slope([0, 1, 2, 3].map((x) => ({ x, y: 50 })))).toBe(0);
    expect(slope([{ x: 1, y: 1 }])).toBeNaN();
  });

  it('ratio is NaN for missing figures', () => {
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
  });
});
