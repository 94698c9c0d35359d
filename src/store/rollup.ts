import { HOUR_MS } from '../core/jst.js';
import { STATE_QUANTITIES } from '../core/judgement.js';
import type { LimitCheck } from '../core/limits.js';
import { type Reading, seriesKey } from '../core/reading.js';
import type { RollupRow } from './store.js';

/** The part of a limit the aggregator needs (src/core/limits.ts). */
export type OutsideCheck = Pick<LimitCheck, 'id' | 'quantity' | 'outside'>;

interface Acc {
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
  coveredMs: number;
  outside: Record<string, number>;
  dirty: boolean;
  /** the state held into this hour (state quantities), for an hour without a reading of its own */
  held?: number;
}

interface SeriesState {
  id: Pick<Reading, 'site' | 'zone' | 'sensor' | 'quantity'>;
  staleMs: number;
  checks: OutsideCheck[];
  /** a state quantity (lights, occupancy): its value is held into the hours it covers */
  isState: boolean;
  last: { ts: number; value: number } | undefined;
  /** the newest reading's value is committed to the hours up to here */
  attributedTo: number;
  hours: Map<number, Acc>;
  /** the minute whose in-use answer is `used` (in-use time is minute-exact: asked once per minute, not per piece) */
  useMinute: number;
  used: boolean;
  /** the hour last looked up in `hours` and its accumulator (most readings fall in the same hour as the last) */
  accHour: number;
  accOf: Acc | undefined;
}

export const hourOf = (ts: number): number => Math.floor(ts / HOUR_MS) * HOUR_MS;

/** Quantities that are states: the one judgement's list (src/core/judgement.ts), re-exported for old importers. */
export { STATE_QUANTITIES };
/** Default bound on how long a state holds without a new reading, when no judgement is given (tests). */
export const STATE_HOLD_MS = 24 * HOUR_MS;
/**
 * Extra `outside` keys each rollup row carries when the aggregator knows the
 * zone's in-use time (minute-exact, from the one judgement module): covered ms
 * while in use, Σ value × ms while in use (a time-weighted in-use mean), and
 * per limit (not the eco ones, which carry their own windows) the ms outside
 * it while in use (`in_use:comfort.co2`). A row's `in_use.ms` key is present
 * (maybe 0) whenever the aggregator knew the in-use time.
 * The report reads these instead of weighting whole hours.
 */
export const IN_USE_MS = 'in_use.ms';
export const IN_USE_VALUE_MS = 'in_use.value_ms';
export const inUseKey = (checkId: string): string => `in_use:${checkId}`;
const inUseKeys = new Map<string, string>();
function inUseKeyOf(checkId: string): string {
  let k = inUseKeys.get(checkId);
  if (k === undefined) {
    k = inUseKey(checkId);
    inUseKeys.set(checkId, k);
  }
  return k;
}
const MINUTE_MS = 60_000;

export interface AggregatorOptions {
  /** whether `zone` is in use at `ts` (minute resolution); absent: no in-use keys are written */
  inUse?: (zone: string, ts: number) => boolean;
  /** how long a state quantity (lights, occupancy) holds without a new reading (default 24 h) */
  stateHoldMs?: number;
  /** whether a quantity is a state (the judgement's `isState`; default STATE_QUANTITIES) */
  isState?: (quantity: string) => boolean;
}

/**
 * Incremental hourly rollups (RollupRow), pure: feed readings in arrival
 * order, take rows when you want to write them. Each reading's value is
 * attributed from its timestamp until the series' next reading, capped at
 * the sensor's stale threshold; that time counts as covered, and as outside
 * a limit when the limit's check says so at the start of each hour piece.
 * A reading not newer than its series' newest (a duplicate or a late
 * arrival) is ignored and counted in `late` — rebuild those hours from raw
 * data to include it.
 */
export class HourlyAggregator {
  private readonly series = new Map<string, SeriesState>();
  late = 0;

  constructor(
    private readonly checks: readonly OutsideCheck[],
    private readonly staleAfterMs: (site: string, sensor: string) => number,
    private readonly opts: AggregatorOptions = {},
  ) {}

  /** Returns false when the reading was ignored as a duplicate or late. True when it also closed an hour is `closedHour`. */
  add(r: Reading): boolean {
    const st = this.state(r);
    const prev = st.last;
    if (prev && r.ts <= prev.ts) {
      this.late++;
      return false;
    }
    if (prev) this.attribute(st, prev.value, st.attributedTo, Math.min(r.ts, prev.ts + st.staleMs), true);
    const acc = this.acc(st, hourOf(r.ts));
    acc.count++;
    acc.sum += r.value;
    if (r.value < acc.min) acc.min = r.value;
    if (r.value > acc.max) acc.max = r.value;
    acc.last = r.value;
    acc.dirty = true;
    this.closedHour ||= prev !== undefined && hourOf(prev.ts) !== hourOf(r.ts);
    if (prev) {
      // updated in place: one object per series, not one per reading
      prev.ts = r.ts;
      prev.value = r.value;
    } else st.last = { ts: r.ts, value: r.value };
    st.attributedTo = Math.max(st.attributedTo, r.ts);
    return true;
  }

  /** set when an added reading started a new hour for its series (the caller flushes and clears it) */
  closedHour = false;

  /** How far a reading of this series can reach forward (its stale time, or the state hold): a late reading changes hours up to here. */
  reachMs(id: Pick<Reading, 'site' | 'sensor' | 'quantity'>): number {
    const stale = this.staleAfterMs(id.site, id.sensor);
    return this.isState(id.quantity) ? Math.max(stale, this.opts.stateHoldMs ?? STATE_HOLD_MS) : stale;
  }

  private isState(quantity: string): boolean {
    return this.opts.isState ? this.opts.isState(quantity) : STATE_QUANTITIES.has(quantity);
  }

  /** The earliest hour this aggregator still holds (and will write again) for a series; undefined when it has no state. */
  heldFrom(key: string): number | undefined {
    const st = this.series.get(key);
    if (!st?.last) return undefined;
    let min = hourOf(st.last.ts);
    for (const h of st.hours.keys()) min = Math.min(min, h);
    return min;
  }

  /** Replaces one series' state by `other`'s (a rebuild of that series from raw data, same checks and options). */
  adopt(other: HourlyAggregator, key: string): void {
    const st = other.series.get(key);
    if (st) this.series.set(key, st);
    else this.series.delete(key);
  }

  /**
   * Rows changed since the last call, as of `now` (the newest reading of
   * each series counts up to min(now, its stale limit)); hours that can no
   * longer change are forgotten afterwards. Rows with hour < `minHour` are
   * dropped (a rebuild's lead-in hour, which it saw only in part).
   */
  takeRows(now: number, minHour = Number.NEGATIVE_INFINITY): RollupRow[] {
    const out: RollupRow[] = [];
    for (const st of this.series.values()) {
      const open = new Map<number, { covered: number; outside: Record<string, number> }>();
      if (st.last) {
        const end = Math.min(now, st.last.ts + st.staleMs);
        if (end >= st.last.ts + st.staleMs) {
          this.attribute(st, st.last.value, st.attributedTo, end, true);
          st.attributedTo = Math.max(st.attributedTo, end);
        } else {
          this.attribute(st, st.last.value, st.attributedTo, end, false, open);
        }
      }
      for (const [hour, acc] of st.hours) {
        const extra = open.get(hour);
        if (!acc.dirty && !extra) continue;
        acc.dirty = false;
        if (hour < minHour) continue;
        // a state (lights on at 17:00, off at 03:00, reported on change) covers the hours between
        // its readings: those hours get a row with count 0 and the held value, so the time is not lost
        const heldOnly = acc.count === 0 && acc.held !== undefined && acc.coveredMs > 0;
        if (acc.count === 0 && !heldOnly) continue;
        const outside = { ...acc.outside };
        for (const [id, ms] of Object.entries(extra?.outside ?? {})) outside[id] = (outside[id] ?? 0) + ms;
        out.push({
          ...st.id,
          hour,
          count: acc.count,
          sum: acc.sum,
          min: heldOnly ? acc.held! : acc.min,
          max: heldOnly ? acc.held! : acc.max,
          last: heldOnly ? acc.held! : acc.last,
          coveredMs: acc.coveredMs + (extra?.covered ?? 0),
          outside,
        });
      }
      // An hour is final once the newest reading and its committed interval lie beyond it.
      for (const hour of st.hours.keys()) {
        const end = hour + HOUR_MS;
        if (st.last && end <= st.last.ts && end <= st.attributedTo) {
          st.hours.delete(hour);
          if (hour === st.accHour) st.accHour = Number.NaN;
        }
      }
    }
    return out;
  }

  private state(r: Reading): SeriesState {
    const key = seriesKey(r);
    let st = this.series.get(key);
    if (!st) {
      st = {
        id: { site: r.site, zone: r.zone, sensor: r.sensor, quantity: r.quantity },
        // a state (lights on) holds until the next change, bounded; a measurement only until it goes stale
        staleMs: this.reachMs(r),
        checks: this.checks.filter((c) => c.quantity === r.quantity),
        isState: this.isState(r.quantity),
        last: undefined,
        attributedTo: Number.NEGATIVE_INFINITY,
        hours: new Map(),
        useMinute: Number.NaN,
        used: false,
        accHour: Number.NaN,
        accOf: undefined,
      };
      this.series.set(key, st);
    }
    return st;
  }

  private acc(st: SeriesState, hour: number): Acc {
    if (hour === st.accHour) return st.accOf!;
    let a = st.hours.get(hour);
    if (!a) {
      a = {
        count: 0,
        sum: 0,
        min: Number.POSITIVE_INFINITY,
        max: Number.NEGATIVE_INFINITY,
        last: 0,
        coveredMs: 0,
        outside: Object.fromEntries([
          ...st.checks.map((c) => [c.id, 0]),
          ...(this.opts.inUse ? [[IN_USE_MS, 0]] : []),
        ]),
        dirty: false,
      };
      st.hours.set(hour, a);
    }
    st.accHour = hour;
    st.accOf = a;
    return a;
  }

  /** Attributes `value` over [from, to), hour by hour: into the accumulators (commit) or into `into` (provisional). */
  private attribute(
    st: SeriesState,
    value: number,
    from: number,
    to: number,
    commit: boolean,
    into?: Map<number, { covered: number; outside: Record<string, number> }>,
  ): void {
    const inUse = this.opts.inUse;
    for (let a = from; a < to; ) {
      const hour = hourOf(a);
      // with in-use time known, pieces end at minute boundaries, so a change at 08:30 is judged at 08:30, not at the hour
      const b = Math.min(to, hour + HOUR_MS, inUse ? Math.floor(a / MINUTE_MS) * MINUTE_MS + MINUTE_MS : to);
      const ms = b - a;
      let used = false;
      if (inUse) {
        const minute = Math.floor(a / MINUTE_MS);
        if (minute !== st.useMinute) {
          st.useMinute = minute;
          st.used = inUse(st.id.zone, a) === true;
        }
        used = st.used;
      }
      const target = commit ? this.acc(st, hour) : undefined;
      const p = commit ? undefined : (into?.get(hour) ?? { covered: 0, outside: {} });
      const outside = target?.outside ?? p?.outside;
      if (target) {
        target.coveredMs += ms;
        target.dirty = true;
        if (st.isState) target.held = value;
      } else if (p && into) {
        p.covered += ms;
        into.set(hour, p);
      }
      // (runs once per reading: no arrays or strings built here)
      if (outside) {
        for (const c of st.checks) {
          if (!c.outside(value, a, st.id.zone)) continue;
          outside[c.id] = (outside[c.id] ?? 0) + ms;
          if (used && !c.id.startsWith('eco.')) {
            const k = inUseKeyOf(c.id);
            outside[k] = (outside[k] ?? 0) + ms;
          }
        }
        if (used) {
          outside[IN_USE_MS] = (outside[IN_USE_MS] ?? 0) + ms;
          outside[IN_USE_VALUE_MS] = (outside[IN_USE_VALUE_MS] ?? 0) + value * ms;
        }
      }
      a = b;
    }
  }
}
