import { DAY_MS, jstDateKey, jstMidnight, jstParts } from '../../core/jst.js';
import { Judgement } from '../../core/judgement.js';
import type { Reading } from '../../core/reading.js';
import type { RollupRow } from '../../store/store.js';
import type {
  ClosedDay,
  DayMean,
  OfficialComparison,
  PointDay,
  RecordDay,
  RecordInput,
  RecordItem,
  RecordItemId,
  RecordReport,
} from './types.js';

const MIN = 60_000;

/**
 * The items of the statutory measurement in the usual sheet's order, with the
 * law's standards. Temperature, humidity and CO2 take their limits from the
 * one limits table (config `limits:`); CO, dust and airflow are not in it yet,
 * so the Act's values stand here (CO ≤ 6 ppm, dust ≤ 0.15 mg/m³, airflow ≤ 0.5 m/s).
 */
export function recordItems(limits: RecordInput['config']['limits']): Omit<RecordItem, 'hasSensor'>[] {
  return [
    {
      id: 'dust',
      quantity: 'dust',
      ja: '浮遊粉じん',
      en: 'Dust',
      unit: 'mg/m³',
      judge: 'dayMean',
      max: 0.15,
      decimals: 3,
    },
    {
      id: 'co',
      quantity: 'co',
      ja: '一酸化炭素',
      en: 'CO',
      unit: 'ppm',
      judge: 'dayMean',
      max: 6,
      decimals: 1,
    },
    {
      id: 'co2',
      quantity: 'co2',
      ja: '二酸化炭素',
      en: 'CO2',
      unit: 'ppm',
      judge: 'dayMean',
      max: limits.co2.max,
      decimals: 0,
    },
    {
      id: 'temperature',
      quantity: 'temperature',
      ja: '温度',
      en: 'Temperature',
      unit: '°C',
      judge: 'each',
      min: limits.temperature.min,
      max: limits.temperature.max,
      decimals: 1,
    },
    {
      id: 'humidity',
      quantity: 'humidity',
      ja: '相対湿度',
      en: 'Humidity',
      unit: '%',
      judge: 'each',
      min: limits.humidity.min,
      max: limits.humidity.max,
      decimals: 0,
    },
    {
      id: 'airflow',
      quantity: 'airflow',
      ja: '気流',
      en: 'Airflow',
      unit: 'm/s',
      judge: 'each',
      max: 0.5,
      decimals: 2,
    },
  ];
}

export function within(item: Pick<RecordItem, 'min' | 'max'>, v: number): boolean {
  return (item.min === undefined || v >= item.min) && (item.max === undefined || v <= item.max);
}

/** `2026-10` → the JST span of `months` months from its first day. */
export function recordSpan(fromMonth: string, months: number): { from: number; to: number } {
  const m = /^(\d{4})-(\d{2})$/.exec(fromMonth);
  if (!m) throw new Error(`expected a month YYYY-MM, got ${fromMonth}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  return { from: jstMidnight(y, mo, 1), to: jstMidnight(y, mo + months, 1) };
}

/** epoch ms of `HH:MM` JST on the JST day starting at dayStart */
export function atTime(dayStart: number, hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return dayStart + (h * 60 + m) * MIN;
}

function getOr<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/** Readings per zone → quantity → sensor, in time order. */
type Index = Map<string, Map<string, Map<string, Reading[]>>>;

function index(readings: readonly Reading[]): Index {
  const out: Index = new Map();
  for (const r of readings) {
    const z = getOr(out, r.zone, () => new Map());
    const q = getOr(z, r.quantity, () => new Map());
    const s = getOr(q, r.sensor, (): Reading[] => []);
    s.push(r);
  }
  for (const z of out.values())
    for (const q of z.values()) for (const s of q.values()) s.sort((a, b) => a.ts - b.ts);
  return out;
}

/** The reading nearest `ts` within `tol` ms (the earlier one on a tie), or undefined. */
function nearest(list: readonly Reading[] | undefined, ts: number, tol: number): Reading | undefined {
  let best: Reading | undefined;
  for (const r of list ?? []) {
    const d = Math.abs(r.ts - ts);
    if (d > tol) continue;
    if (!best || d < Math.abs(best.ts - ts)) best = r;
  }
  return best;
}

/**
 * The legal air-environment record (空気環境測定記録) as data: for every
 * in-use day of the period and every zone as a measurement point, the
 * sensor values at the configured times, each item judged as the law judges
 * it (temperature, humidity, airflow on each value; CO2, CO, dust on the
 * day's mean over the in-use time), the closed days with their reason, and
 * the official measurement beside the sensors. Pure: no I/O.
 */
export function buildRecord(input: RecordInput): RecordReport {
  const { config } = input;
  const judge = input.judgement ?? new Judgement(config);
  const calendar = judge.calendar;
  const lang = config.report.language;
  const rc = config.report.record;
  const inUse = (zone: string, ts: number) => judge.inUse(zone, ts);
  const { from, to } = recordSpan(input.fromMonth, input.months);
  const tol = rc.toleranceMinutes * MIN;
  const idx = index(input.readings);
  const present = new Set<string>([
    ...input.readings.map((r) => r.quantity),
    ...input.rows.map((r) => r.quantity),
  ]);
  const items: RecordItem[] = recordItems(config.limits).map((i) => ({
    ...i,
    hasSensor: present.has(i.quantity),
  }));
  const measured = items.filter((i) => i.hasSensor);
  const dataZones = new Set<string>([...input.readings.map((r) => r.zone), ...input.rows.map((r) => r.zone)]);
  const zones = config.zones.filter((z) => dataZones.has(z.id));
  const zoneQuantities = new Set<string>([
    ...input.readings.map((r) => `${r.zone}/${r.quantity}`),
    ...input.rows.map((r) => `${r.zone}/${r.quantity}`),
  ]);
  const points = zones.length > 0 ? zones : config.zones;

  // rollups per zone/quantity/day for the day means
  const dayRows = new Map<string, RollupRow[]>();
  for (const r of input.rows) {
    if (r.hour < from || r.hour >= to) continue;
    const key = `${r.zone}/${r.quantity}/${jstDateKey(r.hour)}`;
    const list = getOr(dayRows, key, () => []);
    list.push(r);
  }

  const days: RecordDay[] = [];
  const closedDays: ClosedDay[] = [];
  for (let day = from; day < to; day += DAY_MS) {
    const times = rc.times.map((t) => ({ t, ts: atTime(day, t) }));
    const used = points.filter((z) => times.some(({ ts }) => inUse(z.id, ts)));
    if (used.length === 0) {
      closedDays.push({ date: jstDateKey(day), reason: closedReason(calendar, day, lang) });
      continue;
    }
    const pds: PointDay[] = used.map((z) => {
      const pd: PointDay = {
        zone: z.id,
        name: z.name[lang],
        ...(z.floor ? { floor: z.floor } : {}),
        at: {},
        items: measured.filter((i) => zoneQuantities.has(`${z.id}/${i.quantity}`)).map((i) => i.id),
        notInUse: [],
        mean: {},
        failures: [],
      };
      for (const { t, ts } of times) {
        if (!inUse(z.id, ts)) {
          pd.notInUse.push(t);
          continue;
        }
        const values: PointDay['at'][string] = {};
        for (const item of measured) {
          if (!pd.items.includes(item.id)) continue;
          const bySensor = idx.get(z.id)?.get(item.quantity);
          const found = [...(bySensor?.values() ?? [])]
            .map((list) => nearest(list, ts, tol))
            .filter((r): r is Reading => r !== undefined);
          if (found.length === 0) continue;
          // several sensors at one point: their mean, as one measurement
          const value = found.reduce((s, r) => s + r.value, 0) / found.length;
          const tv = { value, ts: found[0]!.ts } as PointDay['at'][string][RecordItemId] & object;
          if (item.judge === 'each') {
            tv.ok = within(item, value);
            if (!tv.ok) pd.failures.push(`${lang === 'ja' ? item.ja : item.en} ${t}`);
          }
          values[item.id] = tv;
        }
        pd.at[t] = values;
      }
      for (const item of measured.filter((i) => i.judge === 'dayMean')) {
        const d = dayMean(judge, z.id, item.quantity, day, dayRows);
        if (!d) continue;
        const { judged, ...mean } = d;
        // (F3) whether the day's mean is judged is the judgement's one rule (Judgement.dailyMean `judged`), as the alerts
        if (judged) {
          mean.ok = within(item, mean.value);
          if (!mean.ok)
            pd.failures.push(`${lang === 'ja' ? item.ja : item.en} ${lang === 'ja' ? '日平均' : 'day mean'}`);
        }
        pd.mean[item.id] = mean;
      }
      return pd;
    });
    days.push({ date: jstDateKey(day), start: day, points: pds });
  }

  const official = compareOfficial(input, items, from, to, idx, tol, lang);
  const calibration = new Map<string, RecordReport['calibration'][number]>();
  for (const c of official) {
    if (!c.drift || c.sensor === null || c.diff === null) continue;
    const key = `${c.zone}/${c.sensor}/${c.item}`;
    const prev = calibration.get(key);
    if (!prev || Math.abs(c.diff) > Math.abs(prev.diff))
      calibration.set(key, {
        zone: c.zone,
        zoneName: c.zoneName,
        sensor: c.sensor,
        item: c.item,
        diff: c.diff,
        threshold: c.threshold!,
      });
  }
  return {
    language: lang,
    site: { id: config.site.id, name: config.site.name[lang] },
    fromMonth: input.fromMonth,
    months: input.months,
    from,
    to,
    generatedAt: input.generatedAt,
    times: [...rc.times],
    toleranceMinutes: rc.toleranceMinutes,
    // (F3) the threshold the day means are judged by: the judgement's (limits.co2.minDailyCoverage)
    coverageMin: config.limits.co2.minDailyCoverage,
    items,
    days,
    closedDays,
    official,
    calibration: [...calibration.values()],
  };
}

function closedReason(calendar: Judgement['calendar'], day: number, lang: 'ja' | 'en'): string {
  const kind = calendar.dayKind(day);
  const t = (ja: string, en: string) => (lang === 'ja' ? ja : en);
  if (kind === 'holiday')
    return t(
      `祝日（${calendar.holidayName(day) ?? ''}）`,
      `national holiday (${calendar.holidayName(day) ?? ''})`,
    );
  if (kind === 'weekend')
    return jstParts(day).weekday === 6 ? t('土曜日', 'Saturday') : t('日曜日', 'Sunday');
  if (kind === 'year_end') return t('年末年始', 'year-end holidays');
  return t('閉庁日', 'closed');
}

/**
 * The law's daily mean over the zone's in-use time, pooled over the zone's
 * sensors, with its coverage and whether the day is judged — all the one
 * judgement's (`Judgement.dailyMean`), so the record, the report and the
 * alerts count the same days.
 */
function dayMean(
  judge: Judgement,
  zone: string,
  quantity: string,
  day: number,
  dayRows: Map<string, RollupRow[]>,
): (DayMean & { judged: boolean }) | undefined {
  const rows = dayRows.get(`${zone}/${quantity}/${jstDateKey(day)}`);
  if (!rows || rows.length === 0) return undefined;
  const d = judge.dailyMean(zone, rows);
  if (d.mean === undefined) return undefined;
  return { value: d.mean, coverage: d.coverage, judged: d.judged };
}

function compareOfficial(
  input: RecordInput,
  items: readonly RecordItem[],
  from: number,
  to: number,
  idx: Index,
  tol: number,
  lang: 'ja' | 'en',
): OfficialComparison[] {
  const drift = input.config.report.record.drift as Partial<Record<RecordItemId, number>>;
  const names = new Map(input.config.zones.map((z) => [z.id, z.name[lang]]));
  const out: OfficialComparison[] = [];
  const list = input.official
    .filter((o) => o.ts >= from && o.ts < to)
    .sort((a, b) => a.ts - b.ts || a.zone.localeCompare(b.zone));
  for (const o of list) {
    const item = items.find((i) => i.id === o.item);
    const threshold = drift[o.item];
    const bySensor = item ? idx.get(o.zone)?.get(item.quantity) : undefined;
    const base = {
      ts: o.ts,
      zone: o.zone,
      zoneName: names.get(o.zone) ?? o.zone,
      item: o.item,
      official: o.value,
    };
    const matches = [...(bySensor?.entries() ?? [])]
      .map(([sensor, rs]) => ({ sensor, r: nearest(rs, o.ts, tol) }))
      .filter((m): m is { sensor: string; r: Reading } => m.r !== undefined);
    if (matches.length === 0) {
      out.push({
        ...base,
        sensor: null,
        sensorValue: null,
        diff: null,
        drift: false,
        ...(threshold ? { threshold } : {}),
      });
      continue;
    }
    for (const m of matches) {
      const diff = m.r.value - o.value;
      out.push({
        ...base,
        sensor: m.sensor,
        sensorValue: m.r.value,
        diff,
        drift: threshold !== undefined && Math.abs(diff) > threshold,
        ...(threshold ? { threshold } : {}),
      });
    }
  }
  return out;
}
