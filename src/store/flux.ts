import { isQuantity, QUANTITY_NAMES } from '../core/quantities.js';
import type { Reading } from '../core/reading.js';
import { ROLLUP_MEASUREMENT, rollupFromFields } from './line-protocol.js';
import type { RollupRow, SeriesBucket, SeriesFilter, SeriesQuery } from './store.js';

/**
 * Flux for the schema in line-protocol.ts (InfluxDB 2.x). Verified against
 * the documented API with a fake server only (docs/influxdb.md says so).
 */
export function fluxString(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\$\{/g, '\\${')}"`;
}

function time(ms: number): string {
  return new Date(ms).toISOString();
}

function seriesFilter(f: SeriesFilter, measurement?: string): string {
  const ms = measurement ? [measurement] : f.quantity ? [f.quantity] : QUANTITY_NAMES;
  const parts = [`(${ms.map((m) => `r._measurement == ${fluxString(m)}`).join(' or ')})`];
  for (const k of ['site', 'zone', 'sensor'] as const) {
    const v = f[k];
    if (v !== undefined) parts.push(`r.${k} == ${fluxString(v)}`);
  }
  if (measurement && f.quantity) parts.push(`r.quantity == ${fluxString(f.quantity)}`);
  return `|> filter(fn: (r) => ${parts.join(' and ')})`;
}

const PIVOT = '|> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")';
const VALUE_AND_FLAG = '|> filter(fn: (r) => r._field == "value" or r._field == "registered")';

export function latestFlux(bucket: string, f: SeriesFilter): string {
  return `from(bucket: ${fluxString(bucket)}) |> range(start: 1970-01-01T00:00:00Z) ${seriesFilter(f)} ${VALUE_AND_FLAG} |> last() ${PIVOT}`;
}

export const AGGREGATES = ['count', 'mean', 'min', 'max', 'last'] as const;

export function bucketsFlux(bucket: string, q: SeriesQuery): string {
  const step = Math.max(1, Math.floor(q.step));
  const data = `data = from(bucket: ${fluxString(bucket)}) |> range(start: ${time(q.from)}, stop: ${time(q.to)}) ${seriesFilter(q)} |> filter(fn: (r) => r._field == "value")`;
  const yields = AGGREGATES.map(
    (fn) =>
      `data |> aggregateWindow(every: ${step}ms, fn: ${fn}, createEmpty: false, timeSrc: "_start") |> yield(name: "${fn}")`,
  );
  return [data, ...yields].join('\n');
}

export function rawFlux(
  bucket: string,
  q: SeriesFilter & { from: number; to: number; limit: number },
): string {
  return `from(bucket: ${fluxString(bucket)}) |> range(start: ${time(q.from)}, stop: ${time(q.to)}) ${seriesFilter(q)} ${VALUE_AND_FLAG} ${PIVOT} |> group() |> sort(columns: ["_time"]) |> limit(n: ${q.limit})`;
}

export function rollupsFlux(bucket: string, q: SeriesFilter & { from: number; to: number }): string {
  return `from(bucket: ${fluxString(bucket)}) |> range(start: ${time(q.from)}, stop: ${time(q.to)}) ${seriesFilter(q, ROLLUP_MEASUREMENT)} ${PIVOT}`;
}

export type FluxRow = Record<string, unknown>;

/** RFC 3339 with up to ns digits → epoch ms */
export function fluxTime(v: unknown): number {
  const s = String(v).replace(/(\.\d{3})\d+/, '$1');
  return Date.parse(s);
}

function ids(row: FluxRow, quantity: unknown) {
  if (typeof quantity !== 'string' || !isQuantity(quantity)) return undefined;
  return {
    site: String(row.site ?? ''),
    zone: String(row.zone ?? ''),
    sensor: String(row.sensor ?? ''),
    quantity,
  };
}

export function parseFluxReadings(rows: FluxRow[]): Reading[] {
  const out: Reading[] = [];
  for (const row of rows) {
    const id = ids(row, row._measurement);
    if (!id || typeof row.value !== 'number') continue;
    out.push({ ...id, value: row.value, ts: fluxTime(row._time), registered: row.registered !== false });
  }
  return out;
}

export function parseFluxBuckets(rows: FluxRow[]): SeriesBucket[] {
  const byKey = new Map<string, SeriesBucket>();
  for (const row of rows) {
    const id = ids(row, row._measurement);
    const fn = row.result as (typeof AGGREGATES)[number];
    if (!id || !AGGREGATES.includes(fn) || typeof row._value !== 'number') continue;
    const ts = fluxTime(row._time);
    const key = `${id.site}\u0000${id.zone}\u0000${id.sensor}\u0000${id.quantity}\u0000${ts}`;
    let b = byKey.get(key);
    if (!b) {
      b = { ...id, ts, count: 0, mean: 0, min: 0, max: 0, last: 0 };
      byKey.set(key, b);
    }
    b[fn] = row._value;
  }
  return [...byKey.values()].filter((b) => b.count > 0);
}

export function parseFluxRollups(rows: FluxRow[]): RollupRow[] {
  const out: RollupRow[] = [];
  for (const row of rows) {
    const id = ids(row, row.quantity);
    if (!id) continue;
    out.push(rollupFromFields(id, fluxTime(row._time), row));
  }
  return out;
}
