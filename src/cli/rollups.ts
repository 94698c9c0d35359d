import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { type Clock, systemClock } from '../core/clock.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { isQuantity } from '../core/quantities.js';
import { importTimestamp } from '../import/rows.js';
import { loadInventory } from '../inventory/inventory.js';
import { openStore, UsageError } from '../report/cli-support.js';
import { progressBar } from '../report/progress.js';
import { type RebuildResult, rebuildRange } from '../store/rollup-rebuild.js';
import { rollupSpec } from '../store/rollup-spec.js';
import type { SeriesFilter } from '../store/store.js';

export interface RebuildCliOptions {
  from: string;
  to: string;
  site?: string;
  zone?: string;
  sensor?: string;
  quantity?: string;
  config?: string;
  quiet?: boolean;
}

/** `kaiteki rollups rebuild --from … --to …`: hourly rollups again from the stored raw readings. */
export function registerRollupsCommand(program: Command): Command {
  const rollups = program.command('rollups').description('hourly rollups (what the report reads)');
  rollups
    .command('rebuild')
    .description('re-aggregate the hourly rollups of a time range from the stored raw readings')
    .requiredOption(
      '--from <time>',
      'start, e.g. 2025-04-01 or 2025-04-01T09:00 (JST unless an offset is given)',
    )
    .requiredOption('--to <time>', 'end (exclusive), same forms')
    .option('--site <id>', 'only this site')
    .option('--zone <id>', 'only this zone')
    .option('--sensor <id>', 'only this sensor')
    .option('--quantity <name>', 'only this quantity')
    .option('--config <file>', 'configuration file (default: KAITEKI_CONFIG or config/default.yaml)')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      `
Hours with raw readings are rewritten; hours without (raw data past its retention,
synthetic backfill) keep their rollups. Safe while the service runs: it computes
the same rows. A running service already re-aggregates late and imported readings
by itself; use this after restoring raw data, changing limits, or to repair.`,
    )
    .action(async (opts: RebuildCliOptions) => {
      try {
        const res = await runRollupsRebuild(opts);
        console.log(`${res.rows} rollup rows rebuilt from ${res.readings} readings`);
      } catch (err) {
        console.error(`kaiteki rollups rebuild: ${errorMessage(err)}`);
        process.exitCode = err instanceof ConfigError || err instanceof UsageError ? 2 : 1;
      }
    });
  return rollups;
}

export async function runRollupsRebuild(
  opts: RebuildCliOptions,
  env: Record<string, string | undefined> = process.env,
  clock: Clock = systemClock,
): Promise<RebuildResult> {
  const from = importTimestamp(opts.from);
  const to = importTimestamp(opts.to);
  if (typeof from !== 'number') throw new UsageError(`--from: ${from.detail}`);
  if (typeof to !== 'number') throw new UsageError(`--to: ${to.detail}`);
  if (to <= from) throw new UsageError('--to must be after --from');
  if (opts.quantity !== undefined && !isQuantity(opts.quantity))
    throw new UsageError(`--quantity: unknown quantity "${opts.quantity}"`);
  const filter: SeriesFilter = {
    ...(opts.site ? { site: opts.site } : {}),
    ...(opts.zone ? { zone: opts.zone } : {}),
    ...(opts.sensor ? { sensor: opts.sensor } : {}),
    ...(opts.quantity && isQuantity(opts.quantity) ? { quantity: opts.quantity } : {}),
  };
  const config = loadConfig(env, opts.config ?? env.KAITEKI_CONFIG);
  const spec = rollupSpec(config, loadInventory(config));
  const { store, close } = await openStore(config);
  const bar = opts.quiet ? undefined : progressBar('rollups rebuild', 1);
  try {
    const res = await rebuildRange(
      { store, source: (q) => store.raw({ ...q, limit: 5_000_000 }), spec },
      { from, to, filter },
      { now: clock.now(), onProgress: (d, t) => bar?.update(d, t) },
    );
    bar?.done();
    return res;
  } finally {
    await close();
  }
}
