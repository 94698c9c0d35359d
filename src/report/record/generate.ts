import type { Config } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import { KaitekiError } from '../../core/errors.js';
import { DAY_MS, jstParts } from '../../core/jst.js';
import { Judgement } from '../../core/judgement.js';
import type { Reading } from '../../core/reading.js';
import type { RollupRow, TimeSeriesStore } from '../../store/store.js';
import type { RecordFormat } from '../config.js';
import { atTime, buildRecord, recordItems, recordSpan } from './build.js';
import { loadOfficial } from './official.js';
import { renderRecordCsv, renderRecordHtml, renderRecordXlsx } from './render.js';
import type { OfficialValue, RecordReport } from './types.js';

export interface RecordSources {
  config: Config;
  store: TimeSeriesStore;
  clock: Clock;
  judgement?: Judgement;
  /** official measurements; default: those imported into the data dir */
  official?: () => OfficialValue[];
}

/** `2026-10` and a month count → validated, or a usage error naming the problem. */
export function parseRecordPeriod(
  from: string | undefined,
  months: string | number | undefined,
): { fromMonth: string; months: number } {
  if (from === undefined || !/^\d{4}-(0[1-9]|1[0-2])$/.test(from))
    throw new KaitekiError(`from must be a month YYYY-MM like 2026-10, got ${JSON.stringify(from)}`);
  const n = months === undefined ? 2 : Number(months);
  if (!Number.isInteger(n) || n < 1 || n > 12)
    throw new KaitekiError(`months must be 1–12, got ${JSON.stringify(months)}`);
  return { fromMonth: from, months: n };
}

/**
 * Reads what the legal record needs and builds it: raw readings around each
 * measurement time of each day (± tolerance, one small query per time) and
 * around each official measurement, and the period's rollups of the
 * day-mean quantities.
 */
export async function generateRecord(
  src: RecordSources,
  opts: { fromMonth: string; months: number },
): Promise<RecordReport> {
  const { config, store } = src;
  const { from, to } = recordSpan(opts.fromMonth, opts.months);
  if (from >= src.clock.now())
    throw new KaitekiError(`the period starting ${opts.fromMonth} has not begun yet`);
  const site = config.site.id;
  const rc = config.report.record;
  const tol = rc.toleranceMinutes * 60_000;
  const judgement = src.judgement ?? new Judgement(config);
  const official = (src.official ?? (() => loadOfficial(config)))();
  const readings: Reading[] = [];
  const windows: number[] = [];
  for (let day = from; day < to; day += DAY_MS) {
    if (
      judgement.isClosedDay(day) &&
      !config.zones.some((z) => rc.times.some((t) => judgement.inUse(z.id, atTime(day, t))))
    )
      continue;
    for (const t of rc.times) windows.push(atTime(day, t));
  }
  for (const o of official) if (o.ts >= from && o.ts < to) windows.push(o.ts);
  // windows can overlap (an official time near a measurement time): keep each reading once
  const seen = new Set<string>();
  for (const ts of [...new Set(windows)].sort((a, b) => a - b)) {
    for (const r of await store.raw({ site, from: ts - tol, to: ts + tol + 1 })) {
      const key = `${r.zone}/${r.sensor}/${r.quantity}/${r.ts}`;
      if (seen.has(key)) continue;
      seen.add(key);
      readings.push(r);
    }
  }
  const rows: RollupRow[] = [];
  for (const item of recordItems(config.limits).filter((i) => i.judge === 'dayMean')) {
    rows.push(...(await store.rollups({ site, quantity: item.quantity as RollupRow['quantity'], from, to })));
  }
  return buildRecord({
    config,
    judgement,
    fromMonth: opts.fromMonth,
    months: opts.months,
    generatedAt: src.clock.now(),
    readings,
    rows,
    official,
  });
}

export const RECORD_CONTENT_TYPES: Record<RecordFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

export async function renderRecord(r: RecordReport, format: RecordFormat): Promise<Buffer> {
  switch (format) {
    case 'xlsx':
      return renderRecordXlsx(r);
    case 'csv':
      return renderRecordCsv(r);
    case 'html':
      return Buffer.from(renderRecordHtml(r), 'utf8');
  }
}

/** `高津区役所_空気環境測定記録_2026年10月-11月.xlsx` and `kaiteki-record-takatsu-2026-10-2m.xlsx` */
export function recordFileNames(r: RecordReport, format: RecordFormat): { ja: string; ascii: string } {
  const a = jstParts(r.from);
  const b = jstParts(r.to - 1);
  const span =
    a.year === b.year
      ? `${a.year}年${a.month}月-${b.month}月`
      : `${a.year}年${a.month}月-${b.year}年${b.month}月`;
  const ja = `${r.site.name}_空気環境測定記録_${r.months === 1 ? `${a.year}年${a.month}月` : span}`.replace(
    /[\\/:*?"<>|\s]/g,
    '_',
  );
  return {
    ja: `${ja}.${format}`,
    ascii: `kaiteki-record-${r.site.id}-${r.fromMonth}-${r.months}m.${format}`,
  };
}
