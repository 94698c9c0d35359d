import { z } from 'zod';
import { readYamlObject, zodIssues } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Calendar } from '../core/calendar.js';
import { ConfigError, type ConfigIssue } from '../core/errors.js';
import { DAY_MS, jstDayStart, jstParts } from '../core/jst.js';
import { Judgement } from '../core/judgement.js';
import type { Quantity } from '../core/quantities.js';
import { type RuleConfig, ruleSchema, rulesFileSchema, type ThresholdRef, type When } from './schema.js';
import type { Category, Severity } from './types.js';

/** Thresholds of one rule in one zone (NaN = none). */
export interface Thresholds {
  above: number;
  below: number;
  critAbove: number;
  critBelow: number;
}

/** A validated rule with every reference resolved; what the evaluator runs. */
export interface CompiledRule {
  id: string;
  kind: RuleConfig['kind'];
  category: Category;
  severity: Severity;
  title?: { ja: string; en: string };
  /** suggested action for staff (notices, alert page) */
  advice?: { ja: string; en: string };
  quantity?: Quantity;
  forMs: number;
  readings: number;
  clearForMs: number;
  escalate?: { afterMs: number; to: Severity };
  inclusive: boolean;
  clearMargin: number;
  minReadings: number;
  /** the judgement's stale multiple (inventory.staleAfterIntervals; no rule has its own), for messages */
  intervals: number;
  /** time window in JST for a zone (in use, days, months: the judgement's calendar); undefined = always */
  applies?: (ts: number, zone: string) => boolean;
  /** zone filter; undefined = every zone */
  zoneOk?: (zone: string) => boolean;
  /** the judgement the rule was compiled with (in-use time, the law's daily mean) */
  judgement: Judgement;
  /** thresholds for a zone (cached; unknown zones get the defaults) */
  thresholds(zone: string): Thresholds;
}

/** Reads and compiles the rules file; every problem at once as a ConfigError (`file: rules[2].above: …`). */
export function loadRules(
  file: string,
  config: Config,
  calendar: Calendar | Judgement,
  /** ignored: the stale multiple is the judgement's (kept so callers compile) */
  _staleAfterIntervals?: number,
): CompiledRule[] {
  return compileRules(readYamlObject(file, true), file, config, calendar);
}

export function compileRules(
  raw: unknown,
  file: string,
  config: Config,
  calendar: Calendar | Judgement,
  /** ignored: the stale multiple is the judgement's (kept so callers compile) */
  _staleAfterIntervals?: number,
): CompiledRule[] {
  const j = calendar instanceof Judgement ? calendar : new Judgement(config);
  // The file's shape first, then each rule on its own, so every problem of every rule is reported at once.
  const parsed = rulesFileSchema.extend({ rules: z.array(z.unknown()).default([]) }).safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(zodIssues(parsed.error, raw, file));
  const { defaults } = parsed.data;
  const issues: ConfigIssue[] = [];
  const rules: RuleConfig[] = [];
  // a rule is named by its id (`rules[comfort.co2]`), by its index when the id is missing or repeated
  const ids = parsed.data.rules.map((item) => (item as { id?: unknown } | null)?.id);
  const nameOf = (i: number) => {
    const id = ids[i];
    return typeof id === 'string' && id && ids.indexOf(id) === ids.lastIndexOf(id)
      ? `rules[${id}]`
      : `rules[${i}]`;
  };
  const index = new Map<RuleConfig, number>();
  parsed.data.rules.forEach((item, i) => {
    const r = ruleSchema.safeParse(item);
    if (r.success) {
      rules.push(r.data);
      index.set(r.data, i);
      return;
    }
    const name = nameOf(i);
    for (const x of zodIssues(r.error, item, file))
      issues.push({ ...x, path: x.path ? `${name}${x.path.startsWith('[') ? '' : '.'}${x.path}` : name });
  });
  const seen = new Set<string>();
  const out: CompiledRule[] = [];
  const zoneKind = new Map(config.zones.map((z) => [z.id, z.kind]));
  const zoneTarget = new Map(config.zones.map((z) => [z.id, z.illuminanceTarget]));
  rules.forEach((r) => {
    const at = (key: string) => `${nameOf(index.get(r) ?? 0)}${key ? `.${key}` : ''}`;
    if (seen.has(r.id)) issues.push({ file, path: at('id'), message: `duplicate rule id "${r.id}"` });
    seen.add(r.id);
    if (r.zones && zoneKind.size > 0)
      r.zones.forEach((z, k) => {
        if (!zoneKind.has(z))
          issues.push({
            file,
            path: at(`zones[${k}]`),
            message: `expected one of the configured zones (${[...zoneKind.keys()].join(', ')}), got "${z}"`,
          });
      });
    if (!r.enabled) return;
    const resolve = (ref: ThresholdRef | undefined, key: string, zone?: string): number => {
      if (ref === undefined) return Number.NaN;
      if (typeof ref === 'number') return ref;
      if (ref === 'zone.illuminanceTarget') {
        return (
          (zone === undefined ? undefined : zoneTarget.get(zone)) ?? config.limits.illuminance.defaultTarget
        );
      }
      const v = getPath(config.limits, ref.split('.').slice(1));
      if (typeof v !== 'number') {
        issues.push({
          file,
          path: at(key),
          message: `"${ref}" is not a number in config limits, got ${JSON.stringify(v)}`,
        });
        return Number.NaN;
      }
      return v;
    };
    const th = (zone?: string): Thresholds => ({
      above: resolve(r.kind === 'threshold' || r.kind === 'day_average' ? r.above : undefined, 'above', zone),
      below: resolve(r.kind === 'threshold' ? r.below : undefined, 'below', zone),
      critAbove: resolve(r.kind === 'threshold' ? r.critical?.above : undefined, 'critical.above', zone),
      critBelow: resolve(r.kind === 'threshold' ? r.critical?.below : undefined, 'critical.below', zone),
    });
    if (r.kind === 'threshold' && r.above === undefined && r.below === undefined) {
      issues.push({ file, path: at(''), message: 'a threshold rule needs "above" and/or "below"' });
    }
    const fallback = th();
    const perZone = new Map(config.zones.map((z) => [z.id, th(z.id)]));
    const zones = r.zones ? new Set(r.zones) : undefined;
    const kinds = r.zoneKinds ? new Set<string>(r.zoneKinds) : undefined;
    const isStateful = r.kind === 'empty_zone' || r.kind === 'stale' || r.kind === 'offline';
    out.push({
      id: r.id,
      kind: r.kind,
      category: r.category,
      severity: r.severity,
      ...(r.title ? { title: r.title } : {}),
      ...(r.advice ? { advice: r.advice } : {}),
      ...(r.kind === 'threshold' || r.kind === 'day_average' ? { quantity: r.quantity } : {}),
      forMs: r.for ?? (r.kind === 'stale' ? 0 : defaults.for),
      readings: r.readings ?? (isStateful ? 1 : defaults.readings),
      clearForMs: r.clearFor ?? (r.kind === 'stale' ? 0 : defaults.clearFor),
      ...(r.escalate ? { escalate: { afterMs: r.escalate.after, to: r.escalate.to } } : {}),
      inclusive: r.kind === 'threshold' ? r.inclusive : false,
      clearMargin: r.kind === 'threshold' || r.kind === 'day_average' ? r.clearMargin : 0,
      minReadings: r.kind === 'day_average' ? (r.minReadings ?? 1) : 1,
      intervals: j.staleAfterIntervals,
      ...(r.kind === 'day_average' ? {} : ruleWindow(r, parsed.data.rules[index.get(r) ?? -1], j, config)),
      ...(zones || kinds
        ? {
            zoneOk: (z: string) =>
              (!zones || zones.has(z)) && (!kinds || kinds.has(zoneKind.get(z) ?? 'other')),
          }
        : {}),
      judgement: j,
      thresholds: (zone) => perZone.get(zone) ?? fallback,
    });
  });
  if (issues.length > 0) {
    const unique = new Map(issues.map((x) => [`${x.path}\u0000${x.message}`, x]));
    throw new ConfigError([...unique.values()]);
  }
  return out;
}

/**
 * A rule's window. A rule named after a row of the judgement's limits table
 * (`eco.lights_after_hours`, `comfort.co2` …) that writes no `when` of its own
 * is judged exactly when that row is (`Judgement.applies`), so the alert, the
 * wall and the report agree; an explicit `when` is read by windowOf.
 */
function ruleWindow(
  r: RuleConfig,
  raw: unknown,
  j: Judgement,
  config: Config,
): { applies?: (ts: number, zone: string) => boolean } {
  const row = r.kind === 'threshold' ? j.limit(r.id) : undefined;
  const written = raw !== null && typeof raw === 'object' && (raw as { when?: unknown }).when !== undefined;
  if (row && !written) {
    if (row.when === 'always') return {};
    return { applies: (ts, zone) => j.applies(row, zone, ts) };
  }
  return windowOf(r.when, j, config, r.category);
}

/**
 * The JST applicability window of a rule as one predicate (undefined when it
 * always applies). `hours: open` is "the zone is in use" as the judgement
 * says (comfort rules default to it); `hours: closed` is out of hours as the
 * judgement says: not in use and no staff in (`Judgement.outOfHours`).
 */
export function windowOf(
  when: When,
  j: Judgement,
  config: Config,
  category?: Category,
): { applies?: (ts: number, zone: string) => boolean } {
  const tests: ((ts: number, zone: string) => boolean)[] = [];
  const hours = when.hours ?? (category === 'comfort' ? 'open' : 'any');
  if (hours === 'open') tests.push((ts, zone) => j.inUse(zone, ts));
  if (hours === 'closed') tests.push((ts, zone) => j.outOfHours(zone, ts));
  if (when.days === 'open') tests.push((ts) => !j.isClosedDay(ts));
  if (when.days === 'closed') tests.push((ts) => j.isClosedDay(ts));
  if (when.months) {
    const list =
      when.months === 'cooling'
        ? config.limits.eco.coolingMonths
        : when.months === 'heating'
          ? config.limits.eco.heatingMonths
          : when.months;
    const months = new Set(list);
    const monthOf = monthCache();
    tests.push((ts) => months.has(monthOf(ts)));
  }
  if (tests.length === 0) return {};
  return { applies: (ts, zone) => tests.every((t) => t(ts, zone)) };
}

/** JST month of ts, cached per JST day (called for every reading). */
function monthCache(): (ts: number) => number {
  let start = Number.NaN;
  let month = 0;
  return (ts) => {
    if (!(ts >= start && ts < start + DAY_MS)) {
      start = jstDayStart(ts);
      month = jstParts(start).month;
    }
    return month;
  };
}

function getPath(obj: unknown, path: string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, p)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}
