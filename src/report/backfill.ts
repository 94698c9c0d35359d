import type { Config } from '../config/schema.js';
import { fiscalYearRange, HOUR_MS } from '../core/jst.js';
import { Judgement } from '../core/judgement.js';
import { type LimitCheck, limitChecks } from '../core/limits.js';
import type { Quantity } from '../core/quantities.js';
import { SimModel, type SimSensor, sampleRange } from '../sim/model.js';
import { hashUnit, strHash } from '../sim/rng.js';
import { IN_USE_MS, IN_USE_VALUE_MS, inUseKey } from '../store/rollup.js';
import type { RollupRow, TimeSeriesStore } from '../store/store.js';
import type { InUseFn } from './inuse.js';
import type { ExpectedSensor } from './types.js';

/** A sensor to backfill: where it is, what it measures, how often it reports. */
export interface BackfillSensor extends ExpectedSensor {
  quantities: readonly Quantity[];
}

export interface BackfillOptions {
  config: Config;
  sensors: readonly BackfillSensor[];
  fy: number;
  seed?: number;
  /** model sample step; each sample stands for its step of the hour (default 10 min) */
  stepMs?: number;
  onProgress?: (done: number, total: number) => void;
  /** whether a zone is in use; default the one judgement's (`Judgement.inUse`, each zone's own hours) */
  inUse?: InUseFn;
}

/** Chance that a sensor loses an hour, and the longest outage (days) a sensor has once a year. */
const HOUR_GAP = 0.002;
const MAX_OUTAGE_DAYS = 21;

/**
 * Loads a synthetic fiscal year of hourly ROLLUPS (not raw readings — a year
 * takes seconds) for the given sensors into the store, from the demo
 * simulator's model (src/sim/model.ts: occupancy-driven CO2, seasonal
 * temperature with HVAC, lights now and then left on at night, queues peaking
 * mid-morning, at lunch, on Mondays and at month-end, a meter that only goes
 * up). Limits are judged per sample with the same LimitCheck definitions the
 * rollups use. Each sensor also gets one outage of 1–21 days and some lost
 * hours, so the completeness sheet has something to show. Deterministic for
 * (config, sensors, fy, seed). Returns the number of rows written.
 */
export async function backfillYear(store: TimeSeriesStore, opts: BackfillOptions): Promise<number> {
  const { config, fy } = opts;
  const seed = opts.seed ?? 1;
  const step = opts.stepMs ?? 10 * 60_000;
  const model = SimModel.fromConfig(config, seed);
  const judgement = new Judgement(config);
  const checks = limitChecks(config, judgement);
  const inUse = opts.inUse ?? ((zone: string, ts: number) => judgement.inUse(zone, ts));
  const { from, to } = fiscalYearRange(fy);
  const hours = (to - from) / HOUR_MS;
  let written = 0;
  for (const [i, s] of opts.sensors.entries()) {
    const rows = sensorRows(model, checks, inUse, s, from, to, step, seed);
    await store.writeRollups(rows);
    written += rows.length;
    opts.onProgress?.((i + 1) * hours, opts.sensors.length * hours);
  }
  return written;
}

function sensorRows(
  model: SimModel,
  checks: readonly LimitCheck[],
  inUse: InUseFn,
  s: BackfillSensor,
  from: number,
  to: number,
  step: number,
  seed: number,
): RollupRow[] {
  const sim: SimSensor = { id: s.id, zone: s.zone, quantities: [...s.quantities] };
  const key = strHash(`${s.site}/${s.id}`);
  const outageStart = from + Math.floor(hashUnit(seed, key, 1) * 360) * 24 * HOUR_MS;
  const outageEnd =
    outageStart + Math.round((1 + hashUnit(seed, key, 2) * (MAX_OUTAGE_DAYS - 1)) * 24) * HOUR_MS;
  const perHour = Math.round(3600 / s.intervalSeconds);
  const byQuantity = new Map(s.quantities.map((q) => [q, checks.filter((c) => c.quantity === q)]));
  const rows: RollupRow[] = [];
  let hour = Number.NaN;
  let acc = new Map<
    Quantity,
    {
      n: number;
      sum: number;
      min: number;
      max: number;
      last: number;
      first: number;
      outside: Record<string, number>;
    }
  >();
  const flush = () => {
    if (Number.isNaN(hour)) return;
    const lost = (hour >= outageStart && hour < outageEnd) || hashUnit(seed, key, hour / HOUR_MS) < HOUR_GAP;
    if (!lost) {
      for (const [q, a] of acc) {
        rows.push({
          site: s.site,
          zone: s.zone,
          sensor: s.id,
          quantity: q,
          hour,
          count: perHour,
          sum: (a.sum / a.n) * perHour,
          min: q === 'energy' ? a.first : a.min,
          max: a.max,
          last: a.last,
          coveredMs: HOUR_MS,
          outside: a.outside,
        });
      }
    }
    acc = new Map();
  };
  for (const sample of sampleRange(model, sim, from, to, step)) {
    const h = sample.ts - (sample.ts % HOUR_MS);
    if (h !== hour) {
      flush();
      hour = h;
    }
    for (const q of s.quantities) {
      const v = sample.values[q];
      if (v === undefined) continue;
      let a = acc.get(q);
      if (!a) {
        // in-use keys as the live rollups write them (src/store/rollup.ts), so the report is minute-exact here too
        a = { n: 0, sum: 0, min: v, max: v, last: v, first: v, outside: { [IN_USE_MS]: 0 } };
        acc.set(q, a);
      }
      a.n++;
      a.sum += v;
      a.min = Math.min(a.min, v);
      a.max = Math.max(a.max, v);
      a.last = v;
      const used = inUse(s.zone, sample.ts);
      if (used) {
        a.outside[IN_USE_MS] = (a.outside[IN_USE_MS] ?? 0) + step;
        a.outside[IN_USE_VALUE_MS] = (a.outside[IN_USE_VALUE_MS] ?? 0) + v * step;
      }
      for (const c of byQuantity.get(q) ?? []) {
        if (!c.outside(v, sample.ts, s.zone)) continue;
        a.outside[c.id] = (a.outside[c.id] ?? 0) + step;
        if (used && !c.id.startsWith('eco.'))
          a.outside[inUseKey(c.id)] = (a.outside[inUseKey(c.id)] ?? 0) + step;
      }
    }
  }
  flush();
  return rows;
}
