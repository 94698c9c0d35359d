import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import type { Config } from '../../config/schema.js';
import type { CalibrationNeed } from '../../core/bus.js';
import { KaitekiError } from '../../core/errors.js';
import { jstMidnight } from '../../core/jst.js';
import type { OfficialValue, RecordItemId } from './types.js';

/** Item names as official measurement sheets write them → item id. */
const ITEM_NAMES: Record<string, RecordItemId> = {
  temperature: 'temperature',
  温度: 'temperature',
  humidity: 'humidity',
  湿度: 'humidity',
  相対湿度: 'humidity',
  co2: 'co2',
  二酸化炭素: 'co2',
  二酸化炭素の含有率: 'co2',
  co: 'co',
  一酸化炭素: 'co',
  一酸化炭素の含有率: 'co',
  dust: 'dust',
  浮遊粉じん: 'dust',
  浮遊粉じんの量: 'dust',
  粉じん: 'dust',
  airflow: 'airflow',
  気流: 'airflow',
};

export interface OfficialParseResult {
  values: OfficialValue[];
  /** rows refused, with their 1-based line numbers */
  rejected: { line: number; reason: string }[];
}

/**
 * Parses the official bi-monthly measurement as CSV with the columns
 * `date, time, zone, item, value` (a header row is optional; UTF-8 with or
 * without BOM, or Shift_JIS as Japanese Excel writes it). `date` is
 * YYYY-MM-DD or YYYY/MM/DD, `time` HH:MM (JST), `zone` the zone id or its
 * Japanese or English name, `item` an id (`co2`) or the sheet's name (二酸化炭素).
 */
export function parseOfficialCsv(buf: Buffer, config: Config): OfficialParseResult {
  const text = decode(buf);
  const records = parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  const zoneIds = new Map<string, string>();
  for (const z of config.zones) {
    zoneIds.set(z.id, z.id);
    zoneIds.set(z.name.ja, z.id);
    zoneIds.set(z.name.en.toLowerCase(), z.id);
  }
  const values: OfficialValue[] = [];
  const rejected: OfficialParseResult['rejected'] = [];
  records.forEach((rec, i) => {
    const line = i + 1;
    if (i === 0 && /date|日付|測定日/i.test(rec[0] ?? '')) return;
    const result = parseRow(rec, zoneIds);
    if (typeof result === 'string') rejected.push({ line, reason: result });
    else values.push(result);
  });
  return { values, rejected };
}

/** One CSV row → a value, or the reason it was refused. */
function parseRow(rec: readonly string[], zoneIds: ReadonlyMap<string, string>): OfficialValue | string {
  const [date = '', time = '', zone = '', item = '', value = ''] = rec;
  const d = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(date);
  const t = /^(\d{1,2}):(\d{2})$/.exec(time);
  if (!d) return `date must be YYYY-MM-DD, got "${date}"`;
  if (!t) return `time must be HH:MM, got "${time}"`;
  const zoneId = zoneIds.get(zone) ?? zoneIds.get(zone.toLowerCase());
  if (!zoneId) return `unknown zone "${zone}"`;
  const itemId = ITEM_NAMES[item.toLowerCase()] ?? ITEM_NAMES[item];
  if (!itemId) return `unknown item "${item}"`;
  const v = Number(value);
  if (value === '' || !Number.isFinite(v)) return `value must be a number, got "${value}"`;
  const ts =
    jstMidnight(Number(d[1]), Number(d[2]), Number(d[3])) + (Number(t[1]) * 60 + Number(t[2])) * 60_000;
  return { ts, zone: zoneId, item: itemId, value: v };
}

function decode(buf: Buffer): string {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString('utf8');
  const utf8 = buf.toString('utf8');
  return utf8.includes('\uFFFD') ? iconv.decode(buf, 'Shift_JIS') : utf8;
}

/** Where imported official measurements are kept: `<store.dataDir>/official-measurements.json`. */
export function officialPath(config: Config): string {
  return join(config.store.dataDir, 'official-measurements.json');
}

export function loadOfficial(config: Config): OfficialValue[] {
  const path = officialPath(config);
  if (!existsSync(path)) return [];
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as OfficialValue[];
  } catch (err) {
    throw new KaitekiError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Adds values (the same time, zone and item replaces the earlier value: importing twice stores once). Returns the count kept. */
export function saveOfficial(config: Config, values: readonly OfficialValue[]): number {
  const byKey = new Map(loadOfficial(config).map((v) => [`${v.ts}/${v.zone}/${v.item}`, v]));
  for (const v of values) byKey.set(`${v.ts}/${v.zone}/${v.item}`, v);
  const path = officialPath(config);
  mkdirSync(dirname(path), { recursive: true });
  const all = [...byKey.values()].sort((a, b) => a.ts - b.ts || a.zone.localeCompare(b.zone));
  writeFileSync(`${path}.tmp`, JSON.stringify(all, null, 1));
  renameSync(`${path}.tmp`, path);
  return all.length;
}

/**
 * The sensors that drift from these official values (sensor − official beyond
 * `report.record.drift`), as calibration notices: the record's own comparison
 * over each month the values fall in.
 */
export async function calibrationEvents(
  src: import('./generate.js').RecordSources,
  values: readonly OfficialValue[],
): Promise<CalibrationNeed[]> {
  return (await calibrationChecks(src, values)).drifting;
}

/**
 * Every comparison of these official values with a sensor that has a drift
 * threshold, split in two: `drifting` (each comparison beyond the threshold,
 * oldest first) and `within` (one per sensor and quantity, its latest
 * comparison, only for a sensor and quantity with no drifting comparison in
 * these values). `within` is what resolves a calibration alert.
 */
export async function calibrationChecks(
  src: import('./generate.js').RecordSources,
  values: readonly OfficialValue[],
): Promise<{ drifting: CalibrationNeed[]; within: CalibrationNeed[] }> {
  const { generateRecord } = await import('./generate.js');
  const months = new Set(values.map((v) => jstMonthKey(v.ts)));
  const drifting: CalibrationNeed[] = [];
  const fine: CalibrationNeed[] = [];
  for (const fromMonth of months) {
    const rec = await generateRecord({ ...src, official: () => [...values] }, { fromMonth, months: 1 });
    for (const c of rec.official) {
      if (c.sensor === null || c.sensorValue === null || c.diff === null || c.threshold === undefined)
        continue;
      (c.drift ? drifting : fine).push({
        site: src.config.site.id,
        zone: c.zone,
        sensor: c.sensor,
        quantity: rec.items.find((i) => i.id === c.item)?.quantity ?? c.item,
        ts: c.ts,
        official: c.official,
        sensorValue: c.sensorValue,
        diff: c.diff,
        threshold: c.threshold,
      });
    }
  }
  const key = (n: CalibrationNeed) => `${n.site}/${n.zone}/${n.sensor}/${n.quantity}`;
  const drifts = new Set(drifting.map(key));
  const latest = new Map<string, CalibrationNeed>();
  for (const n of fine) {
    const k = key(n);
    if (drifts.has(k)) continue;
    const cur = latest.get(k);
    if (!cur || n.ts >= cur.ts) latest.set(k, n);
  }
  drifting.sort((a, b) => a.ts - b.ts);
  return { drifting, within: [...latest.values()] };
}

function jstMonthKey(ts: number): string {
  const d = new Date(ts + 9 * 3_600_000);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
