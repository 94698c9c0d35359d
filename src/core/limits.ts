import type { Config } from '../config/schema.js';
import type { Calendar } from './calendar.js';
import { jstParts } from './jst.js';
import type { Quantity } from './quantities.js';

/**
 * One limit a reading can be outside of: a Building Sanitation Act range,
 * a JIS illuminance target, or an eco-policy setpoint. Rollups count the time
 * each series spends outside each applicable limit; the report and the
 * default rules read the same definitions (config `limits:`).
 */
export interface LimitCheck {
  /** stable id used in rollups and reports: `comfort.temperature`, `eco.overcooling`, … */
  id: string;
  category: 'comfort' | 'eco' | 'service';
  quantity: Quantity;
  /** true when this limit applies at ts in zone (opening hours, season …) and value breaks it */
  outside(value: number, ts: number, zone: string): boolean;
  /** true when the limit applies at ts at all (so "time within" can be computed) */
  applies(ts: number, zone: string): boolean;
}

export function limitChecks(config: Config, calendar: Calendar): LimitCheck[] {
  const L = config.limits;
  const always = () => true;
  const openHours = (ts: number) => calendar.isOpen(ts);
  const closed = (ts: number) => !calendar.isOpen(ts);
  const targets = new Map(config.zones.map((z) => [z.id, z.illuminanceTarget]));
  const inMonths = (months: readonly number[]) => (ts: number) => months.includes(jstParts(ts).month);
  const cooling = inMonths(L.eco.coolingMonths);
  const heating = inMonths(L.eco.heatingMonths);
  const check = (
    id: string,
    category: LimitCheck['category'],
    quantity: Quantity,
    applies: (ts: number, zone: string) => boolean,
    broken: (v: number, zone: string) => boolean,
  ): LimitCheck => ({
    id,
    category,
    quantity,
    applies,
    outside: (v, ts, zone) => applies(ts, zone) && broken(v, zone),
  });
  return [
    check(
      'comfort.temperature',
      'comfort',
      'temperature',
      always,
      (v) => v < L.temperature.min || v > L.temperature.max,
    ),
    check('comfort.humidity', 'comfort', 'humidity', always, (v) => v < L.humidity.min || v > L.humidity.max),
    check('comfort.co2', 'comfort', 'co2', always, (v) => v > L.co2.max),
    check(
      'comfort.illuminance',
      'comfort',
      'illuminance',
      openHours,
      (v, zone) => v < (targets.get(zone) ?? L.illuminance.defaultTarget),
    ),
    check(
      'eco.overcooling',
      'eco',
      'temperature',
      (ts) => openHours(ts) && cooling(ts),
      (v) => v < L.eco.overcoolBelow,
    ),
    check(
      'eco.overheating',
      'eco',
      'temperature',
      (ts) => openHours(ts) && heating(ts),
      (v) => v > L.eco.overheatAbove,
    ),
    check(
      'eco.lights_after_hours',
      'eco',
      'lights',
      (ts) => closed(ts) && !calendar.isClosedDay(ts),
      (v) => v >= 0.5,
    ),
    check(
      'eco.lights_closed_day',
      'eco',
      'lights',
      (ts) => calendar.isClosedDay(ts),
      (v) => v >= 0.5,
    ),
    check(
      'service.wait_band_yellow',
      'service',
      'wait_minutes',
      always,
      (v) => v >= L.wait.yellowFrom && v < L.wait.redFrom,
    ),
    check('service.wait_band_red', 'service', 'wait_minutes', always, (v) => v >= L.wait.redFrom),
  ];
}
