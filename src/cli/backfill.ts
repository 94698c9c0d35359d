import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { loadInventory } from '../inventory/inventory.js';
import { backfillYear } from '../report/backfill.js';
import { openStore, UsageError } from '../report/cli-support.js';
import { progressBar } from '../report/progress.js';

interface BackfillOptions {
  fy: string;
  years: string;
  seed: string;
  config?: string;
  quiet?: boolean;
}

/**
 * `kaiteki backfill --fy 2025 [--years 2]`: loads synthetic fiscal years of
 * hourly rollups for the inventory's sensors into the store, so a newcomer can
 * see a full report (`kaiteki report --fy 2025`). Not for production stores.
 */
export function registerBackfillCommand(program: Command): Command {
  return program
    .command('backfill')
    .description('load a synthetic fiscal year of hourly rollups (demo data) for the inventory sensors')
    .requiredOption('--fy <year>', 'fiscal year to fill, e.g. 2025')
    .option('--years <n>', 'also fill the n−1 years before it (for the year-on-year energy change)', '1')
    .option('--seed <n>', 'model seed (same seed, same data)', '1')
    .option('--config <file>', 'configuration file (default: KAITEKI_CONFIG or config/default.yaml)')
    .option('--quiet', 'no progress output')
    .action(async (opts: BackfillOptions) => {
      try {
        const rows = await runBackfill(opts);
        console.log(`${rows} rollup rows written`);
      } catch (err) {
        console.error(`kaiteki backfill: ${errorMessage(err)}`);
        process.exitCode = err instanceof ConfigError || err instanceof UsageError ? 2 : 1;
      }
    });
}

export async function runBackfill(
  opts: BackfillOptions,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const fy = Number(opts.fy);
  const years = Number(opts.years);
  const seed = Number(opts.seed);
  if (!Number.isInteger(fy) || fy < 2000 || fy > 2100)
    throw new UsageError(`--fy must be a year like 2025, got ${opts.fy}`);
  if (!Number.isInteger(years) || years < 1 || years > 10)
    throw new UsageError(`--years must be 1–10, got ${opts.years}`);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${opts.seed}`);
  const config = loadConfig(env, opts.config ?? env.KAITEKI_CONFIG);
  const sensors = loadInventory(config)
    .sensors.filter((s) => s.site === config.site.id)
    .map((s) => ({
      site: s.site,
      zone: s.zone,
      id: s.id,
      intervalSeconds: s.intervalSeconds,
      quantities: s.quantities,
    }));
  if (sensors.length === 0)
    throw new UsageError('the inventory has no sensors for this site: nothing to backfill');
  const { store, close } = await openStore(config);
  let total = 0;
  try {
    for (let y = fy - years + 1; y <= fy; y++) {
      const bar = opts.quiet ? undefined : progressBar(`backfill FY${y}`, 1);
      total += await backfillYear(store, {
        config,
        sensors,
        fy: y,
        seed,
        onProgress: (d, t) => bar?.update(d, t),
      });
      bar?.done();
    }
  } finally {
    await close();
  }
  return total;
}
