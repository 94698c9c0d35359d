import type { CompiledRule } from './compile.js';
import { type Severity, type Subject, severityRank } from './types.js';

/**
 * The per-(rule, subject) alert state machine, shared by every rule kind.
 * A rule kind only judges a value into a Code; this decides what that means
 * over time: pending period and "N readings in a row" before firing,
 * hysteresis (a band that neither fires nor clears), a clear hold before
 * resolving, severity escalation, and resolving when the rule stops applying.
 *
 * `step` is a deterministic function of (state, code, value, ts): it mutates
 * the state in place (the evaluator runs it for every reading, so it must
 * not allocate) and returns the transition, if any.
 */

/** the rule does not apply now (outside its hours, season or day) */
export const NA = 0;
/** the value breaks the limit */
export const BREAK = 1;
/** the value breaks the critical limit */
export const CRIT = 2;
/** between the fire and clear thresholds (hysteresis band), or not enough data */
export const BAND = 3;
/** the value is back inside the clear threshold */
export const CLEAR = 4;
export type Code = typeof NA | typeof BREAK | typeof CRIT | typeof BAND | typeof CLEAR;

export const OK = 0;
export const PENDING = 1;
export const FIRING = 2;

export type Transition = 'fired' | 'escalated' | 'resolved' | 'peak' | undefined;

export interface MachineState {
  subject: Subject;
  phase: typeof OK | typeof PENDING | typeof FIRING;
  /** start of the pending period (= start of the incident) */
  since: number;
  /** breaking readings in a row */
  count: number;
  firedAt: number;
  /** start of the clear hold, NaN when not clearing */
  clearSince: number;
  severity: Severity;
  /** worst value of the incident and how far beyond the limit it was */
  peak: number;
  peakBad: number;
  /** newest reading judged (value, ts); ts also de-duplicates repeated readings */
  lastValue: number;
  lastTs: number;
  reason: 'cleared' | 'window';
}

export function newState(subject: Subject, severity: Severity): MachineState {
  return {
    subject,
    phase: OK,
    since: Number.NaN,
    count: 0,
    firedAt: Number.NaN,
    clearSince: Number.NaN,
    severity,
    peak: Number.NaN,
    peakBad: Number.NEGATIVE_INFINITY,
    lastValue: Number.NaN,
    lastTs: Number.NEGATIVE_INFINITY,
    reason: 'cleared',
  };
}

/**
 * Advances the state by one judged value at ts. `isReading` is false for
 * timer ticks (re-judging the last value as time passes), which move the
 * clock but do not count as a reading in a row. `bad` is how far beyond the
 * limit the value is (larger = worse), used for the peak.
 */
export function step(
  s: MachineState,
  rule: CompiledRule,
  code: Code,
  value: number,
  bad: number,
  ts: number,
  isReading: boolean,
): Transition {
  if (code === NA) {
    const wasFiring = s.phase === FIRING;
    reset(s);
    if (!wasFiring) return undefined;
    s.reason = 'window';
    return 'resolved';
  }
  const breaking = code === BREAK || code === CRIT;
  if (s.phase === OK) {
    if (!breaking) return undefined;
    s.phase = PENDING;
    s.since = ts;
    // the value being judged is itself one reading in the row (also when a tick re-judges it)
    s.count = isReading ? 0 : 1;
    s.peak = value;
    s.peakBad = bad;
    s.severity = rule.severity;
  }
  if (s.phase === PENDING) {
    if (!breaking) {
      reset(s);
      return undefined;
    }
    if (isReading) s.count++;
    if (bad > s.peakBad) {
      s.peak = value;
      s.peakBad = bad;
    }
    if (ts - s.since < rule.forMs || s.count < rule.readings) return undefined;
    s.phase = FIRING;
    s.firedAt = ts;
    s.clearSince = Number.NaN;
    if (code === CRIT) s.severity = 'critical';
    return 'fired';
  }
  // FIRING
  let t: Transition;
  if (breaking) {
    s.clearSince = Number.NaN;
    if (bad > s.peakBad) {
      s.peak = value;
      s.peakBad = bad;
      t = 'peak';
    }
    if (code === CRIT && s.severity !== 'critical') {
      s.severity = 'critical';
      return 'escalated';
    }
  } else if (code === BAND) {
    s.clearSince = Number.NaN;
  } else {
    if (Number.isNaN(s.clearSince)) s.clearSince = ts;
    if (ts - s.clearSince >= rule.clearForMs) {
      reset(s);
      s.reason = 'cleared';
      return 'resolved';
    }
  }
  const esc = rule.escalate;
  if (
    esc &&
    Number.isNaN(s.clearSince) &&
    severityRank(s.severity) < severityRank(esc.to) &&
    ts - s.firedAt >= esc.afterMs
  ) {
    s.severity = esc.to;
    return 'escalated';
  }
  return t;
}

/** Puts a state back into FIRING after a restart (the alert was open in the store). */
export function seedFiring(
  s: MachineState,
  a: { since: number; firedAt: number; severity: Severity; peak: number; peakBad: number },
): void {
  s.phase = FIRING;
  s.since = a.since;
  s.firedAt = a.firedAt;
  s.severity = a.severity;
  s.peak = a.peak;
  s.peakBad = a.peakBad;
  s.clearSince = Number.NaN;
  s.count = 0;
}

function reset(s: MachineState): void {
  s.phase = OK;
  s.count = 0;
  s.clearSince = Number.NaN;
}
