/**
 * Small statistics for benchmark figures. Pure; inputs are not modified.
 * Every figure the bench prints is the median of several runs, with min and max.
 */

/** Median, min and max of several runs of one figure. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** how many runs */
  n: number;
}

/** Latency percentiles of one run, in ms. */
export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
  n: number;
}

function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/**
 * The q-quantile (0 ≤ q ≤ 1) with linear interpolation between closest ranks
 * (the "R-7" definition spreadsheets use). NaN for no values.
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  if (q < 0 || q > 1) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  const s = sorted(values);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Median, min and max of run results; NaN runs (not measured) are left out. */
export function spread(values: readonly number[]): Spread {
  const ok = values.filter((v) => Number.isFinite(v));
  if (ok.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  return { median: median(ok), min: Math.min(...ok), max: Math.max(...ok), n: ok.length };
}

/** p50, p99 and max of latency samples. */
export function percentiles(samples: ArrayLike<number>): Percentiles {
  const values = Array.from(samples);
  if (values.length === 0) return { p50: Number.NaN, p99: Number.NaN, max: Number.NaN, n: 0 };
  const s = sorted(values);
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99), max: s[s.length - 1]!, n: s.length };
}

/**
 * Least-squares slope of y over x (e.g. RSS in MB over minutes → MB/min).
 * NaN with fewer than two distinct x values.
 */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.x;
    sy += p.y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

/** a / b, NaN when either is not a finite number or b is 0 */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN;
}
