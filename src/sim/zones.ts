import type { ZoneConfig } from '../config/schema.js';
import { hash, hashUnit, strHash } from './rng.js';

/** Per-zone constants derived once from its config and the seed. */
export interface ZoneProfile {
  zone: ZoneConfig;
  key: number;
  /** demand curve shared by zones of one department (`kumin-counter` and `kumin-waiting`) */
  deptKey: number;
  weight: number;
  /** people at a typical mid-morning peak */
  visitors: number;
  staff: number;
  /** ppm of CO2 equilibrium per person (room volume, ventilation) */
  co2PerPerson: number;
  /** max interior daylight, lx */
  daylight: number;
  coolOffset: number;
  heatOffset: number;
  /** minutes per waiting person (counter windows) */
  minutesPerPerson: number;
}

/** Known departments of the sample site: 区民課 (resident registration) is the busiest. */
const DEPT_WEIGHT: Record<string, number> = { kumin: 1.4, hoken: 1.0 };

/** A zone's simulation constants from its kind (lobby, counter, waiting, office, other), id and the seed. */
export function zoneProfile(zone: ZoneConfig, seed: number): ZoneProfile {
  const key = hash(seed, strHash(zone.id));
  const dept =
    zone.kind === 'lobby' || zone.kind === 'office' ? zone.kind : (zone.id.split('-')[0] ?? zone.id);
  const base = {
    zone,
    key,
    deptKey: hash(seed, strHash(`dept:${dept}`)),
    weight: DEPT_WEIGHT[dept] ?? 1,
  };
  const offsets = { coolOffset: -0.8 + 1.4 * hashUnit(key, 1), heatOffset: -0.9 + 1.6 * hashUnit(key, 2) };
  switch (zone.kind) {
    case 'lobby':
      return {
        ...base,
        ...offsets,
        visitors: 30,
        staff: 2,
        co2PerPerson: 10,
        daylight: 300,
        minutesPerPerson: 1.5,
      };
    case 'counter':
      return {
        ...base,
        ...offsets,
        visitors: 6,
        staff: 8,
        co2PerPerson: 28,
        daylight: 40,
        minutesPerPerson: 1.6,
      };
    case 'waiting':
      return {
        ...base,
        ...offsets,
        visitors: 30,
        staff: 0,
        co2PerPerson: 12,
        daylight: 80,
        minutesPerPerson: 1.6,
      };
    case 'office':
      return {
        ...base,
        ...offsets,
        visitors: 0,
        staff: 30,
        co2PerPerson: 14,
        daylight: 150,
        minutesPerPerson: 2,
      };
    default:
      return {
        ...base,
        ...offsets,
        visitors: 10,
        staff: 2,
        co2PerPerson: 20,
        daylight: 60,
        minutesPerPerson: 2,
      };
  }
}
