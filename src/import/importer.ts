import type { Config } from '../config/schema.js';
import { type Reading, seriesKey } from '../core/reading.js';
import type { Inventory } from '../inventory/inventory.js';
import { DirtyHours, type RebuildProgress } from '../store/rollup-rebuild.js';
import { hasRequiredColumns, type RowRejection, requireColumns, rowToReading } from './rows.js';
import { decodeText, parseCsv, parseXlsx, sniffFormat, type Table } from './table.js';

/** Where imported readings go: the durable store, then the rollups of the hours they touched. */
export interface ImportTarget {
  /** durable when it resolves (same identity = same point: importing twice stores once) */
  write(readings: readonly Reading[]): Promise<void>;
  /** how far a reading reaches forward (its stale time or state hold), to mark the hours it changes */
  reachMs(r: Reading): number;
  /** re-aggregate these hours from the store and write their rollups */
  rollups(touched: DirtyHours, onProgress?: RebuildProgress): Promise<void>;
}

export interface ImportOptions {
  config: Config;
  inventory: Inventory;
  now: number;
  dryRun?: boolean;
  /** override the CSV encoding detection (e.g. `shift_jis`, `utf-8`) */
  encoding?: string;
  /** readings per write (default 5000) */
  batchSize?: number;
  onProgress?: (phase: 'rows' | 'rollups', done: number, total: number) => void;
}

/** At most this many rejected rows are listed one by one (all are counted). */
export const MAX_LISTED_REJECTIONS = 1000;

export interface ImportSummary {
  format: 'csv' | 'xlsx';
  encoding?: string;
  sheet?: string;
  dryRun: boolean;
  /** data rows in the file (header and empty rows not counted) */
  rows: number;
  /** readings stored (or, with dryRun, that would be) */
  accepted: number;
  rejected: number;
  /** the first rejected rows with their line numbers (CSV line, or XLSX row) */
  rejections: RowRejection[];
  byReason: Record<string, number>;
  /** rows repeating a series and timestamp seen earlier in the file (the later one is kept) */
  repeatedInFile: number;
  /** rows whose zone differs from the inventory's for that sensor (stored under the inventory's zone, as over MQTT) */
  zoneFromInventory: number;
  series: number;
  /** ISO 8601 span of the accepted readings */
  from?: string;
  to?: string;
  /** series-hours whose rollups were re-aggregated */
  rollupHours: number;
  ms: number;
  rowsPerSecond: number;
}

/** One row, isolated: whatever throws while it is turned into a reading rejects that row only. */
function safeRow(cells: readonly unknown[], line: number, ctx: Parameters<typeof rowToReading>[2]) {
  try {
    return rowToReading(cells, line, ctx);
  } catch (err) {
    return {
      rejection: {
        line,
        reason: 'processing_error',
        detail: String((err as Error)?.message ?? err).slice(0, 200),
      },
    };
  }
}

/** Reads a CSV or XLSX file (bytes), never throwing for a bad row; an unreadable file throws ImportFileError. */
export async function readTable(bytes: Buffer, encoding?: string): Promise<Table> {
  if (sniffFormat(bytes) === 'xlsx') return parseXlsx(bytes, hasRequiredColumns);
  const d = decodeText(bytes, encoding);
  return { format: 'csv', encoding: d.encoding, ...parseCsv(d.text) };
}

/**
 * Imports past readings (CSV or XLSX, columns ts, zone, sensor, quantity,
 * value, optional unit and site): every row validated like an MQTT reading
 * but of any age, bad rows reported with their line numbers, good ones
 * written in batches, then the rollups of every touched hour re-aggregated
 * from the store. Idempotent: a reading's identity is its series and ts.
 */
export async function importReadings(
  bytes: Buffer,
  target: ImportTarget,
  opts: ImportOptions,
): Promise<ImportSummary> {
  const started = Date.now();
  const table = await readTable(bytes, opts.encoding);
  const columns = requireColumns(table.header);
  const { config } = opts;
  const ctx = {
    columns,
    defaultSite: config.site.id,
    inventory: opts.inventory,
    now: opts.now,
    maxFutureSkewMs: config.ingest.maxFutureSkewSeconds * 1000,
    unregistered: config.ingest.unregistered,
  };
  const batchSize = opts.batchSize ?? 5000;
  const rejections: RowRejection[] = [];
  const byReason: Record<string, number> = {};
  const seen = new Set<string>();
  const series = new Set<string>();
  const touched = new DirtyHours();
  let batch: Reading[] = [];
  let accepted = 0;
  let rejected = 0;
  let repeated = 0;
  let otherZone = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const total = table.rows.length;
  for (let i = 0; i < total; i++) {
    const row = table.rows[i]!;
    const res = safeRow(row.cells, row.line, ctx);
    if ('rejection' in res) {
      rejected++;
      byReason[res.rejection.reason] = (byReason[res.rejection.reason] ?? 0) + 1;
      if (rejections.length < MAX_LISTED_REJECTIONS) rejections.push(res.rejection);
    } else {
      const r = res.reading;
      if (r.zone !== res.fileZone) otherZone++;
      const key = seriesKey(r);
      const id = `${key}\u0000${r.ts}`;
      if (seen.has(id)) repeated++;
      else seen.add(id);
      series.add(key);
      accepted++;
      min = Math.min(min, r.ts);
      max = Math.max(max, r.ts);
      if (!opts.dryRun) {
        touched.addReading(r, target.reachMs(r));
        batch.push(r);
        if (batch.length >= batchSize) {
          await target.write(batch);
          batch = [];
        }
      }
    }
    if ((i & 1023) === 1023) {
      opts.onProgress?.('rows', i + 1, total);
      // inside the service: let ingest and HTTP run between slices of a large file
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  if (batch.length > 0) await target.write(batch);
  opts.onProgress?.('rows', total, total);
  if (!opts.dryRun && touched.size > 0)
    await target.rollups(touched, (d, t) => opts.onProgress?.('rollups', d, t));
  const ms = Date.now() - started;
  return {
    format: table.format,
    ...(table.encoding ? { encoding: table.encoding } : {}),
    ...(table.sheet ? { sheet: table.sheet } : {}),
    dryRun: opts.dryRun === true,
    rows: total,
    accepted,
    rejected,
    rejections,
    byReason,
    repeatedInFile: repeated,
    zoneFromInventory: otherZone,
    series: series.size,
    ...(accepted > 0 ? { from: new Date(min).toISOString(), to: new Date(max).toISOString() } : {}),
    rollupHours: touched.size,
    ms,
    rowsPerSecond: Math.round(total / Math.max(0.001, ms / 1000)),
  };
}

/** The summary as lines for a person (CLI, logs): counts, then each rejected row with its line. */
export function describeImport(s: ImportSummary, file = 'file'): string {
  const lines = [
    `${file}: ${s.format.toUpperCase()}${s.encoding ? ` (${s.encoding})` : ''}${s.sheet ? ` sheet "${s.sheet}"` : ''}, ${s.rows} row(s)`,
    `${s.dryRun ? 'would store' : 'stored'} ${s.accepted} reading(s) of ${s.series} series${s.from ? ` from ${s.from} to ${s.to}` : ''}; rejected ${s.rejected}` +
      (s.repeatedInFile > 0 ? `; ${s.repeatedInFile} row(s) repeat a series and time (the later kept)` : ''),
  ];
  if (s.zoneFromInventory > 0)
    lines.push(
      `${s.zoneFromInventory} row(s) named another zone than the inventory for their sensor: stored under the inventory's zone`,
    );
  if (!s.dryRun) lines.push(`rollups re-aggregated for ${s.rollupHours} series-hour(s)`);
  lines.push(`${s.ms} ms, ${s.rowsPerSecond} rows/s`);
  for (const r of s.rejections) lines.push(`  line ${r.line}: ${r.reason}: ${r.detail}`);
  if (s.rejected > s.rejections.length)
    lines.push(`  … and ${s.rejected - s.rejections.length} more rejected row(s)`);
  return lines.join('\n');
}
