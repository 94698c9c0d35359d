/**
 * What the wall knows: each zone's status as the server judged it (values,
 * state, stale/offline, bands: src/core/zone-status.ts), the newest reading
 * per series (for the trend and to notice a half-open stream) and the active
 * alerts. No limits, hours or stale rules live here. Sizes are bounded by the
 * number of zones, series and MAX_ALERTS, so weeks of running do not grow memory.
 */
import { asZoneStatus } from './status.js';

const MAX_ALERTS = 500;

/**
 * @typedef {{value: number | null, ts: number, stale: boolean, offline: boolean, count: number,
 *   state: 'ok' | 'caution' | 'out' | null, band: 'blue' | 'yellow' | 'red' | null}} ZoneValue
 */

export class LiveState {
  /** @param {() => number} now server-corrected clock */
  constructor(now) {
    this.now = now;
    /** @type {Map<string, {ts: number}>} newest reading ts per series */
    this.readings = new Map();
    /** @type {Map<string, any>} zone id → zone status from the server */
    this.statuses = new Map();
    /** @type {Map<string, any>} */
    this.alerts = new Map();
    this.alertsAvailable = true;
  }

  /** Kept for callers of the old API: sensor intervals no longer matter here (the server judges staleness). */
  setSensors() {}

  /**
   * Takes readings as /api/latest or the `readings` event give them, only to
   * know what arrived (values shown come with the zone status). Returns the
   * zones that changed.
   * @param {any[]} list
   */
  put(list) {
    const zones = new Set();
    for (const r of list) {
      const ts = Date.parse(r.ts);
      if (!Number.isFinite(ts) || typeof r.value !== 'number') continue;
      const key = `${r.zone}/${r.sensor}/${r.quantity}`;
      const cur = this.readings.get(key);
      if (cur && cur.ts >= ts) continue;
      this.readings.set(key, { ts });
      zones.add(r.zone);
    }
    return zones;
  }

  /**
   * How many readings in list are newer than held ones yet older than
   * `before`: the live stream should already have delivered them.
   * @param {any[]} list @param {number} before
   */
  missed(list, before) {
    let n = 0;
    for (const r of list) {
      const ts = Date.parse(r.ts);
      const cur = this.readings.get(`${r.zone}/${r.sensor}/${r.quantity}`);
      if (ts < before && (!cur || cur.ts < ts)) n++;
    }
    return n;
  }

  /**
   * A `status` event or an /api/status item: a zone's status replaces the one
   * held. Anything else (a sensor's availability) is already part of it.
   * @param {any} s
   */
  setStatus(s) {
    const z = asZoneStatus(s);
    if (z) this.statuses.set(z.zone, z);
  }

  /** @param {any[]} list GET /api/status */
  setStatuses(list) {
    for (const s of list ?? []) this.setStatus(s);
  }

  /** The server's status of a zone, or null before it arrived. @param {string} zone */
  zoneStatus(zone) {
    return this.statuses.get(zone) ?? null;
  }

  /**
   * One quantity of a zone as the server gave it: fresh sensors combined, or
   * the newest stale value flagged (never shown as current).
   * @param {string} zone @param {string} q @returns {ZoneValue}
   */
  zoneValue(zone, q) {
    const v = this.statuses.get(zone)?.values?.[q];
    if (!v) return { value: null, ts: 0, stale: false, offline: false, count: 0, state: null, band: null };
    const ts = typeof v.ts === 'string' ? Date.parse(v.ts) : 0;
    return {
      value: typeof v.value === 'number' ? v.value : null,
      ts: Number.isFinite(ts) ? ts : 0,
      stale: v.stale === true,
      offline: v.offline === true,
      count: typeof v.sensors === 'number' ? v.sensors : 0,
      state: v.state ?? null,
      band: v.band ?? null,
    };
  }

  /** Replaces the alert list (after GET /api/alerts?state=active). @param {any[]} list */
  setAlerts(list) {
    this.alerts.clear();
    for (const a of list) this.upsertAlert(a);
  }

  /** An `alert` event: resolved ones leave the wall. @param {any} a */
  upsertAlert(a) {
    if (!a || (typeof a.id !== 'string' && typeof a.id !== 'number')) return;
    const id = String(a.id);
    this.alerts.delete(id);
    if (a.state === 'resolved') return;
    this.alerts.set(id, a);
    while (this.alerts.size > MAX_ALERTS) {
      const first = this.alerts.keys().next().value;
      if (first === undefined) break;
      this.alerts.delete(first);
    }
  }

  /** Active alerts, most urgent first: critical before warning, unacknowledged first, oldest first. */
  activeAlerts() {
    const sev = { critical: 0, warning: 1, info: 2 };
    return [...this.alerts.values()].sort(
      (a, b) =>
        (sev[a.severity] ?? 3) - (sev[b.severity] ?? 3) ||
        Number(a.state === 'acknowledged') - Number(b.state === 'acknowledged') ||
        alertTime(a.openedAt) - alertTime(b.openedAt),
    );
  }

  /** @param {string} zone */
  zoneAlerts(zone) {
    return [...this.alerts.values()].filter((a) => a.zone === zone);
  }
}

/**
 * An alert time as epoch ms, from ISO 8601 or epoch ms; NaN when absent.
 * @param {unknown} v
 */
export function alertTime(v) {
  if (typeof v === 'number') return v;
  return typeof v === 'string' ? Date.parse(v) : Number.NaN;
}

/**
 * A zone's several sensors of one quantity as one line: per bucket, the
 * count-weighted mean.
 * @param {Array<{points: Array<{ts: string, mean: number, count: number}>}>} series
 */
export function mergeSeries(series) {
  const buckets = new Map();
  for (const s of series) {
    for (const p of s.points) {
      const x = Date.parse(p.ts);
      const b = buckets.get(x) ?? { x, sum: 0, n: 0 };
      b.sum += p.mean * p.count;
      b.n += p.count;
      buckets.set(x, b);
    }
  }
  return [...buckets.values()].sort((a, b) => a.x - b.x).map((b) => ({ x: b.x, y: b.sum / b.n, n: b.n }));
}
