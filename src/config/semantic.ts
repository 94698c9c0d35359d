import type { ConfigIssue } from '../core/errors.js';
import type { Config } from './schema.js';

/**
 * Checks of meaning that a schema cannot express: every range min < max,
 * opening before closing, bands ascending, building-protection limits outside
 * the comfort range, unique zone ids. All problems at once, in the config's
 * `file: key: expected …, got …` form.
 */
export function semanticIssues(c: Omit<Config, 'secrets' | 'source'>, file: string): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const issue = (path: string, message: string) => out.push({ file, path, message });
  const range = (path: string, min: number, max: number) => {
    if (!(min < max)) issue(path, `expected min < max, got min ${min}, max ${max}`);
  };
  const hours = (path: string, open: string, close: string) => {
    if (!(open < close)) issue(path, `expected open before close, got open "${open}", close "${close}"`);
  };
  const bands = (path: string, b: { yellowFrom: number; redFrom: number }) => {
    if (!(b.yellowFrom < b.redFrom))
      issue(path, `expected yellowFrom < redFrom, got yellowFrom ${b.yellowFrom}, redFrom ${b.redFrom}`);
  };
  const L = c.limits;
  range('limits.temperature', L.temperature.min, L.temperature.max);
  range('limits.humidity', L.humidity.min, L.humidity.max);
  range('limits.protection.temperature', L.protection.temperature.min, L.protection.temperature.max);
  if (L.protection.temperature.min >= L.temperature.min)
    issue(
      'limits.protection.temperature.min',
      `expected below the comfort minimum limits.temperature.min (${L.temperature.min}), got ${L.protection.temperature.min}`,
    );
  if (L.protection.temperature.max <= L.temperature.max)
    issue(
      'limits.protection.temperature.max',
      `expected above the comfort maximum limits.temperature.max (${L.temperature.max}), got ${L.protection.temperature.max}`,
    );
  if (L.protection.humidity.max <= L.humidity.max)
    issue(
      'limits.protection.humidity.max',
      `expected above the comfort maximum limits.humidity.max (${L.humidity.max}), got ${L.protection.humidity.max}`,
    );
  bands('limits.wait', L.wait);
  bands('limits.queue', L.queue);
  const overlap = L.eco.coolingMonths.filter((m) => L.eco.heatingMonths.includes(m));
  if (overlap.length > 0)
    issue('limits.eco', `expected cooling and heating months apart, got both in ${overlap.join(', ')}`);
  hours('hours', c.hours.open, c.hours.close);
  hours('hours.staff', c.hours.staff.open, c.hours.staff.close);
  for (const e of c.hours.extra) {
    hours(`hours.extra[${e.date}]`, e.open, e.close);
    if (Number.isNaN(Date.parse(`${e.date}T00:00:00Z`)))
      issue(`hours.extra[${e.date}].date`, `expected a real date YYYY-MM-DD, got "${e.date}"`);
  }
  const seen = new Set<string>();
  for (const z of c.zones) {
    if (seen.has(z.id)) issue(`zones[${z.id}]`, `expected unique zone ids, got "${z.id}" twice`);
    seen.add(z.id);
    if (typeof z.inUse === 'object') hours(`zones[${z.id}].inUse`, z.inUse.open, z.inUse.close);
  }
  return out;
}
