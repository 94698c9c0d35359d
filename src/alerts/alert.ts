import type { Quantity } from '../core/quantities.js';
import { adviceFor, isLow } from '../notify/advice.js';
import type { RuleConfig } from '../rules/schema.js';
import type { Category, Severity } from '../rules/types.js';
import type { SilenceJson } from './silences.js';

/**
 * `threshold`, `day_average`, `empty_zone`, `stale`, `offline` … as the rules
 * file names them, and `calibration` (raised from the official measurement,
 * not by a rule: see ./calibration.ts)
 */
export type RuleKind = RuleConfig['kind'] | 'calibration';

export type AlertState = 'firing' | 'acknowledged' | 'resolved';

/** The limit an alert was judged against, captured when it fired (for messages and the API). */
export interface AlertLimit {
  above?: number;
  below?: number;
  /** `above` is ≥ rather than > (wait bands) */
  inclusive?: boolean;
  /** stale rules: allowed silence */
  staleMs?: number;
}

/**
 * One incident of one rule on one subject (series, zone or sensor):
 * firing → acknowledged → resolved, or firing → resolved. At most one alert
 * per (rule, subject) is open at a time, also across restarts (the store
 * enforces it with a unique index).
 */
export interface Alert {
  id: number;
  ruleId: string;
  kind: RuleKind;
  category: Category;
  severity: Severity;
  state: AlertState;
  /** subject key (`site/zone/sensor/quantity`, `site/zone` or `site/zone/sensor`) */
  subject: string;
  site: string;
  zone: string;
  sensor?: string;
  quantity?: Quantity;
  title?: { ja: string; en: string };
  /** suggested action from the rule (`advice:`); notices fall back to a default per quantity */
  advice?: { ja: string; en: string };
  /** when the condition started (start of the pending period), epoch ms */
  openedAt: number;
  firedAt: number;
  ackedAt?: number;
  ackedBy?: string;
  /** optional note given with the acknowledgement */
  ackComment?: string;
  resolvedAt?: number;
  resolveReason?: 'cleared' | 'window' | 'rule_removed';
  /** newest value judged and the worst one of the incident */
  value: number;
  peak: number;
  limit: AlertLimit;
  /** notification bookkeeping: last notice sent, severity it announced, notices sent, resolved notice sent */
  notifiedAt?: number;
  notifiedSeverity?: Severity;
  notifyCount: number;
  resolvedNotified: boolean;
  /** a notice is due but held by quiet hours: when it will go out (epoch ms); cleared once sent */
  heldUntil?: number;
  /** calibration alerts: the official measurement the sensor was compared with (value = sensor − official) */
  calibration?: { official: number; sensorValue: number; measuredAt: number };
}

/** Filter for listing alerts; `active` = firing or acknowledged. */
export interface AlertFilter {
  state?: AlertState | 'active';
  zone?: string;
  category?: Category;
  /** only these alerts */
  ids?: number[];
  /** newest first, at most this many (default 200) */
  limit?: number;
}

/** One alert as the report sees it (fiscal-year eco report). */
export interface AlertHistoryRow {
  id: number;
  ruleId: string;
  category: Category;
  severity: Severity;
  zone: string;
  openedAt: number;
  ackedAt?: number;
  resolvedAt?: number;
}

/** Alerts opened in [from, to) (epoch ms), oldest first. */
export type AlertHistory = (from: number, to: number) => AlertHistoryRow[];

/** How long an alert has lasted (until resolved, or until now). */
export function durationMs(a: Alert, now: number): number {
  return (a.resolvedAt ?? now) - a.openedAt;
}

/** JSON for the API and the bus: ISO timestamps (UTC), duration in ms. */
export function alertJson(a: Alert, now: number, zoneName?: { ja: string; en: string }) {
  const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
  return {
    id: a.id,
    rule: a.ruleId,
    kind: a.kind,
    category: a.category,
    severity: a.severity,
    state: a.state,
    site: a.site,
    zone: a.zone,
    zoneName: zoneName ?? null,
    sensor: a.sensor ?? null,
    quantity: a.quantity ?? null,
    title: a.title ?? null,
    /** what staff should do: the rule's `advice`, else the default for the quantity */
    advice: adviceFor(a) ?? null,
    value: a.value,
    /** the worst value of the incident: the highest, or the lowest when `low` (a below-limit alert) */
    peak: a.peak,
    low: isLow(a),
    limit: a.limit,
    openedAt: iso(a.openedAt),
    firedAt: iso(a.firedAt),
    acknowledgedAt: iso(a.ackedAt),
    acknowledgedBy: a.ackedBy ?? null,
    acknowledgeComment: a.ackComment ?? null,
    /** a notice held by quiet hours goes out at this time */
    heldUntil: iso(a.heldUntil),
    notified: a.notifiedAt !== undefined,
    resolvedAt: iso(a.resolvedAt),
    resolveReason: a.resolveReason ?? null,
    durationMs: durationMs(a, now),
    /** calibration alerts: the official value, the sensor's, and when the official measurement was taken */
    calibration: a.calibration
      ? {
          official: a.calibration.official,
          sensorValue: a.calibration.sensorValue,
          measuredAt: iso(a.calibration.measuredAt),
        }
      : null,
  };
}
/** As the API shows it; `silence` is set on an open alert while a silence covers it. */
export type AlertJson = ReturnType<typeof alertJson> & { silence?: SilenceJson };
