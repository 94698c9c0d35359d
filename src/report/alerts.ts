import { jstParts } from '../core/jst.js';
import type { PeriodHours } from './period.js';
import type { AlertFact, AlertGroup } from './types.js';

const CATEGORY_ORDER = ['comfort', 'protection', 'eco', 'service', 'sensor', 'system'];
const SEVERITY_ORDER = ['critical', 'warning', 'info'];

/**
 * Alert counts per month (of opening, JST) and for the span, by category and
 * severity. Mean time to acknowledge / resolve are over the alerts that were
 * acknowledged / resolved; alerts still open do not pull the mean down.
 */
export function summariseAlerts(alerts: readonly AlertFact[], period: PeriodHours): AlertSummary {
  const months: Map<string, Acc>[] = Array.from({ length: 12 }, () => new Map());
  const year = new Map<string, Acc>();
  for (const a of alerts) {
    if (a.openedAt < period.from || a.openedAt >= period.to) continue;
    const p = jstParts(a.openedAt);
    const m = (p.month + 8) % 12;
    add(months[m]!, a);
    add(year, a);
  }
  return { months: months.map(finish), year: finish(year) };
}

export interface AlertSummary {
  months: AlertGroup[][];
  year: AlertGroup[];
}

interface Acc {
  category: string;
  severity: string;
  count: number;
  acked: number;
  ackMs: number;
  resolved: number;
  resolveMs: number;
}

function add(map: Map<string, Acc>, a: AlertFact): void {
  const key = `${a.category}\u0000${a.severity}`;
  let g = map.get(key);
  if (!g) {
    g = {
      category: a.category,
      severity: a.severity,
      count: 0,
      acked: 0,
      ackMs: 0,
      resolved: 0,
      resolveMs: 0,
    };
    map.set(key, g);
  }
  g.count++;
  if (a.ackedAt !== undefined && a.ackedAt >= a.openedAt) {
    g.acked++;
    g.ackMs += a.ackedAt - a.openedAt;
  }
  if (a.resolvedAt !== undefined && a.resolvedAt >= a.openedAt) {
    g.resolved++;
    g.resolveMs += a.resolvedAt - a.openedAt;
  }
}

function rank(order: string[], v: string): number {
  const i = order.indexOf(v);
  return i < 0 ? order.length : i;
}

function finish(map: Map<string, Acc>): AlertGroup[] {
  return [...map.values()]
    .sort(
      (a, b) =>
        rank(CATEGORY_ORDER, a.category) - rank(CATEGORY_ORDER, b.category) ||
        a.category.localeCompare(b.category) ||
        rank(SEVERITY_ORDER, a.severity) - rank(SEVERITY_ORDER, b.severity) ||
        a.severity.localeCompare(b.severity),
    )
    .map((g) => ({
      category: g.category,
      severity: g.severity,
      count: g.count,
      acked: g.acked,
      resolved: g.resolved,
      meanAckMinutes: g.acked > 0 ? g.ackMs / g.acked / 60_000 : null,
      meanResolveMinutes: g.resolved > 0 ? g.resolveMs / g.resolved / 60_000 : null,
    }));
}
