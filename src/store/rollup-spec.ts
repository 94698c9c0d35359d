import type { Config } from '../config/schema.js';
import { Judgement } from '../core/judgement.js';
import { limitChecks } from '../core/limits.js';
import type { Inventory } from '../inventory/inventory.js';
import { type AggregatorOptions, HourlyAggregator, type OutsideCheck } from './rollup.js';

/**
 * What an hourly rollup computes for this configuration: the limit checks,
 * each sensor's stale time, and the aggregator options (state hold, in-use
 * time). The live rollups, late-reading re-aggregation, `kaiteki rollups
 * rebuild` and `kaiteki import` all build their aggregators from this one
 * place, so a rebuilt hour is the same row the live service would write.
 */
export interface RollupSpec {
  checks: readonly OutsideCheck[];
  staleAfterMs: (site: string, sensor: string) => number;
  options?: AggregatorOptions;
}

export function rollupSpec(
  config: Config,
  inventory: Pick<Inventory, 'staleAfterMs' | 'get'>,
  judgement: Judgement = new Judgement(config, inventory),
): RollupSpec {
  return {
    checks: limitChecks(config, judgement),
    staleAfterMs: (site, sensor) =>
      inventory.staleAfterMs(site, sensor, config.inventory.defaultIntervalSeconds),
    // minute-exact in-use keys for the report, and states (lights) held until the next change (H16)
    options: {
      inUse: (zone, ts) => judgement.inUse(zone, ts),
      stateHoldMs: (config.report.stateHoldHours ?? 24) * 3_600_000,
    },
  };
}

export function newAggregator(spec: RollupSpec): HourlyAggregator {
  return new HourlyAggregator(spec.checks, spec.staleAfterMs, spec.options);
}
