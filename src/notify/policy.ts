import type { Alert } from '../alerts/alert.js';
import type { QuietHoursConfig, RouteConfig } from '../alerts/config.js';
import type { Calendar } from '../core/calendar.js';
import { jstParts } from '../core/jst.js';
import { type Severity, severityRank } from '../rules/types.js';
import type { AlertNoticeKind } from './notifier.js';

/** When to notify: quiet hours (JST), reminders, resolved notices. */
export interface NotifyPolicy {
  /** true while only `quietMinSeverity` and worse may notify */
  isQuiet(ts: number): boolean;
  quietMinSeverity: Severity;
  /** 0 = no reminders */
  repeatMs: number;
  notifyResolved: boolean;
}

export function quietHours(cfg: QuietHoursConfig, calendar: Calendar): (ts: number) => boolean {
  if (!cfg.enabled) return () => false;
  const from = minutes(cfg.from);
  const to = minutes(cfg.to);
  return (ts) => {
    if (cfg.closedDays && calendar.isClosedDay(ts)) return true;
    const m = jstParts(ts).minuteOfDay;
    return from <= to ? m >= from && m < to : m >= from || m < to;
  };
}

/**
 * The notice due for an alert at `now`, if any. Pure. Deferred notices are
 * not lost: an alert that fired in quiet hours, or whose reminder fell in
 * them, is announced at the first check after quiet hours end (while still
 * firing); a resolved notice is sent only for an alert whose firing was
 * announced.
 */
export function dueNotice(a: Alert, now: number, p: NotifyPolicy): AlertNoticeKind | undefined {
  const kind = wantedNotice(a, now, p);
  return kind !== undefined && allowedNow(a, now, p) ? kind : undefined;
}

/** False while quiet hours hold this alert's notices (its severity is below the quiet minimum). */
export function allowedNow(a: Pick<Alert, 'severity'>, now: number, p: NotifyPolicy): boolean {
  return severityRank(a.severity) >= severityRank(p.quietMinSeverity) || !p.isQuiet(now);
}

/** The first minute at or after `now` outside quiet hours (for "held until 07:30"); looks up to 14 days ahead. */
export function quietEnd(isQuiet: (ts: number) => boolean, now: number): number {
  const step = 60_000;
  let t = Math.ceil(now / step) * step;
  for (let i = 0; i < 14 * 1440 && isQuiet(t); i++) t += step;
  return t;
}

/** The notice an alert wants at `now`, quiet hours aside. Pure. */
export function wantedNotice(a: Alert, now: number, p: NotifyPolicy): AlertNoticeKind | undefined {
  if (a.state === 'resolved') {
    if (a.notifiedAt === undefined || a.resolvedNotified || !p.notifyResolved) return undefined;
    return 'resolved';
  }
  if (a.notifiedAt === undefined) return 'firing';
  if (a.notifiedSeverity !== undefined && severityRank(a.severity) > severityRank(a.notifiedSeverity))
    return 'escalated';
  // a calibration need lasts until the next official measurement (weeks): no hourly reminders
  if (a.state === 'firing' && a.kind !== 'calibration' && p.repeatMs > 0 && now - a.notifiedAt >= p.repeatMs)
    return 'reminder';
  return undefined;
}

/** Channels an alert goes to: every matching route's (all channels when there are no routes); the log always. */
export function routeChannels(
  a: Pick<Alert, 'category' | 'severity' | 'zone'>,
  routes: readonly RouteConfig[],
  all: readonly string[],
): string[] {
  if (routes.length === 0) return [...all];
  const out = new Set<string>(['log']);
  for (const r of routes) {
    if (r.categories && !r.categories.includes(a.category)) continue;
    if (severityRank(a.severity) < severityRank(r.minSeverity)) continue;
    if (r.zones && !r.zones.includes(a.zone)) continue;
    for (const c of r.channels) out.add(c);
  }
  return [...out];
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}
