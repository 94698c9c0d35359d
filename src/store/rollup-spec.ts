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
  inventory: Pick<Inventory, 'get'>,
  judgement: Judgement = new Judgement(config, inventory),
): RollupSpec {
  return {
    checks: limitChecks(config, judgement),
    // every span is the one judgement's: stale time, which quantities are states and how long they hold
    staleAfterMs: (site, sensor) => judgement.staleAfterMs(site, sensor),
    // minute-exact in-use keys for the report, and states (lights) held until the next change (H16)
    options: {
      inUse: (zone, ts) => judgement.inUse(zone, ts),
      stateHoldMs: judgement.stateHoldMs,
      isState: (quantity) => judgement.isState(quantity),
    },
  };
}

export function newAggregator(spec: RollupSpec): HourlyAggregator {
  return new HourlyAggregator(spec.checks, spec.staleAfterMs, spec.options);
}
