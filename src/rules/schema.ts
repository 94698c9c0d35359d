import { z } from 'zod';
import { slug } from '../config/schema.js';
import { QUANTITY_NAMES, type Quantity } from '../core/quantities.js';
import { CATEGORIES, SEVERITIES } from './types.js';

/**
 * The rules file (`alerts.rulesFile`, default config/rules.yaml). One schema
 * gives the types, the defaults and the validation; docs/alerts.md documents
 * every key. Thresholds may be numbers or references into config `limits:`
 * (`limits.co2.max`), so the legal limits have one source of truth.
 */

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** `90s`, `10m`, `1.5h`, or a plain number of minutes → ms */
export const duration = z
  .union([
    z.number().min(0),
    z.string().regex(/^\d+(\.\d+)?\s*(s|m|min|h)$/, 'expected a duration like "30s", "10m" or "2h"'),
  ])
  .transform((v) => {
    if (typeof v === 'number') return Math.round(v * 60_000);
    const m = /^(\d+(?:\.\d+)?)\s*(s|m|min|h)$/.exec(v)!;
    return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
  });

/** A threshold: a number, `limits.<path>` (config `limits:`) or `zone.illuminanceTarget` (per zone). */
export const thresholdRef = z.union([
  z.number(),
  z
    .string()
    .regex(
      /^(limits\.[A-Za-z0-9_.]+|zone\.illuminanceTarget)$/,
      'expected a number, "limits.<key>" or "zone.illuminanceTarget"',
    ),
]);
export type ThresholdRef = z.infer<typeof thresholdRef>;

const month = z.number().int().min(1).max(12);

/** When a rule applies, in JST: opening hours, open/closed days (weekends, holidays, 年末年始), months. */
export const whenSchema = z.strictObject({
  /**
   * `open`: while the zone is in use (its hours on open days: opening hours, staff
   * hours or its own); `closed`: out of hours — not in use and no staff in
   * (hours.staff; including closed days); `any`.
   * Default: `open` for comfort rules (the law's standards are for rooms in use), else `any`.
   * A rule whose id is a limit of the judgement's table and that has no `when` is
   * judged when that limit is (e.g. `eco.lights_after_hours`).
   */
  hours: z.enum(['open', 'closed', 'any']).optional(),
  /** `open`: days the office opens; `closed`: weekends, national holidays, 29 Dec – 3 Jan */
  days: z.enum(['open', 'closed', 'any']).default('any'),
  /** JST months, or the configured season `cooling` / `heating` (limits.eco.*Months) */
  months: z.union([z.array(month).min(1), z.enum(['cooling', 'heating'])]).optional(),
});
export type When = z.infer<typeof whenSchema>;

const quantity = z.enum(QUANTITY_NAMES as [Quantity, ...Quantity[]]);
const i18n = z.strictObject({ ja: z.string().min(1), en: z.string().min(1) });

const common = {
  id: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'expected an id like "comfort.co2"'),
  enabled: z.boolean().default(true),
  category: z.enum(CATEGORIES),
  /** short label for messages (`冷やしすぎ`); the quantity name when absent */
  title: i18n.optional(),
  /** suggested action for staff, shown in notices and on the alert page (`換気をお願いします`); a default by quantity when absent */
  advice: i18n.optional(),
  severity: z.enum(SEVERITIES).default('warning'),
  /** raise severity after the alert has been firing this long */
  escalate: z.strictObject({ after: duration, to: z.enum(SEVERITIES).default('critical') }).optional(),
  when: whenSchema.prefault({}),
  /** only these zones / zone kinds (default: all) */
  zones: z.array(slug).optional(),
  zoneKinds: z.array(z.enum(['lobby', 'counter', 'waiting', 'office', 'other'])).optional(),
  /** pending period: the condition must hold this long before the alert fires */
  for: duration.optional(),
  /** and for at least this many readings in a row */
  readings: z.number().int().min(1).optional(),
  /** clear hold: the clear condition must hold this long before the alert resolves */
  clearFor: duration.optional(),
};

const thresholdRule = z.strictObject({
  ...common,
  kind: z.literal('threshold'),
  quantity,
  /** fires when value > above (≥ with inclusive) */
  above: thresholdRef.optional(),
  /** fires when value < below (≤ with inclusive) */
  below: thresholdRef.optional(),
  inclusive: z.boolean().default(false),
  /** hysteresis: clears only once the value is this far back inside the limit */
  clearMargin: z.number().min(0).default(0),
  /** value-based escalation: beyond these the alert is critical */
  critical: z.strictObject({ above: thresholdRef.optional(), below: thresholdRef.optional() }).optional(),
});

const dayAverageRule = z.strictObject({
  ...common,
  kind: z.literal('day_average'),
  quantity,
  /** fires when the zone's mean over the day's in-use time (judged once that time is over) is above this */
  above: thresholdRef,
  clearMargin: z.number().min(0).default(0),
  /** in-use readings needed in the day before the mean is judged (besides limits.co2.minDailyReadings) */
  minReadings: z.number().int().min(1).optional(),
});

const emptyZoneRule = z.strictObject({
  ...common,
  kind: z.literal('empty_zone'),
});

const offlineRule = z.strictObject({
  ...common,
  kind: z.literal('offline'),
});

const staleRule = z.strictObject({
  ...common,
  kind: z.literal('stale'),
  /**
   * Not allowed: when a sensor is stale is the one judgement's policy
   * (inventory.staleAfterIntervals × its intervalSeconds, by arrival), the
   * same for the wall, /api/latest and this rule — a rule of its own could disagree.
   */
  intervals: z
    .custom<never>(() => false, {
      message:
        'a stale rule takes no "intervals": the stale limit is the judgement\'s, set inventory.staleAfterIntervals in the config (one policy for the wall and the alerts)',
    })
    .optional(),
});

export const ruleSchema = z.preprocess(
  (v) =>
    v && typeof v === 'object' && !Array.isArray(v) && !('kind' in v) ? { ...v, kind: 'threshold' } : v,
  z.discriminatedUnion('kind', [thresholdRule, dayAverageRule, emptyZoneRule, staleRule, offlineRule]),
);
export type RuleConfig = z.infer<typeof ruleSchema>;
export type ThresholdRuleConfig = z.infer<typeof thresholdRule>;
export type DayAverageRuleConfig = z.infer<typeof dayAverageRule>;

export const rulesFileSchema = z.strictObject({
  /** defaults for rules that do not set their own */
  defaults: z
    .strictObject({
      for: duration.default(300_000),
      readings: z.number().int().min(1).default(1),
      clearFor: duration.default(300_000),
    })
    .prefault({}),
  rules: z.array(ruleSchema).default([]),
});
export type RulesFile = z.infer<typeof rulesFileSchema>;
