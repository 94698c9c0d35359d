/**
 * Deterministic randomness for the simulator. Two kinds:
 * - `Rng`: a sequential stream (mulberry32) whose whole state is one uint32,
 *   so a sensor's model state can carry it and a run can be replayed;
 * - hashes and value noise: random-looking but a pure function of (keys, time),
 *   so every sensor of a zone sees the same occupancy or lights at the same
 *   instant without sharing state, and a backfill agrees with the live fleet.
 */

/** A sequential PRNG over a uint32 state. Mutable; copy `state` out to keep it. */
export class Rng {
  constructor(public state: number) {}

  /** uniform in [0, 1) */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** standard normal (Box–Muller; one draw per call keeps the stream simple) */
  gaussian(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** FNV-1a of a string, as uint32: turns ids into hash keys once. */
export function strHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes integers into one uint32 (murmur3 finaliser per step). */
export function hash(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    // Fold numbers beyond 32 bits (day indexes, knots) so no part is lost.
    const lo = p | 0;
    const hi = Math.floor(p / 4294967296) | 0;
    h = mix(h ^ lo);
    if (hi !== 0) h = mix(h ^ hi);
  }
  return h >>> 0;
}

function mix(x: number): number {
  let h = x;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** Hash as a uniform number in [0, 1). */
export function hashUnit(...parts: number[]): number {
  return hash(...parts) / 4294967296;
}

/**
 * Smooth noise in [-1, 1]: random values at knots every `periodMs`, eased
 * between them. A pure function of (key, t), continuous in t.
 */
export function valueNoise(key: number, t: number, periodMs: number): number {
  const x = t / periodMs;
  const k = Math.floor(x);
  const f = x - k;
  const e = f * f * (3 - 2 * f);
  const a = hashUnit(key, k) * 2 - 1;
  const b = hashUnit(key, k + 1) * 2 - 1;
  return a + (b - a) * e;
}

/** Gaussian bump with peak 1 at `mu` (same unit as x). */
export function bump(x: number, mu: number, sigma: number): number {
  const d = (x - mu) / sigma;
  return Math.exp(-0.5 * d * d);
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}
