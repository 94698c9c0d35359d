import { isQuantity, QUANTITY_NAMES, type Quantity } from '../core/quantities.js';
import type { Reading } from '../core/reading.js';
import { ROLLUP_MEASUREMENT, rollupFromFields } from './line-protocol.js';
import type { RollupRow, SeriesBucket, SeriesFilter, SeriesQuery } from './store.js';

/**
 * InfluxQL for the schema in line-protocol.ts. Tag values travel as bound
 * parameters (`$site` …), so quotes, spaces, commas and Japanese text need
 * no escaping inside the query text.
 */
export interface InfluxQl {
  q: string;
  params: Record<string, string>;
}

export function quoteIdent(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function from(measurements: readonly string[], rp: string | undefined): string {
  const p = rp ? `${quoteIdent(rp)}.` : '';
  return measurements.map((m) => `${p}${quoteIdent(m)}`).join(',');
}

function quantities(f: SeriesFilter): readonly Quantity[] {
  return f.quantity ? [f.quantity] : QUANTITY_NAMES;
}

function where(f: SeriesFilter, range?: { from: number; to: number }, quantityTag = false): InfluxQl {
  const parts: string[] = [];
  const params: Record<string, string> = {};
  for (const k of ['site', 'zone', 'sensor'] as const) {
    const v = f[k];
    if (v !== undefined) {
      parts.push(`${quoteIdent(k)} = $${k}`);
      params[k] = v;
    }
  }
  if (quantityTag && f.quantity) {
    parts.push(`"quantity" = $quantity`);
    params.quantity = f.quantity;
  }
  if (range) parts.push(`time >= ${Math.floor(range.from)}ms AND time < ${Math.floor(range.to)}ms`);
  return { q: parts.length ? ` WHERE ${parts.join(' AND ')}` : '', params };
}

const BY_SENSOR = ' GROUP BY "site","zone","sensor"';

export function latestQuery(f: SeriesFilter, rp?: string): InfluxQl {
  const w = where(f);
  return {
    q: `SELECT "value","registered" FROM ${from(quantities(f), rp)}${w.q}${BY_SENSOR} ORDER BY time DESC LIMIT 1`,
    params: w.params,
  };
}

export function bucketsQuery(q: SeriesQuery, rp?: string): InfluxQl {
  const w = where(q, q);
  const step = Math.max(1, Math.floor(q.step));
  return {
    q: `SELECT count("value") AS "count",mean("value") AS "mean",min("value") AS "min",max("value") AS "max",last("value") AS "last" FROM ${from(quantities(q), rp)}${w.q}${BY_SENSOR},time(${step}ms) fill(none)`,
    params: w.params,
  };
}

export function rawQuery(
  q: SeriesFilter & { from: number; to: number; limit: number },
  rp?: string,
): InfluxQl {
  const w = where(q, q);
  return {
    q: `SELECT "value","registered" FROM ${from(quantities(q), rp)}${w.q}${BY_SENSOR} ORDER BY time ASC LIMIT ${q.limit}`,
    params: w.params,
  };
}

export function rollupsQuery(q: SeriesFilter & { from: number; to: number }, rp?: string): InfluxQl {
  const w = where(q, q, true);
  return {
    q: `SELECT * FROM ${from([ROLLUP_MEASUREMENT], rp)}${w.q}${BY_SENSOR},"quantity"`,
    params: w.params,
  };
}

/** One series of an InfluxQL JSON response (epoch=ms). */
export interface RawSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/** The series of the first statement, or throws with the statement's error. */
export function seriesOf(res: unknown): RawSeries[] {
  const r = (res as { results?: { error?: string; series?: RawSeries[] }[]; error?: string }) ?? {};
  if (r.error) throw new Error(r.error);
  const first = r.results?.[0];
  if (first?.error) throw new Error(first.error);
  return first?.series ?? [];
}

function rows(s: RawSeries): Record<string, unknown>[] {
  return s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]])));
}

function ids(s: RawSeries, quantity: string) {
  if (!isQuantity(quantity)) return undefined;
  const t = s.tags ?? {};
  return { site: t.site ?? '', zone: t.zone ?? '', sensor: t.sensor ?? '', quantity };
}

export function parseReadings(series: RawSeries[]): Reading[] {
  const out: Reading[] = [];
  for (const s of series) {
    const id = ids(s, s.name);
    if (!id) continue;
    for (const row of rows(s)) {
      if (typeof row.value !== 'number') continue;
      out.push({ ...id, value: row.value, ts: Number(row.time), registered: row.registered !== false });
    }
  }
  return out;
}

export function parseBuckets(series: RawSeries[]): SeriesBucket[] {
  const out: SeriesBucket[] = [];
  for (const s of series) {
    const id = ids(s, s.name);
    if (!id) continue;
    for (const row of rows(s)) {
      if (typeof row.count !== 'number' || row.count === 0) continue;
      out.push({
        ...id,
        ts: Number(row.time),
        count: row.count,
        mean: Number(row.mean),
        min: Number(row.min),
        max: Number(row.max),
        last: Number(row.last),
      });
    }
  }
  return out;
}

export function parseRollups(series: RawSeries[]): RollupRow[] {
  const out: RollupRow[] = [];
  for (const s of series) {
    const id = ids(s, s.tags?.quantity ?? '');
    if (!id) continue;
    for (const row of rows(s)) {
      out.push(rollupFromFields(id, Number(row.time), row));
    }
  }
  return out;
}

/** Series order shared by the InfluxDB stores: site, zone, sensor, quantity, then time. */
export function bySeriesThenTime<T extends SeriesFilter>(ts: (x: T) => number) {
  return (a: T, b: T): number =>
    cmp(a.site, b.site) ||
    cmp(a.zone, b.zone) ||
    cmp(a.sensor, b.sensor) ||
    cmp(a.quantity, b.quantity) ||
    ts(a) - ts(b);
}

function cmp(a: string | undefined, b: string | undefined): number {
  return a === b ? 0 : (a ?? '') < (b ?? '') ? -1 : 1;
}
