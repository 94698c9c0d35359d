/**
 * What the wall knows: the newest reading per series, sensor intervals and
 * online state, and the active alerts. Sizes are bounded by the number of
 * series and by MAX_ALERTS, so weeks of running do not grow memory.
 */
import { combine } from './status.js';

/** Stale after this many missed intervals; the server's `/api/site` `stale` settings override these. */
export const STALE_AFTER_INTERVALS = 3;
const DEFAULT_INTERVAL_S = 60;
const MAX_ALERTS = 500;

/**
 * @typedef {{zone: string, sensor: string, quantity: string, value: number, ts: number, stale: boolean}} Held
 * @typedef {{value: number | null, ts: number, stale: boolean, offline: boolean, count: number}} ZoneValue
 */

export class LiveState {
  /** @param {() => number} now server-corrected clock */
  constructor(now) {
    this.now = now;
    /** @type {Map<string, Held>} */
    this.readings = new Map();
    /** @type {Map<string, number>} sensor id → stale-after ms */
    this.staleAfter = new Map();
    this.defaultStaleAfter = DEFAULT_INTERVAL_S * 1000 * STALE_AFTER_INTERVALS;
    /** @type {Set<string>} */
    this.offline = new Set();
    /** @type {Map<string, any>} */
    this.alerts = new Map();
    this.alertsAvailable = true;
  }

  /**
   * @param {Array<{id: string, intervalSeconds?: number}>} sensors
   * @param {{afterIntervals?: number, defaultIntervalSeconds?: number}} [stale] the server's settings
   */
  setSensors(sensors, stale = {}) {
    const intervals = stale.afterIntervals ?? STALE_AFTER_INTERVALS;
    const fallback = stale.defaultIntervalSeconds ?? DEFAULT_INTERVAL_S;
    this.defaultStaleAfter = fallback * 1000 * intervals;
    this.staleAfter.clear();
    for (const s of sensors) this.staleAfter.set(s.id, (s.intervalSeconds ?? fallback) * 1000 * intervals);
  }

  /**
   * Takes readings as /api/latest or the `readings` event give them; an older
   * reading never replaces a newer one. Returns the zones that changed.
   * @param {any[]} list
   */
  put(list) {
    const zones = new Set();
    for (const r of list) {
      const ts = Date.parse(r.ts);
      if (!Number.isFinite(ts) || typeof r.value !== 'number') continue;
      const key = `${r.zone}/${r.sensor}/${r.quantity}`;
      const cur = this.readings.get(key);
      if (cur && cur.ts > ts) continue;
      this.readings.set(key, {
        zone: r.zone,
        sensor: r.sensor,
        quantity: r.quantity,
        value: r.value,
        ts,
        stale: !!r.stale,
      });
      if (r.stale !== true) this.offline.delete(r.sensor);
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

  /** @param {{sensor: string, online: boolean}} s */
  setStatus(s) {
    if (s.online) this.offline.delete(s.sensor);
    else this.offline.add(s.sensor);
  }

  /** @param {Held} r @param {number} now */
  isStale(r, now) {
    if (this.offline.has(r.sensor)) return true;
    const after = this.staleAfter.get(r.sensor) ?? this.defaultStaleAfter;
    return r.stale || now - r.ts > after;
  }

  /**
   * One number for a zone's quantity from its fresh readings; when all are
   * stale, the newest stale one, flagged (never shown as current).
   * @param {string} zone @param {string} q @returns {ZoneValue}
   */
  zoneValue(zone, q) {
    const now = this.now();
    const fresh = [];
    let newestFresh = 0;
    /** @type {Held | null} */
    let newestStale = null;
    for (const r of this.readings.values()) {
      if (r.zone !== zone || r.quantity !== q) continue;
      if (this.isStale(r, now)) {
        if (!newestStale || r.ts > newestStale.ts) newestStale = r;
      } else {
        fresh.push(r.value);
        newestFresh = Math.max(newestFresh, r.ts);
      }
    }
    if (fresh.length > 0)
      return { value: combine(q, fresh), ts: newestFresh, stale: false, offline: false, count: fresh.length };
    if (newestStale) {
      return {
        value: newestStale.value,
        ts: newestStale.ts,
        stale: true,
        offline: this.offline.has(newestStale.sensor),
        count: 0,
      };
    }
    return { value: null, ts: 0, stale: false, offline: false, count: 0 };
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
