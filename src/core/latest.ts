import { type Reading, seriesKey } from './reading.js';

/** A sensor's availability (online/offline) as last reported by the device or its bridge. */
export interface SensorAvailability {
  site: string;
  zone: string;
  sensor: string;
  online: boolean;
  /** epoch ms when it entered this state */
  since: number;
  /** epoch ms of the last status message that confirmed it */
  ts: number;
}

/**
 * Newest reading per series, in memory (seeded from the store at start).
 * A reading older than the one held (a late or replayed message) does not
 * replace it. Size is bounded by the number of series.
 */
export class LatestCache {
  private readonly map = new Map<string, Reading>();
  private readonly availability = new Map<string, SensorAvailability>();

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

  /** A sensor's availability, undefined when it never sent one (then it is judged by its readings alone). */
  status(site: string, sensor: string): SensorAvailability | undefined {
    return this.availability.get(`${site}/${sensor}`);
  }

  statuses(): SensorAvailability[] {
    return [...this.availability.values()];
  }

  /** Sets a sensor's availability (kept by src/ingest/availability.ts, which persists it). */
  setStatus(a: SensorAvailability): void {
    this.availability.set(`${a.site}/${a.sensor}`, a);
  }
}
