import type { Config } from '../config/schema.js';
import type { Quantity } from './quantities.js';

/**
 * The limits table of the one judgement (src/core/judgement.ts): every limit a
 * reading can break, when it is judged and its bounds per zone — comfort
 * (Building Sanitation Act, JIS targets) while in use, building protection at
 * all hours, eco by season and hours, counter bands. Built from config
 * `limits:` only.
 */

export type LimitCategory = 'comfort' | 'protection' | 'eco' | 'service';

/** One row of the limits table. */
export interface LimitDef {
  /** stable id used by rollups, reports and status reasons: `comfort.temperature`, `protection.temperature` … */
  id: string;
  category: LimitCategory;
  quantity: Quantity;
  /** when it is judged: while the zone is in use, out of use on an open day, on a closed day, or always */
  when: 'inUse' | 'afterHours' | 'closedDay' | 'always' | 'cooling' | 'heating';
  /** broken below min / above max (per zone; NaN = no bound) */
  min(zone: string): number;
  max(zone: string): number;
  /** inclusive bounds (≥ / ≤ break), as the wait bands "40 or more" */
  inclusive: boolean;
  /** a band: broken only while the value is also below this (yellow stops where red starts) */
  below?: (zone: string) => number;
}

/** A broken limit, as status reasons and rule messages name it. */
export interface Breach {
  limit: string;
  category: LimitCategory;
  quantity: Quantity;
  value: number;
  /** the bound broken: `min` (value below) or `max` (value above) */
  bound: 'min' | 'max';
  /** the bound's value */
  threshold: number;
  /** `out` breaks the limit; `caution` is within the caution margin inside a comfort limit */
  level: 'out' | 'caution';
}

/** A zone's effective limits (for the wall's chart lines and the API). */
export interface ZoneLimits {
  inUse: { open: string; close: string };
  temperature: { min: number; max: number };
  humidity: { min: number; max: number };
  co2: { max: number };
  illuminance: { min: number };
  protection: { temperature: { min: number; max: number }; humidity: { max: number } };
  caution: { temperature: number; humidity: number; co2: number; illuminance: number };
  wait: { yellowFrom: number; redFrom: number };
  queue: { yellowFrom: number; redFrom: number };
}

export function buildTable(config: Config, targetOf: (zone: string) => number | undefined): LimitDef[] {
  const L = config.limits;
  const NaN_ = () => Number.NaN;
  const k = (n: number) => () => n;
  const def = (
    id: string,
    category: LimitCategory,
    quantity: Quantity,
    when: LimitDef['when'],
    min: (zone: string) => number,
    max: (zone: string) => number,
    inclusive = false,
    below?: (zone: string) => number,
  ): LimitDef => ({ id, category, quantity, when, min, max, inclusive, ...(below ? { below } : {}) });
  return [
    def('comfort.temperature', 'comfort', 'temperature', 'inUse', k(L.temperature.min), k(L.temperature.max)),
    def('comfort.humidity', 'comfort', 'humidity', 'inUse', k(L.humidity.min), k(L.humidity.max)),
    def('comfort.co2', 'comfort', 'co2', 'inUse', NaN_, k(L.co2.max)),
    def(
      'comfort.illuminance',
      'comfort',
      'illuminance',
      'inUse',
      (zone) => targetOf(zone) ?? L.illuminance.defaultTarget,
      NaN_,
    ),
    def(
      'protection.temperature',
      'protection',
      'temperature',
      'always',
      k(L.protection.temperature.min),
      k(L.protection.temperature.max),
    ),
    def('protection.humidity', 'protection', 'humidity', 'always', NaN_, k(L.protection.humidity.max)),
    def('eco.overcooling', 'eco', 'temperature', 'cooling', k(L.eco.overcoolBelow), NaN_),
    def('eco.overheating', 'eco', 'temperature', 'heating', NaN_, k(L.eco.overheatAbove)),
    def('eco.lights_after_hours', 'eco', 'lights', 'afterHours', NaN_, k(0)),
    def('eco.lights_closed_day', 'eco', 'lights', 'closedDay', NaN_, k(0)),
    def(
      'service.wait_band_yellow',
      'service',
      'wait_minutes',
      'inUse',
      NaN_,
      k(L.wait.yellowFrom),
      true,
      k(L.wait.redFrom),
    ),
    def('service.wait_band_red', 'service', 'wait_minutes', 'inUse', NaN_, k(L.wait.redFrom), true),
  ];
}
