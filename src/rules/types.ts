import type { Quantity } from '../core/quantities.js';

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** `protection`: building protection (frost, overheating, damp), judged at every hour */
export const CATEGORIES = ['comfort', 'protection', 'eco', 'service', 'sensor'] as const;
export type Category = (typeof CATEGORIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** What an alert is about: one series, one zone or one sensor. */
export interface Subject {
  /** stable key: `site/zone/sensor/quantity` (series), `site/zone` (zone) or `site/zone/sensor` (sensor) */
  key: string;
  site: string;
  zone: string;
  sensor?: string;
  quantity?: Quantity;
}

/** A transition decided by the evaluator; the alert book turns these into alert records. */
export interface RuleEvent {
  type: 'fired' | 'escalated' | 'resolved' | 'peak';
  ruleId: string;
  subject: Subject;
  /** when the transition happened (reading ts or tick time), epoch ms */
  ts: number;
  severity: Severity;
  /** value that decided it (for stale rules: minutes without a reading) */
  value: number;
  /** worst value of the incident so far */
  peak: number;
  /** since when the condition held (start of the pending period) */
  since: number;
  /** why a resolve happened: the value cleared, or the rule stopped applying (hours, season, day) */
  reason?: 'cleared' | 'window';
}
