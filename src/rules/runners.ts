import { HOUR_MS, jstDayStart } from '../core/jst.js';
import type { DailyBucket, Judgement } from '../core/judgement.js';
import { type Reading, sensorKey } from '../core/reading.js';
import type { CompiledRule, Thresholds } from './compile.js';
import {
  BAND,
  BREAK,
  CLEAR,
  type Code,
  CRIT,
  FIRING,
  type MachineState,
  NA,
  newState,
  OK,
  seedFiring,
  step,
  type Transition,
} from './machine.js';
import type { RuleEvent, Severity, Subject } from './types.js';

/** What the engine needs from the inventory: a sensor's expected reporting interval. */
export type ExpectedInterval = (site: string, sensor: string) => number;

/** A sensor's availability as the ingest keeps it (ctx.latest.status): false = offline, undefined = unknown. */
export type Availability = (site: string, sensor: string) => boolean | undefined;

export interface SeedInfo {
  since: number;
  firedAt: number;
  severity: Severity;
  peak: number;
}

/** One rule's evaluator over all its subjects. */
export interface Runner {
  readonly rule: CompiledRule;
  onReading(r: Reading, key: string, now: number, out: RuleEvent[]): void;
  tick(now: number, out: RuleEvent[]): void;
  seed(subject: Subject, info: SeedInfo, now: number): void;
}

export function emit(
  out: RuleEvent[],
  rule: CompiledRule,
  s: MachineState,
  t: Transition,
  ts: number,
  value: number,
) {
  if (t === undefined) return;
  const ev: RuleEvent = {
    type: t,
    ruleId: rule.id,
    subject: s.subject,
    ts,
    severity: s.severity,
    value,
    peak: s.peak,
    since: s.since,
  };
  if (t === 'resolved') ev.reason = s.reason;
  out.push(ev);
}

/** above / below thresholds with hysteresis (clearMargin) and a critical level. */
export function thresholdCode(th: Thresholds, v: number, inclusive: boolean, margin: number): Code {
  let breaking = false;
  let clear = true;
  if (!Number.isNaN(th.above)) {
    if (inclusive ? v >= th.above : v > th.above) breaking = true;
    if (!(inclusive ? v < th.above - margin : v <= th.above - margin)) clear = false;
  }
  if (!Number.isNaN(th.below)) {
    if (inclusive ? v <= th.below : v < th.below) breaking = true;
    if (!(inclusive ? v > th.below + margin : v >= th.below + margin)) clear = false;
  }
  if (breaking) {
    const crit = inclusive ? v >= th.critAbove || v <= th.critBelow : v > th.critAbove || v < th.critBelow;
    return crit ? CRIT : BREAK;
  }
  return clear ? CLEAR : BAND;
}

/** How far beyond the limit (larger = worse); picks the peak. */
export function badness(th: Thresholds, v: number): number {
  const a = Number.isNaN(th.above) ? Number.NEGATIVE_INFINITY : v - th.above;
  const b = Number.isNaN(th.below) ? Number.NEGATIVE_INFINITY : th.below - v;
  return Math.max(a, b);
}

export function seriesSubject(r: Reading, key: string): Subject {
  return { key, site: r.site, zone: r.zone, sensor: r.sensor, quantity: r.quantity };
}

interface SeriesState extends MachineState {
  th: Thresholds;
  /** when the series' newest message arrived (server clock): liveness is judged on arrival */
  arrivedAt: number;
}

/** Judges every reading of one quantity against fixed thresholds, per series. */
export class ThresholdRunner implements Runner {
  readonly states = new Map<string, SeriesState>();
  constructor(
    readonly rule: CompiledRule,
    /** the one judgement: whether a sensor is still alive (by arrival) */
    private readonly j: Judgement = rule.judgement,
    private readonly online: Availability = () => undefined,
  ) {}

  protected state(subject: Subject): SeriesState {
    let s = this.states.get(subject.key);
    if (!s) {
      s = Object.assign(newState(subject, this.rule.severity), {
        th: this.rule.thresholds(subject.zone),
        arrivedAt: Number.NEGATIVE_INFINITY,
      });
      this.states.set(subject.key, s);
    }
    return s;
  }

  onReading(r: Reading, key: string, now: number, out: RuleEvent[]): void {
    if (this.rule.zoneOk && !this.rule.zoneOk(r.zone)) return;
    const s = this.states.get(key) ?? this.state(seriesSubject(r, key));
    if (now > s.arrivedAt) s.arrivedAt = now; // a late or repeated message still proves the sensor alive
    // same series + same ts = the same reading (a burst of repeats counts once); late readings are history
    if (r.ts <= s.lastTs) return;
    s.lastValue = r.value;
    s.lastTs = r.ts;
    this.judge(s, r.value, r.ts, true, out);
  }

  protected judge(s: SeriesState, v: number, ts: number, isReading: boolean, out: RuleEvent[]): void {
    const rule = this.rule;
    const code =
      rule.applies && !rule.applies(ts, s.subject.zone)
        ? NA
        : thresholdCode(s.th, v, rule.inclusive, rule.clearMargin);
    emit(out, rule, s, step(s, rule, code, v, badness(s.th, v), ts, isReading), ts, v);
  }

  tick(now: number, out: RuleEvent[]): void {
    for (const s of this.states.values()) {
      // an idle state only changes with a new reading, unless the rule's window can open
      if ((s.phase === OK && !this.rule.applies) || Number.isNaN(s.lastValue)) continue;
      const ts = Math.max(now, s.lastTs);
      const site = s.subject.site;
      const sensor = s.subject.sensor ?? '';
      if (this.j.freshness(site, sensor, s.arrivedAt, now, this.online(site, sensor)) !== 'fresh') {
        // a stale or offline sensor's last value decides nothing (the judgement's policy, by arrival, as the
        // wall); the stale/offline rules report it; leaving the window still resolves
        if (s.phase === FIRING && this.rule.applies && !this.rule.applies(ts, s.subject.zone)) {
          emit(out, this.rule, s, step(s, this.rule, NA, s.lastValue, 0, ts, false), ts, s.lastValue);
        }
        continue;
      }
      this.judge(s, s.lastValue, ts, false, out);
    }
  }

  seed(subject: Subject, info: SeedInfo, _now: number): void {
    const s = this.state(subject);
    seedFiring(s, { ...info, peakBad: badness(s.th, info.peak) });
  }
}

interface DayState extends MachineState {
  th: Thresholds;
  /** JST day (start) the hours belong to */
  day: number;
  /** readings of the day per sensor and hour (all of them; the judgement weights each hour by its in-use share) */
  hours: Map<string, DailyBucket>;
  /** the day whose final mean was judged */
  judged: number;
  /** each sensor's bucket of the hour it last reported in (hot path: the `sensor@hour` key is built once per hour) */
  current: Map<string, DailyBucket>;
  /** end of the in-use time of `endDay` (the judgement's, asked once per day) */
  endDay: number;
  end: number | undefined;
}

/**
 * The law's daily mean (Building Sanitation Act: CO2, CO, dust): per zone,
 * the mean of the day's readings taken while the zone is in use, as
 * Judgement.dailyMean computes it for the report too. It is judged once,
 * when the day's in-use time is over (so the alerts and the report agree
 * on which days were over); such an alert resolves at JST midnight.
 */
export class DayAverageRunner implements Runner {
  readonly states = new Map<string, DayState>();
  constructor(
    readonly rule: CompiledRule,
    private readonly j: Judgement,
  ) {}

  private state(site: string, zone: string): DayState {
    const key = `${site}/${zone}/${this.rule.quantity}:day`;
    let s = this.states.get(key);
    if (!s) {
      const subject: Subject = {
        key,
        site,
        zone,
        ...(this.rule.quantity ? { quantity: this.rule.quantity } : {}),
      };
      s = Object.assign(newState(subject, this.rule.severity), {
        th: this.rule.thresholds(zone),
        day: Number.NaN,
        hours: new Map(),
        judged: Number.NaN,
        current: new Map(),
        endDay: Number.NaN,
        end: undefined,
      });
      this.states.set(key, s);
    }
    return s;
  }

  /** the zone of the previous reading (consecutive readings mostly share it) */
  private last?: { site: string; zone: string; s: DayState };

  onReading(r: Reading, _key: string, now: number, out: RuleEvent[]): void {
    if (this.rule.zoneOk && !this.rule.zoneOk(r.zone)) return;
    const last = this.last;
    let s: DayState;
    if (last && last.zone === r.zone && last.site === r.site) s = last.s;
    else {
      s = this.state(r.site, r.zone);
      this.last = { site: r.site, zone: r.zone, s };
    }
    const day = jstDayStart(r.ts);
    if (!(day <= s.day)) this.rollDay(s, day, Math.max(r.ts, now), out);
    if (day < s.day) return; // a reading of a day already over
    this.add(s, r.sensor, Math.floor(r.ts / HOUR_MS) * HOUR_MS, r.value, 1, sensorKey(r));
    if (r.ts > s.lastTs) s.lastTs = r.ts;
    this.judge(s, Math.max(now, r.ts), out);
  }

  private add(
    s: DayState,
    sensor: string | undefined,
    hour: number,
    sum: number,
    count: number,
    /** the sensor's key (a reading's, whose hash is already computed: the hot path) */
    key = sensor ?? '',
  ): void {
    const cur = s.current.get(key);
    if (cur && cur.hour === hour) {
      cur.sum += sum;
      cur.count += count;
      return;
    }
    const hourKey = `${sensor ?? ''}@${hour}`;
    let b = s.hours.get(hourKey);
    if (b) {
      b.sum += sum;
      b.count += count;
    } else {
      b = { hour, sum, count, ...(sensor === undefined ? {} : { sensor }) };
      s.hours.set(hourKey, b);
    }
    s.current.set(key, b);
  }

  /** Restores one stored hour of a day (after a restart; from the store's hourly buckets, per series). */
  restoreHour(
    site: string,
    zone: string,
    day: number,
    hour: number,
    sum: number,
    count: number,
    sensor?: string,
  ): void {
    if (this.rule.zoneOk && !this.rule.zoneOk(zone)) return;
    const s = this.state(site, zone);
    if (!(day <= s.day)) {
      s.day = day;
      s.hours.clear();
      s.current.clear();
    }
    if (day === s.day) this.add(s, sensor, hour, sum, count);
  }

  private rollDay(s: DayState, day: number, ts: number, out: RuleEvent[]): void {
    if (s.phase !== OK)
      emit(out, this.rule, s, step(s, this.rule, NA, s.lastValue, 0, ts, false), ts, s.lastValue);
    // a zone in use until midnight (`inUse: always`): its day is judged as it rolls over (and resolves a day later)
    else if (!Number.isNaN(s.day) && s.judged !== s.day) this.judge(s, ts, out);
    s.day = day;
    s.hours.clear();
    s.current.clear();
  }

  /** The day's mean so far (in-use readings only), its weighted count, coverage and whether the day counts. */
  mean(s: DayState): ReturnType<Judgement['dailyMean']> {
    return this.j.dailyMean(s.subject.zone, s.hours.values());
  }

  private judge(s: DayState, now: number, out: RuleEvent[]): void {
    if (s.judged === s.day || s.phase !== OK) return;
    if (s.endDay !== s.day) {
      s.endDay = s.day;
      s.end = this.j.inUseEnd(s.subject.zone, s.day);
    }
    const end = s.end;
    if (end === undefined || now < end) return; // the day's in-use time is not over yet
    s.judged = s.day;
    const { mean, n, judged } = this.mean(s);
    // the judgement's one rule for whether the day counts (the report reads the same `judged`)
    if (!judged || mean === undefined || n < this.rule.minReadings) return;
    s.lastValue = mean;
    if (thresholdCode(s.th, mean, false, 0) !== BREAK) return;
    s.phase = FIRING;
    s.since = end;
    s.firedAt = now;
    s.clearSince = Number.NaN;
    s.severity = this.rule.severity;
    s.peak = mean;
    s.peakBad = badness(s.th, mean);
    emit(out, this.rule, s, 'fired', now, mean);
  }

  tick(now: number, out: RuleEvent[]): void {
    const today = jstDayStart(now);
    for (const s of this.states.values()) {
      if (today > s.day) this.rollDay(s, today, now, out);
      else this.judge(s, now, out);
    }
  }

  seed(subject: Subject, info: SeedInfo, now: number): void {
    const s = this.state(subject.site, subject.zone);
    // the incident belongs to the day it fired on: the next tick resolves it when that day is over
    if (Number.isNaN(s.day)) s.day = jstDayStart(Math.min(info.firedAt, now));
    s.judged = s.day;
    seedFiring(s, { ...info, peakBad: badness(s.th, info.peak) });
  }
}
