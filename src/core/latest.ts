import { type Reading, seriesKey } from './reading.js';

/**
 * Newest reading per series, in memory (seeded from the store at start).
 * A reading older than the one held (a late or replayed message) does not
 * replace it. Size is bounded by the number of series.
 */
export class LatestCache {
  private readonly map = new Map<string, Reading>();

  /** Returns true when the reading became the newest of its series. */
  put(r: Reading): boolean {
    const key = seriesKey(r);
    const cur = this.map.get(key);
    if (cur && cur.ts > r.ts) return false;
    this.map.set(key, r);
    return true;
  }

  all(): Reading[] {
    return [...this.map.values()];
  }

  get size(): number {
    return this.map.size;
  }
}
