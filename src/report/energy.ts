import type { RollupRow } from '../store/store.js';

/** kWh consumed in one rollup hour of one meter or power series. */
export interface EnergyDelta {
  hour: number;
  kwh: number;
  /** ms of the hour the series had data for (its coverage) */
  coveredMs: number;
}

/**
 * Hourly consumption of one series, rows in time order.
 *
 * Meter (`energy`, kWh, monotonic): an hour's consumption is its last
 * reading minus the last reading of the series' previous hour with data, so
 * nothing is lost at an hour, day or month boundary (a gap's consumption
 * lands in the first hour after it). With no earlier hour, or when the meter
 * went backwards (replaced or reset), it is last − min of the hour itself.
 *
 * Power (`W`): mean power × covered time; uncovered time counts nothing
 * (the completeness figures show it).
 */
export function energyDeltas(meter: boolean, rows: readonly RollupRow[]): EnergyDelta[] {
  const out: EnergyDelta[] = [];
  let prevLast: number | undefined;
  for (const r of rows) {
    if (r.count <= 0) continue;
    if (meter) {
      const fromPrev = prevLast === undefined ? Number.NaN : r.last - prevLast;
      const kwh = fromPrev >= 0 ? fromPrev : Math.max(0, r.last - r.min);
      out.push({ hour: r.hour, kwh, coveredMs: r.coveredMs });
      prevLast = r.last;
    } else {
      out.push({
        hour: r.hour,
        kwh: ((r.sum / r.count) * r.coveredMs) / 3_600_000 / 1000,
        coveredMs: r.coveredMs,
      });
    }
  }
  return out;
}
