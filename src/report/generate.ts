import type { Config } from '../config/schema.js';
import { Calendar } from '../core/calendar.js';
import type { Clock } from '../core/clock.js';
import { KaitekiError } from '../core/errors.js';
import { fiscalYearRange, HOUR_MS, jstMidnight, jstParts } from '../core/jst.js';
import type { Judgement } from '../core/judgement.js';
import type { Inventory } from '../inventory/inventory.js';
import type { RollupRow, TimeSeriesStore } from '../store/store.js';
import { buildReport } from './aggregate.js';
import type { ReportFormat } from './config.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderPdf } from './pdf.js';
import type { AlertFactSource, ExpectedSensor, Report } from './types.js';
import { renderXlsx } from './xlsx.js';

/** Where a report's inputs come from (the I/O edge around the pure builder). */
export interface ReportSources {
  config: Config;
  store: TimeSeriesStore;
  clock: Clock;
  sensors: readonly ExpectedSensor[];
  /** none → the alerts sheet shows no alerts */
  alertFacts?: AlertFactSource;
  /** the one judgement (in-use time, daily mean); default `new Judgement(config)` */
  judgement?: Judgement;
}

/** phase: `read` (per zone), `aggregate` (per series), `render` */
export type ProgressFn = (phase: 'read' | 'aggregate' | 'render', done: number, total: number) => void;

export function sensorsOf(inventory: Pick<Inventory, 'sensors'>): ExpectedSensor[] {
  return inventory.sensors.map((s) => ({
    site: s.site,
    zone: s.zone,
    id: s.id,
    intervalSeconds: s.intervalSeconds,
  }));
}

/**
 * The end of a fiscal year's report: the year's end when it is over, else
 * `now` cut to the hour (a year-to-date report). A year that has not begun is
 * an error.
 */
export function reportEnd(fy: number, now: number): number {
  const { from, to } = fiscalYearRange(fy);
  if (now <= from) throw new KaitekiError(`fiscal year ${fy} has not started yet`);
  return Math.min(to, Math.floor(now / HOUR_MS) * HOUR_MS);
}

/** Reads the rollups and alert facts for fiscal year `fy` up to `to` and builds the report. */
export async function generateReport(
  src: ReportSources,
  opts: { fy: number; to?: number; onProgress?: ProgressFn },
): Promise<Report> {
  const { config, store } = src;
  const { from } = fiscalYearRange(opts.fy);
  const to = opts.to ?? reportEnd(opts.fy, src.clock.now());
  const prev = fiscalYearRange(opts.fy - 1);
  const site = config.site.id;
  const rows: RollupRow[] = [];
  // month by month, so a long read can show progress
  const months = Array.from({ length: 12 }, (_, m) => [
    jstMidnight(opts.fy, 4 + m, 1),
    jstMidnight(opts.fy, 5 + m, 1),
  ]);
  for (let m = 0; m < 12; m++) {
    const [a, b] = months[m] as [number, number];
    if (a < to) rows.push(...(await store.rollups({ site, from: a, to: Math.min(b, to) })));
    opts.onProgress?.('read', m + 1, 13);
  }
  const previousRows = [
    ...(await store.rollups({ site, quantity: 'energy', from: prev.from, to: from })),
    ...(await store.rollups({ site, quantity: 'power', from: prev.from, to: from })),
  ];
  opts.onProgress?.('read', 13, 13);
  const alerts = src.alertFacts ? await src.alertFacts(from, to) : [];
  return buildReport({
    config,
    calendar: new Calendar(config.hours),
    fy: opts.fy,
    to,
    generatedAt: src.clock.now(),
    rows,
    previousRows,
    sensors: src.sensors,
    alerts,
    defaultIntervalSeconds: config.inventory.defaultIntervalSeconds,
    ...(src.judgement ? { judgement: src.judgement } : {}),
    onProgress: (d, t) => opts.onProgress?.('aggregate', d, t),
  });
}

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
};

export async function renderReport(report: Report, format: ReportFormat): Promise<Buffer> {
  switch (format) {
    case 'xlsx':
      return renderXlsx(report);
    case 'csv':
      return renderCsv(report);
    case 'html':
      return Buffer.from(renderHtml(report), 'utf8');
    case 'pdf':
      return renderPdf(renderHtml(report));
  }
}

/**
 * File names of a report: Japanese (`高津区役所_環境省エネ報告_2026年度.xlsx`,
 * `…_2026年度_2026年8月まで.xlsx` for a year-to-date report) and an ASCII
 * fallback (`kaiteki-eco-takatsu-FY2026-to-2026-08.xlsx`).
 */
export function reportFileNames(report: Report, format: ReportFormat): { ja: string; ascii: string } {
  let ja = `${report.site.name}_環境省エネ報告_${report.fy}年度`;
  let ascii = `kaiteki-eco-${report.site.id}-FY${report.fy}`;
  if (report.partial) {
    const last = jstParts(report.to - 1);
    ja += `_${last.year}年${last.month}月${last.day}日まで`;
    ascii += `-to-${last.year}-${String(last.month).padStart(2, '0')}-${String(last.day).padStart(2, '0')}`;
  }
  return { ja: `${ja.replace(/[\\/:*?"<>|\s]/g, '_')}.${format}`, ascii: `${ascii}.${format}` };
}
