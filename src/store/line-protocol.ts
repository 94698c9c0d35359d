import { KaitekiError } from '../core/errors.js';
import { type Reading, sensorKey, seriesKey } from '../core/reading.js';
import type { RollupRow } from './store.js';

/**
 * InfluxDB line protocol, built by hand (the `influx` package's writePoints
 * re-parses every point, which halves throughput; DESIGN §5).
 *
 * Schema (docs/influxdb.md): one measurement per quantity (`temperature`,
 * `co2`, …), tags `site`, `zone`, `sensor`, fields `value` (float) and
 * `registered` (bool), ms timestamps. A point's identity is therefore
 * exactly the store's reading identity (site, zone, sensor, quantity, ts),
 * so a re-sent reading overwrites itself instead of adding a point.
 * Rollups go to the measurement `kaiteki_hourly` with tag `quantity`.
 */
export const ROLLUP_MEASUREMENT = 'kaiteki_hourly';

/** measurement names: comma and space are escaped */
export function escapeMeasurement(s: string): string {
  return s.replace(/[\\, ]/g, (c) => `\\${c}`);
}

/**
 * Tag keys, tag values and field keys: comma, equals sign and space are
 * escaped; UTF-8 (Japanese) passes as is. Line protocol cannot carry a
 * newline or an empty tag value, so those throw (non-retryable: bad data).
 */
export function escapeTag(s: string): string {
  if (s === '') throw new KaitekiError('line protocol: empty tag value', { retryable: false });
  if (/[\n\r]/.test(s)) throw new KaitekiError(`line protocol: newline in tag value ${JSON.stringify(s)}`);
  // A trailing backslash would escape the separator that follows it.
  const t = s.endsWith('\\') ? `${s}\\` : s;
  return t.replace(/[,= ]/g, (c) => `\\${c}`);
}

/** string field values: double quote and backslash escaped */
export function escapeStringField(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** throws (bad data) unless line protocol can carry the value as a float field */
export function checkValue(v: number): void {
  if (!Number.isFinite(v)) throw new KaitekiError(`line protocol: value ${v} is not a finite number`);
}

/** throws (bad data) unless the timestamp is an integer number of ms */
export function checkTimestamp(ts: number): void {
  if (!Number.isSafeInteger(ts))
    throw new KaitekiError(`line protocol: timestamp ${ts} is not an integer ms value`);
}

function float(v: number): string {
  checkValue(v);
  // Always a float (never `i`), so a series never has a field type conflict.
  return String(v);
}

function timestamp(ts: number): string {
  checkTimestamp(ts);
  return String(ts);
}

const tagCache = new Map<string, string>();

/** `,site=…,zone=…,sensor=…` for one sensor (memoised by its sensor key: few sensors, many readings) */
function sensorTags(r: Pick<Reading, 'site' | 'zone' | 'sensor'>): string {
  const key = sensorKey(r);
  let t = tagCache.get(key);
  if (t === undefined) {
    t = `,sensor=${escapeTag(r.sensor)},site=${escapeTag(r.site)},zone=${escapeTag(r.zone)}`;
    if (tagCache.size > 100_000) tagCache.clear();
    tagCache.set(key, t);
  }
  return t;
}

const seriesCache = new Map<string, string>();

/** `measurement,tags value=` for one series (memoised by its series key: every reading starts with it) */
export function seriesHead(r: Reading): string {
  const key = seriesKey(r);
  let head = seriesCache.get(key);
  if (head === undefined) {
    head = `${escapeMeasurement(r.quantity)}${sensorTags(r)} value=`;
    if (seriesCache.size > 100_000) seriesCache.clear();
    seriesCache.set(key, head);
  }
  return head;
}

/** One reading as one line (tags sorted by key, as InfluxDB prefers). */
export function readingLine(r: Reading): string {
  const head = seriesHead(r);
  checkValue(r.value);
  checkTimestamp(r.ts);
  return lineOf(head, r.value, r.registered, r.ts);
}

/** The same line from a series head and checked numbers (the write thread builds its body with this). */
export function lineOf(head: string, value: number, registered: boolean, ts: number): string {
  return `${head}${String(value)},registered=${registered ? 't' : 'f'} ${String(ts)}`;
}

/** Readings as a line-protocol body (ms precision). */
export function readingsBody(readings: readonly Reading[]): string {
  let out = '';
  for (let i = 0; i < readings.length; i++) {
    if (i > 0) out += '\n';
    out += readingLine(readings[i]!);
  }
  return out;
}

/** field key of a rollup's time outside one limit */
export function outsideField(limitId: string): string {
  return `outside_${limitId}_ms`;
}

/** limit id from a field key, or undefined when it is not an outside field */
export function limitOfField(field: string): string | undefined {
  const m = /^outside_(.+)_ms$/.exec(field);
  return m ? m[1] : undefined;
}

/** A rollup row from a `kaiteki_hourly` point's fields (InfluxQL or Flux result), the inverse of rollupLine. */
export function rollupFromFields(
  id: Pick<RollupRow, 'site' | 'zone' | 'sensor' | 'quantity'>,
  hour: number,
  fields: Record<string, unknown>,
): RollupRow {
  const outside: Record<string, number> = {};
  for (const [k, v] of Object.entries(fields)) {
    const limit = limitOfField(k);
    if (limit !== undefined && typeof v === 'number') outside[limit] = v;
  }
  return {
    ...id,
    hour,
    count: Number(fields.count),
    sum: Number(fields.sum),
    min: Number(fields.min),
    max: Number(fields.max),
    last: Number(fields.last),
    coveredMs: Number(fields.covered_ms),
    outside,
  };
}

export function rollupLine(r: RollupRow): string {
  let fields = `count=${float(r.count)},sum=${float(r.sum)},min=${float(r.min)},max=${float(r.max)},last=${float(r.last)},covered_ms=${float(r.coveredMs)}`;
  for (const [id, ms] of Object.entries(r.outside)) fields += `,${escapeTag(outsideField(id))}=${float(ms)}`;
  return `${ROLLUP_MEASUREMENT}${sensorTags(r)},quantity=${escapeTag(r.quantity)} ${fields} ${timestamp(r.hour)}`;
}

export function rollupsBody(rows: readonly RollupRow[]): string {
  return rows.map(rollupLine).join('\n');
}
