import type { Breach, Judgement, ZoneLimits } from './judgement.js';
import type { Quantity } from './quantities.js';

/**
 * A zone's status now, the one answer the wall, the alert panel and
 * /api/status share (DESIGN §4, §7). Pure: a function of the judgement, the
 * zone's newest readings (with arrival times and availability) and `now`.
 */

export type ZoneState = 'ok' | 'caution' | 'out' | 'closed' | 'stale' | 'offline' | 'nodata';

/** The newest reading of one series, as the status service holds it. */
export interface SeriesInput {
  site: string;
  sensor: string;
  quantity: Quantity;
  value: number;
  /** the reading's own timestamp */
  ts: number;
  /** when the sensor's newest message arrived (server clock) */
  arrivedAt: number;
  /** availability: false = offline (at once), true = online, null/undefined = unknown */
  online?: boolean | null;
}

/** Why a zone is in its state: a broken limit, or a sensor that is stale, offline or has a wrong clock. */
export type Reason =
  | {
      kind: 'limit';
      /** limit id: `comfort.temperature`, `protection.temperature`, `eco.lights_after_hours` … */
      id: string;
      category: Breach['category'];
      quantity: Quantity;
      sensor: string;
      value: number;
      /** the bound's value (°C, ppm …) */
      limit: number;
      bound: 'min' | 'max';
      level: 'out' | 'caution';
    }
  | {
      kind: 'stale' | 'offline' | 'clock_skew';
      id: 'sensor.stale' | 'sensor.offline' | 'sensor.clock_skew';
      category: 'sensor';
      quantity: Quantity;
      sensor: string;
      value: number;
      /** ISO time of the newest reading */
      lastSeen: string;
    };

/** One quantity of the zone: the value to show (fresh readings combined, else the newest stale one) and its state. */
export interface QuantityStatus {
  value: number | null;
  /** ISO time of the newest reading shown */
  ts: string | null;
  stale: boolean;
  offline: boolean;
  /** fresh sensors combined into `value` */
  sensors: number;
  /** judged state of this quantity; null when not judged (no limit, not in use, no fresh value) */
  state: 'ok' | 'caution' | 'out' | null;
  /** counter bands (wait_minutes, waiting) */
  band?: 'blue' | 'yellow' | 'red';
}

export interface ZoneStatus {
  zone: string;
  inUse: boolean;
  state: ZoneState;
  reasons: Reason[];
  /** eco deviations now (lights after hours, over-cooling …); empty when none */
  eco: Reason[];
  /** ISO time the zone entered this state */
  since: string;
  /** the zone's effective limits (chart limit lines) */
  limits: ZoneLimits;
  values: Partial<Record<Quantity, QuantityStatus>>;
  /** ISO time of this judgement */
  at: string;
}

const RANK = { ok: 0, caution: 1, out: 2 } as const;

/** How a zone's several sensors of one quantity make one number: CO2, lights and waits the worst, people the sum, the rest the mean. */
export function combine(q: Quantity, values: readonly number[]): number | null {
  if (values.length === 0) return null;
  if (q === 'co2' || q === 'lights' || q === 'wait_minutes') return Math.max(...values);
  const sum = values.reduce((a, b) => a + b, 0);
  return q === 'waiting' || q === 'occupancy' || q === 'power' ? sum : sum / values.length;
}

/** Judges a zone at `now` (`since` is the caller's: it knows when the state began; here the start of the in-use period). */
export function zoneStatus(
  j: Judgement,
  zone: string,
  now: number,
  series: readonly SeriesInput[],
): Omit<ZoneStatus, 'since'> & { since: number } {
  const inUse = j.inUse(zone, now);
  const reasons: Reason[] = [];
  const eco: Reason[] = [];
  const byQ = new Map<Quantity, { fresh: SeriesInput[]; newest?: SeriesInput; offline: boolean }>();
  let fresh = 0;
  let offline = 0;
  for (const s of series) {
    const e = byQ.get(s.quantity) ?? { fresh: [], offline: false };
    byQ.set(s.quantity, e);
    const f = j.freshness(s.site, s.sensor, s.arrivedAt, now, s.online);
    if (f === 'fresh') {
      e.fresh.push(s);
      fresh++;
      if (j.clockSkewed(s.ts, s.arrivedAt)) reasons.push(sensorReason('clock_skew', s));
    } else {
      if (!e.newest || s.ts > e.newest.ts) {
        e.newest = s;
        e.offline = f === 'offline';
      }
      if (f === 'offline') offline++;
      reasons.push(sensorReason(f, s));
    }
  }
  const values: Partial<Record<Quantity, QuantityStatus>> = {};
  let worst: 'ok' | 'caution' | 'out' | null = null;
  let protection = false;
  for (const [q, e] of byQ) {
    let qs: QuantityStatus['state'] = null;
    for (const s of e.fresh) {
      for (const b of j.judgeReading(zone, q, s.value, now)) {
        const r: Reason = {
          kind: 'limit',
          id: b.limit,
          category: b.category,
          quantity: q,
          sensor: s.sensor,
          value: s.value,
          limit: b.threshold,
          bound: b.bound,
          level: b.level,
        };
        if (b.category === 'eco') {
          eco.push(r);
          continue;
        }
        if (b.category === 'service') continue;
        reasons.push(r);
        if (b.category === 'protection') protection = true;
        if (qs === null || RANK[b.level] > RANK[qs]) qs = b.level;
      }
      if (qs === null && inUse && j.limitsFor(q).some((d) => d.category === 'comfort')) qs = 'ok';
    }
    if (qs !== null && (worst === null || RANK[qs] > RANK[worst])) worst = qs;
    const value =
      e.fresh.length > 0
        ? combine(
            q,
            e.fresh.map((s) => s.value),
          )
        : (e.newest?.value ?? null);
    const ts = e.fresh.length > 0 ? Math.max(...e.fresh.map((s) => s.ts)) : (e.newest?.ts ?? null);
    const view: QuantityStatus = {
      value,
      ts: ts === null ? null : new Date(ts).toISOString(),
      stale: e.fresh.length === 0,
      offline: e.fresh.length === 0 && e.offline,
      sensors: e.fresh.length,
      state: qs,
    };
    if (value !== null && e.fresh.length > 0 && (q === 'wait_minutes' || q === 'waiting'))
      view.band = j.band(q, value);
    values[q] = view;
  }
  // Lights on in a zone in use where every occupancy sensor reads 0 (eco.lights_empty_zone).
  const lights = byQ.get('lights')?.fresh ?? [];
  const occ = byQ.get('occupancy')?.fresh ?? [];
  if (inUse && occ.length > 0 && occ.every((s) => s.value === 0)) {
    const on = lights.find((s) => s.value >= 0.5);
    if (on)
      eco.push({
        kind: 'limit',
        id: 'eco.lights_empty_zone',
        category: 'eco',
        quantity: 'lights',
        sensor: on.sensor,
        value: on.value,
        limit: 0,
        bound: 'max',
        level: 'out',
      });
  }
  let state: ZoneState;
  if (series.length === 0) state = 'nodata';
  else if (fresh === 0) state = offline === series.length ? 'offline' : 'stale';
  else if (protection) state = 'out';
  else if (!inUse) state = 'closed';
  else state = worst ?? 'ok';
  return {
    zone,
    inUse,
    state,
    reasons,
    eco,
    since: j.useChangedAt(zone, now),
    limits: j.zoneLimits(zone),
    values,
    at: new Date(now).toISOString(),
  };
}

function sensorReason(kind: 'stale' | 'offline' | 'clock_skew', s: SeriesInput): Reason {
  return {
    kind,
    id: `sensor.${kind}`,
    category: 'sensor',
    quantity: s.quantity,
    sensor: s.sensor,
    value: s.value,
    lastSeen: new Date(s.ts).toISOString(),
  };
}
