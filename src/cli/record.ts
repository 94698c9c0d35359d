import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { type Clock, systemClock } from '../core/clock.js';
import { ConfigError, errorMessage, KaitekiError } from '../core/errors.js';
import { Judgement } from '../core/judgement.js';
import { loadInventory } from '../inventory/inventory.js';
import { openStore, UsageError } from '../report/cli-support.js';
import { RECORD_FORMATS, type RecordFormat } from '../report/config.js';
import {
  generateRecord,
  parseRecordPeriod,
  recordFileNames,
  renderRecord,
} from '../report/record/generate.js';
import { parseOfficialCsv, saveOfficial } from '../report/record/official.js';

export interface RecordOptions {
  from?: string;
  months?: string;
  format: string;
  out?: string;
  official?: string;
  config?: string;
}

/**
 * `kaiteki record --from 2026-10 --months 2 [--format xlsx|csv|html] [--out file] [--official file.csv]`:
 * the legal air-environment record (空気環境測定記録) for the months from
 * `--from`; `--official` first imports the ward's official measurement (CSV
 * `date,time,zone,item,value`) so it appears beside the sensors.
 */
export function registerRecordCommand(program: Command): Command {
  return program
    .command('record')
    .description(
      'write the legal air-environment record (空気環境測定記録) for a two-month period from the stored readings',
    )
    .option('--from <YYYY-MM>', 'first month of the period, e.g. 2026-10')
    .option('--months <n>', 'number of months (the statutory period is 2)', '2')
    .option('--format <format>', `one of ${RECORD_FORMATS.join(', ')}`, 'xlsx')
    .option('--out <file>', 'output file (default: <report.dir>/<Japanese file name>)')
    .option(
      '--official <csv>',
      'import the official measurement (date,time,zone,item,value) first; kept in the data dir',
    )
    .option('--config <file>', 'configuration file (default: KAITEKI_CONFIG or config/default.yaml)')
    .action(async (opts: RecordOptions) => {
      try {
        for (const line of await runRecord(opts)) console.log(line);
      } catch (err) {
        console.error(`kaiteki record: ${errorMessage(err)}`);
        process.exitCode = err instanceof ConfigError || err instanceof UsageError ? 2 : 1;
      }
    });
}

/** Imports `--official` if given, writes the record if `--from` is given; returns the lines for stdout. */
export async function runRecord(
  opts: RecordOptions,
  env: Record<string, string | undefined> = process.env,
  clock: Clock = systemClock,
): Promise<string[]> {
  const format = opts.format as RecordFormat;
  if (!RECORD_FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${RECORD_FORMATS.join(', ')}`);
  if (opts.from === undefined && opts.official === undefined)
    throw new UsageError(
      'give --from YYYY-MM (and --months), or --official FILE to import the official measurement',
    );
  let period: { fromMonth: string; months: number } | undefined;
  if (opts.from !== undefined) {
    try {
      period = parseRecordPeriod(opts.from, opts.months);
    } catch (err) {
      throw new UsageError(`--${errorMessage(err)}`);
    }
  }
  const config = loadConfig(env, opts.config ?? env.KAITEKI_CONFIG);
  const out: string[] = [];
  if (opts.official !== undefined) {
    const parsed = parseOfficialCsv(readFileSync(opts.official), config);
    for (const r of parsed.rejected) console.error(`${opts.official}:${r.line}: ${r.reason}`);
    if (parsed.values.length === 0)
      throw new KaitekiError(`${opts.official}: no official measurement values`);
    saveOfficial(config, parsed.values);
    console.error(`kaiteki record: ${parsed.values.length} official value(s) imported from ${opts.official}`);
  }
  if (!period) return out;
  const { store, close } = await openStore(config);
  try {
    const judgement = new Judgement(config, loadInventory(config));
    const rec = await generateRecord({ config, store, clock, judgement }, period);
    for (const c of rec.calibration)
      console.error(
        `kaiteki record: ${c.zone}/${c.sensor} ${c.item} differs from the official measurement by ${c.diff.toFixed(2)} (allowed ±${c.threshold}): needs calibration`,
      );
    const path = opts.out ?? join(config.report.dir, recordFileNames(rec, format).ja);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, await renderRecord(rec, format));
    out.push(path);
    return out;
  } finally {
    await close();
  }
}
