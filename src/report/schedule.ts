import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import cron, { type ScheduledTask } from 'node-cron';
import { fiscalYearOf, jstMidnight, jstParts } from '../core/jst.js';
import type { Logger } from '../core/log.js';
import type { RecordFormat, ReportFormat } from './config.js';
import { generateReport, type ReportSources, renderReport, reportFileNames } from './generate.js';
import { generateRecord, recordFileNames, renderRecord } from './record/generate.js';

export const TIMEZONE = 'Asia/Tokyo';

/** Which report a scheduled run at `now` writes. */
export interface ScheduledReport {
  fy: number;
  /** exclusive end: the fiscal-year end, or JST midnight on the 1st of the current month */
  to: number;
}

/**
 * The yearly run (1 April) writes the fiscal year that just ended; the
 * monthly run (the 1st) writes the current fiscal year up to the end of last
 * month. In April the monthly run has nothing to add (the yearly one covers
 * the finished year, the new year has no whole month yet), so it returns null.
 */
export function scheduledReport(kind: 'yearly' | 'monthly', now: number): ScheduledReport | null {
  const p = jstParts(now);
  const monthStart = jstMidnight(p.year, p.month, 1);
  if (kind === 'yearly') {
    const fy = fiscalYearOf(now) - (p.month === 4 ? 1 : 0);
    return { fy, to: jstMidnight(fy + 1, 4, 1) };
  }
  if (p.month === 4) return null;
  return { fy: fiscalYearOf(monthStart - 1), to: monthStart };
}

/** The legal record a monthly run writes: the two months that ended with last month (`2026-10` on 1 December). */
export function scheduledRecord(now: number): { fromMonth: string; months: number } {
  const p = jstParts(now);
  const first = jstParts(jstMidnight(p.year, p.month - 2, 1));
  return { fromMonth: `${first.year}-${String(first.month).padStart(2, '0')}`, months: 2 };
}

/** Writes the legal air-environment record in every format to `dir` (atomically); returns the paths. */
export async function writeRecordFiles(
  src: ReportSources,
  dir: string,
  period: { fromMonth: string; months: number },
  formats: readonly RecordFormat[],
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const rec = await generateRecord(src, period);
  const paths: string[] = [];
  for (const format of formats) {
    const path = join(dir, recordFileNames(rec, format).ja);
    await writeFile(`${path}.tmp`, await renderRecord(rec, format));
    await rename(`${path}.tmp`, path);
    paths.push(path);
  }
  return paths;
}

/** Writes one report in every format to `dir` (atomically: temp file, then rename); returns the paths. */
export async function writeReportFiles(
  src: ReportSources,
  dir: string,
  job: ScheduledReport,
  formats: readonly ReportFormat[],
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const report = await generateReport(src, { fy: job.fy, to: job.to });
  const paths: string[] = [];
  for (const format of formats) {
    const path = join(dir, reportFileNames(report, format).ja);
    await writeFile(`${path}.tmp`, await renderReport(report, format));
    await rename(`${path}.tmp`, path);
    paths.push(path);
  }
  return paths;
}

/**
 * The cron jobs (Asia/Tokyo, whatever the host's zone): yearly and monthly
 * reports into the reports folder; the monthly run also writes the legal
 * air-environment record of the two months just ended. A failed run is logged and counted; the
 * next run is unaffected.
 */
export class ReportSchedule {
  private tasks: ScheduledTask[] = [];

  constructor(
    private readonly src: ReportSources,
    private readonly opts: {
      dir: string;
      yearly: string;
      monthly: string;
      formats: readonly ReportFormat[];
      log: Logger;
      onRun?: (kind: 'yearly' | 'monthly', ok: boolean) => void;
    },
  ) {}

  start(): void {
    for (const kind of ['yearly', 'monthly'] as const) {
      const task = cron.schedule(this.opts[kind], () => this.run(kind), {
        timezone: TIMEZONE,
        name: `report-${kind}`,
        noOverlap: true,
      });
      this.tasks.push(task);
    }
  }

  /** next run times, for health and tests */
  nextRuns(): { yearly?: Date; monthly?: Date } {
    const [y, m] = this.tasks;
    return { yearly: y?.getNextRun() ?? undefined, monthly: m?.getNextRun() ?? undefined };
  }

  /** One run now (what the cron job calls). Never throws. */
  async run(kind: 'yearly' | 'monthly'): Promise<string[]> {
    const record = kind === 'monthly' ? await this.runRecord() : [];
    const job = scheduledReport(kind, this.src.clock.now());
    if (!job) return record;
    try {
      const paths = await writeReportFiles(this.src, this.opts.dir, job, this.opts.formats);
      this.opts.log.info({ kind, fy: job.fy, paths }, 'scheduled eco report written');
      this.opts.onRun?.(kind, true);
      return [...record, ...paths];
    } catch (err) {
      this.opts.log.error({ kind, fy: job.fy, err: (err as Error).message }, 'scheduled eco report failed');
      this.opts.onRun?.(kind, false);
      return record;
    }
  }

  /** The monthly legal record of the two months just ended. Never throws. */
  private async runRecord(): Promise<string[]> {
    const period = scheduledRecord(this.src.clock.now());
    try {
      const paths = await writeRecordFiles(
        this.src,
        this.opts.dir,
        period,
        this.src.config.report.record.formats,
      );
      this.opts.log.info({ ...period, paths }, 'scheduled air-environment record written');
      return paths;
    } catch (err) {
      this.opts.log.error(
        { ...period, err: (err as Error).message },
        'scheduled air-environment record failed',
      );
      this.opts.onRun?.('monthly', false);
      return [];
    }
  }

  async stop(): Promise<void> {
    for (const t of this.tasks) await t.destroy();
    this.tasks = [];
  }
}
