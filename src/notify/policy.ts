import type { Alert } from '../alerts/alert.js';
import type { QuietHoursConfig, RouteConfig } from '../alerts/config.js';
import type { Calendar } from '../core/calendar.js';
import { jstParts } from '../core/jst.js';
import { type Severity, severityRank } from '../rules/types.js';
import type { NoticeKind } from './notifier.js';

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
export function dueNotice(a: Alert, now: number, p: NotifyPolicy): NoticeKind | undefined {
  const allowed = severityRank(a.severity) >= severityRank(p.quietMinSeverity) || !p.isQuiet(now);
  if (a.state === 'resolved') {
    if (a.notifiedAt === undefined || a.resolvedNotified || !p.notifyResolved) return undefined;
    return allowed ? 'resolved' : undefined;
  }
  if (!allowed) return undefined;
  if (a.notifiedAt === undefined) return 'firing';
  if (a.notifiedSeverity !== undefined && severityRank(a.severity) > severityRank(a.notifiedSeverity))
    return 'escalated';
  if (a.state === 'firing' && p.repeatMs > 0 && now - a.notifiedAt >= p.repeatMs) return 'reminder';
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
