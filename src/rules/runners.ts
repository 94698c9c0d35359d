import { jstDayStart } from '../core/jst.js';
import type { Reading } from '../core/reading.js';
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
  staleMs: number;
}

/** Judges every reading of one quantity against fixed thresholds, per series. */
export class ThresholdRunner implements Runner {
  readonly states = new Map<string, SeriesState>();
  constructor(
    readonly rule: CompiledRule,
    private readonly staleMs: ExpectedInterval,
  ) {}

  protected state(subject: Subject): SeriesState {
    let s = this.states.get(subject.key);
    if (!s) {
      s = Object.assign(newState(subject, this.rule.severity), {
        th: this.rule.thresholds(subject.zone),
        staleMs: this.staleMs(subject.site, subject.sensor ?? ''),
      });
      this.states.set(subject.key, s);
    }
    return s;
  }

  onReading(r: Reading, key: string, _now: number, out: RuleEvent[]): void {
    if (this.rule.zoneOk && !this.rule.zoneOk(r.zone)) return;
    const s = this.states.get(key) ?? this.state(seriesSubject(r, key));
    // same series + same ts = the same reading (a burst of repeats counts once); late readings are history
    if (r.ts <= s.lastTs) return;
    s.lastValue = r.value;
    s.lastTs = r.ts;
    this.judge(s, r.value, r.ts, true, out);
  }

  protected judge(s: SeriesState, v: number, ts: number, isReading: boolean, out: RuleEvent[]): void {
    const rule = this.rule;
    const code =
      rule.applies && !rule.applies(ts) ? NA : thresholdCode(s.th, v, rule.inclusive, rule.clearMargin);
    emit(out, rule, s, step(s, rule, code, v, badness(s.th, v), ts, isReading), ts, v);
  }

  tick(now: number, out: RuleEvent[]): void {
    for (const s of this.states.values()) {
      // an idle state only changes with a new reading, unless the rule's window can open
      if ((s.phase === OK && !this.rule.applies) || Number.isNaN(s.lastValue)) continue;
      const ts = Math.max(now, s.lastTs);
      if (now - s.lastTs > s.staleMs) {
        // a dead sensor's last value decides nothing (the stale rule reports it); leaving the window still resolves
        if (s.phase === FIRING && this.rule.applies && !this.rule.applies(ts)) {
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

interface DayState extends SeriesState {
  day: number;
  sum: number;
  n: number;
}

/**
 * The running mean of a series over the JST day (how the Building Sanitation
 * Act judges CO2). The mean resets at JST midnight, which also resolves an
 * alert of the day before.
 */
export class DayAverageRunner implements Runner {
  readonly states = new Map<string, DayState>();
  constructor(
    readonly rule: CompiledRule,
    private readonly staleMs: ExpectedInterval,
  ) {}

  private state(subject: Subject): DayState {
    let s = this.states.get(subject.key);
    if (!s) {
      s = Object.assign(newState(subject, this.rule.severity), {
        th: this.rule.thresholds(subject.zone),
        staleMs: this.staleMs(subject.site, subject.sensor ?? ''),
        day: Number.NaN,
        sum: 0,
        n: 0,
      });
      this.states.set(subject.key, s);
    }
    return s;
  }

  onReading(r: Reading, key: string, _now: number, out: RuleEvent[]): void {
    if (this.rule.zoneOk && !this.rule.zoneOk(r.zone)) return;
    const s = this.states.get(key) ?? this.state(seriesSubject(r, key));
    if (r.ts <= s.lastTs) return;
    const day = jstDayStart(r.ts);
    if (day !== s.day) this.rollDay(s, day, r.ts, out);
    s.sum += r.value;
    s.n++;
    s.lastTs = r.ts;
    s.lastValue = s.sum / s.n;
    this.judge(s, s.lastValue, r.ts, true, out);
  }

  /** Restores a day's sums after a restart (from the store's hourly buckets). */
  restore(subject: Subject, day: number, sum: number, n: number, lastTs: number): void {
    const s = this.state(subject);
    if (s.day === day && s.n >= n) return;
    s.day = day;
    s.sum = sum;
    s.n = n;
    s.lastTs = lastTs;
    s.lastValue = n > 0 ? sum / n : Number.NaN;
  }

  private rollDay(s: DayState, day: number, ts: number, out: RuleEvent[]): void {
    if (s.phase !== OK)
      emit(out, this.rule, s, step(s, this.rule, NA, s.lastValue, 0, ts, false), ts, s.lastValue);
    s.day = day;
    s.sum = 0;
    s.n = 0;
    s.lastValue = Number.NaN;
  }

  private judge(s: DayState, mean: number, ts: number, isReading: boolean, out: RuleEvent[]): void {
    const rule = this.rule;
    let code: Code;
    if (rule.applies && !rule.applies(ts)) code = NA;
    else if (s.n < rule.minReadings) code = BAND;
    else code = thresholdCode(s.th, mean, false, rule.clearMargin);
    emit(out, rule, s, step(s, rule, code, mean, badness(s.th, mean), ts, isReading), ts, mean);
  }

  tick(now: number, out: RuleEvent[]): void {
    const today = jstDayStart(now);
    for (const s of this.states.values()) {
      if (today > s.day) {
        this.rollDay(s, today, now, out);
        continue;
      }
      if (s.phase === OK || s.n === 0 || now - s.lastTs > s.staleMs) continue;
      this.judge(s, s.lastValue, Math.max(now, s.lastTs), false, out);
    }
  }

  seed(subject: Subject, info: SeedInfo, now: number): void {
    const s = this.state(subject);
    // the incident belongs to the day it fired on: the next tick resolves it when that day is over
    if (Number.isNaN(s.day)) s.day = jstDayStart(Math.min(info.firedAt, now));
    seedFiring(s, { ...info, peakBad: badness(s.th, info.peak) });
  }
}
