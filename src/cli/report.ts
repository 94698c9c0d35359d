import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { readAlertHistory } from '../alerts/index.js';
import { loadConfig } from '../config/load.js';
import { type Clock, systemClock } from '../core/clock.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { fiscalYearOf, jstMidnight } from '../core/jst.js';
import { loadInventory } from '../inventory/inventory.js';
import { openStore, UsageError } from '../report/cli-support.js';
import { REPORT_FORMATS, type ReportFormat } from '../report/config.js';
import { generateReport, renderReport, reportEnd, reportFileNames, sensorsOf } from '../report/generate.js';
import { progressBar } from '../report/progress.js';
import { registerBackfillCommand } from './backfill.js';

interface ReportOptions {
  fy?: string;
  format: string;
  out?: string;
  to?: string;
  config?: string;
  quiet?: boolean;
}

/** `kaiteki report` and `kaiteki backfill`. */
export function registerReportCommands(program: Command): void {
  registerReportCommand(program);
  registerBackfillCommand(program);
}

/**
 * `kaiteki report --fy 2026 --format xlsx --out file`: the fiscal-year eco
 * report from the store's rollups (progress on stderr, the path on stdout).
 */
export function registerReportCommand(program: Command): Command {
  return program
    .command('report')
    .description('write the fiscal-year eco report (April–March, JST) from the stored rollups')
    .option(
      '--fy <year>',
      'fiscal year, e.g. 2026 = 2026-04-01 … 2027-03-31 JST (default: the current one, to date)',
    )
    .option('--format <format>', `one of ${REPORT_FORMATS.join(', ')}`, 'xlsx')
    .option('--out <file>', 'output file (default: <report.dir>/<Japanese file name>)')
    .option('--to <YYYY-MM-DD>', 'end the report before this JST date (a year-to-date report)')
    .option('--config <file>', 'configuration file (default: KAITEKI_CONFIG or config/default.yaml)')
    .option('--quiet', 'no progress output')
    .action(async (opts: ReportOptions) => {
      try {
        const path = await runReport(opts);
        console.log(path);
      } catch (err) {
        console.error(`kaiteki report: ${errorMessage(err)}`);
        process.exitCode = err instanceof ConfigError || err instanceof UsageError ? 2 : 1;
      }
    });
}

/** Loads config, inventory and store, writes the report, returns the file path. */
export async function runReport(
  opts: ReportOptions,
  env: Record<string, string | undefined> = process.env,
  clock: Clock = systemClock,
): Promise<string> {
  const format = opts.format as ReportFormat;
  if (!REPORT_FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}`);
  const now = clock.now();
  const fy = opts.fy === undefined ? fiscalYearOf(now) : Number(opts.fy);
  if (!Number.isInteger(fy) || fy < 2000 || fy > 2100)
    throw new UsageError(`--fy must be a year like 2026, got ${opts.fy}`);
  let to = reportEnd(fy, now);
  if (opts.to !== undefined) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(opts.to);
    if (!m) throw new UsageError(`--to must be a date YYYY-MM-DD, got ${opts.to}`);
    to = Math.min(to, jstMidnight(Number(m[1]), Number(m[2]), Number(m[3])));
  }
  const config = loadConfig(env, opts.config ?? env.KAITEKI_CONFIG);
  const { store, close } = await openStore(config);
  const bar = opts.quiet ? undefined : progressBar('report', 100);
  try {
    const report = await generateReport(
      {
        config,
        store,
        clock,
        sensors: sensorsOf(loadInventory(config)),
        alertFacts: async (from, to) => readAlertHistory(config.store.dataDir, from, to),
      },
      {
        fy,
        to,
        // reading is most of the time: 0–70 %, aggregating 70–95 %, rendering the rest
        onProgress: (phase, done, total) =>
          bar?.update(phase === 'read' ? (70 * done) / total : 70 + (25 * done) / total),
      },
    );
    const body = await renderReport(report, format);
    const path = opts.out ?? join(config.report.dir, reportFileNames(report, format).ja);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
    bar?.done();
    return path;
  } finally {
    await close();
  }
}
