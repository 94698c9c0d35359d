import { JST_OFFSET_MS } from '../core/jst.js';
import { isQuantity, QUANTITIES, QUANTITY_NAMES, type Quantity } from '../core/quantities.js';
import { type Reading, SLUG } from '../core/reading.js';
import type { Candidate } from '../ingest/format.js';
import { toCanonical } from '../ingest/formats/units.js';
import { normalise, toNumber, toTimestamp } from '../ingest/normalise.js';
import type { Inventory } from '../inventory/inventory.js';
import { ImportFileError } from './errors.js';

export const REQUIRED_COLUMNS = ['ts', 'zone', 'sensor', 'quantity', 'value'] as const;
export const OPTIONAL_COLUMNS = ['unit', 'site'] as const;
type Column = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];

/** Header spellings accepted per column (lower-cased, trimmed): English, and what a Japanese sheet says. */
const HEADER_ALIASES: Record<Column, readonly string[]> = {
  ts: ['ts', 'time', 'timestamp', 'datetime', 'date_time', '日時', '時刻', '日付時刻', '計測日時'],
  zone: ['zone', 'ゾーン', '区画', 'エリア'],
  sensor: ['sensor', 'センサー', 'センサ', 'センサーid', 'センサid'],
  quantity: ['quantity', 'measurement', '項目', '計測項目', '測定項目', '種別'],
  value: ['value', '値', '測定値', '計測値'],
  unit: ['unit', '単位'],
  site: ['site', 'サイト', '施設', '庁舎'],
};

/** Which cell holds which column. */
export type ColumnMap = Partial<Record<Column, number>>;

export function mapHeader(header: readonly string[]): ColumnMap {
  const map: ColumnMap = {};
  header.forEach((raw, i) => {
    const h = String(raw)
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase();
    for (const [col, names] of Object.entries(HEADER_ALIASES) as [Column, readonly string[]][]) {
      if (map[col] === undefined && names.includes(h)) map[col] = i;
    }
  });
  return map;
}

export function hasRequiredColumns(header: readonly string[]): boolean {
  const m = mapHeader(header);
  return REQUIRED_COLUMNS.every((c) => m[c] !== undefined);
}

/** The column map, or a file error naming the missing columns. */
export function requireColumns(header: readonly string[]): ColumnMap {
  const m = mapHeader(header);
  const missing = REQUIRED_COLUMNS.filter((c) => m[c] === undefined);
  if (missing.length > 0)
    throw new ImportFileError(
      `missing column(s) ${missing.join(', ')}: the first row must name the columns ts, zone, sensor, quantity, value (optional unit, site); got ${header.map((h) => JSON.stringify(String(h))).join(', ')}`,
    );
  return m;
}

/** Quantity names as written in a sheet: canonical (`co2`), or its Japanese/English label (`温度`, `Temperature`). */
const QUANTITY_ALIASES = new Map<string, Quantity>();
for (const q of QUANTITY_NAMES) {
  QUANTITY_ALIASES.set(q, q);
  QUANTITY_ALIASES.set(QUANTITIES[q].ja.toLowerCase(), q);
  QUANTITY_ALIASES.set(QUANTITIES[q].en.toLowerCase(), q);
}
QUANTITY_ALIASES.set('co₂', 'co2');

export function quantityOf(raw: string): string {
  const s = raw.trim();
  return QUANTITY_ALIASES.get(s.toLowerCase()) ?? s;
}

const LOCAL_TS =
  /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const pad = (s: string | undefined, n = 2) => (s ?? '0').padStart(n, '0');

/**
 * A sheet's timestamp as epoch ms. Without an offset it is Japan time
 * (JST, UTC+9): `2025-06-10 10:00`, `2025/6/10 10:00:00` (Japanese Excel),
 * ISO 8601 with or without `T`/offset, epoch seconds or ms. XLSX date cells
 * hold a wall-clock time, read as JST; a bare number below 10^6 is an Excel
 * serial date (days since 1899-12-30), also JST.
 */
export function importTimestamp(raw: unknown): number | { reason: 'bad_timestamp'; detail: string } {
  if (raw instanceof Date) {
    const t = raw.getTime();
    if (Number.isFinite(t)) return t - JST_OFFSET_MS;
  } else if (typeof raw === 'number') {
    if (raw > 0 && raw < 1e6) return Math.round((raw - 25569) * 86_400_000) - JST_OFFSET_MS;
    const t = toTimestamp(raw);
    // beyond ±8.64e15 ms there is no Date (new Date(1e308).toISOString() throws)
    if (typeof t === 'number' && Math.abs(t) <= 8.64e15) return t;
  } else if (typeof raw === 'string') {
    const s = raw.trim();
    if (/^\d{9,13}$/.test(s)) {
      const t = toTimestamp(Number(s));
      if (typeof t === 'number') return t;
    }
    const m = LOCAL_TS.exec(s);
    if (m) {
      const off = m[8]
        ? m[8].toUpperCase() === 'Z'
          ? 'Z'
          : m[8].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')
        : '+09:00';
      const iso = `${m[1]}-${pad(m[2])}-${pad(m[3])}T${pad(m[4])}:${pad(m[5])}:${pad(m[6])}${m[7] ?? ''}${off}`;
      const t = Date.parse(iso);
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      // Date.parse rolls 2025-06-31 over to July 1st: the day must exist in its month
      const real = new Date(Date.UTC(y, mo - 1, d));
      if (
        Number.isFinite(t) &&
        real.getUTCMonth() === mo - 1 &&
        real.getUTCDate() === d &&
        Number(m[4] ?? 0) < 24
      )
        return t;
    }
  }
  return {
    reason: 'bad_timestamp',
    detail: `ts ${JSON.stringify(raw instanceof Date ? 'Invalid Date' : raw)?.slice(0, 40)} is not a date (e.g. 2025-06-10 10:00, JST unless an offset is given)`,
  };
}

export interface RowRejection {
  line: number;
  reason: string;
  detail: string;
}

export interface RowContext {
  columns: ColumnMap;
  defaultSite: string;
  inventory: Inventory;
  now: number;
  maxFutureSkewMs: number;
  unregistered: 'accept' | 'reject';
}

const text = (v: unknown): string =>
  v === undefined || v === null ? '' : v instanceof Date ? v.toISOString() : String(v).trim();

/**
 * One row → one reading, validated by the same rules as an MQTT message
 * (src/ingest/normalise.ts: ids, inventory and `ingest.unregistered`,
 * quantity, number, plausible range, calibration, future skew) — except
 * age: past data is what an import is for. A `unit` converts the value to
 * the quantity's canonical unit (°F → °C, Wh → kWh …), or rejects the row.
 */
export function rowToReading(
  cells: readonly unknown[],
  line: number,
  ctx: RowContext,
): { reading: Reading; fileZone: string } | { rejection: RowRejection } {
  const col = (c: Column) => {
    const i = ctx.columns[c];
    return i === undefined ? undefined : cells[i];
  };
  const reject = (reason: string, detail: string) => ({ rejection: { line, reason, detail } });
  const site = text(col('site')) || ctx.defaultSite;
  const zone = text(col('zone'));
  const sensor = text(col('sensor'));
  for (const [name, id] of [
    ['site', site],
    ['zone', zone],
    ['sensor', sensor],
  ] as const) {
    if (id === '') return reject('missing_value', `${name} is empty`);
    if (!SLUG.test(id))
      return reject('bad_id', `${name} "${id.slice(0, 32)}" is not an id (a-z, 0-9, _ and -)`);
  }
  const ts = importTimestamp(col('ts'));
  if (typeof ts !== 'number') return reject(ts.reason, ts.detail);
  const quantity = quantityOf(text(col('quantity')));
  if (quantity === '') return reject('missing_value', 'quantity is empty');
  let value: unknown = col('value');
  if (value === undefined || text(value) === '') return reject('missing_value', 'value is empty');
  const unit = text(col('unit'));
  if (unit !== '' && isQuantity(quantity)) {
    const n = toNumber(value);
    if (typeof n !== 'number') return reject(n.reason, `${quantity}: ${n.detail}`);
    const c = toCanonical(quantity, n, unit);
    if (c === undefined)
      return reject('bad_unit', `unit "${unit.slice(0, 16)}" cannot be converted to ${quantity}`);
    value = c;
  }
  const candidate: Candidate = { site, zone, sensor, values: { [quantity]: value }, ts };
  const out = normalise(candidate, {
    now: ctx.now,
    receivedAt: ts,
    maxFutureSkewMs: ctx.maxFutureSkewMs,
    maxAgeMs: Number.POSITIVE_INFINITY,
    unregistered: ctx.unregistered,
    inventory: ctx.inventory,
  });
  const reading = out.readings[0];
  if (reading) return { reading, fileZone: zone };
  const r = out.rejections[0];
  return reject(r?.reason ?? 'rejected', r?.detail ?? 'rejected');
}
