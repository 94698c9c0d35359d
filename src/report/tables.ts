import { categoryLabel, type Lang, pct, severityLabel, word } from './labels.js';
import type { Num, Report, ZoneFigures, ZoneReport } from './types.js';

/**
 * How a column's numbers are shown. XLSX keeps full precision with a number
 * format; CSV writes rounded numbers (percentages as 0–100 with "%" in the header).
 */
export type ColKind = 'text' | 'int' | 'dec1' | 'dec2' | 'dec3' | 'pct' | 'hours' | 'kwh' | 'minutes';
/**
 * A figure that is not a result: below the coverage threshold (`grey`, shown
 * greyed with its note), or refused (`value` a text such as 比較不可).
 */
export interface Marked {
  value: number | string | null;
  grey?: boolean;
  /** out of the standard (the legal record): shown in red */
  bad?: boolean;
  note?: string;
}
export type Cell = string | number | null | Marked;

/** "not applicable" (e.g. over-cooling outside the cooling season): a dash, never 0 */
export const NA = '—';

export function isMarked(c: Cell): c is Marked {
  return c !== null && typeof c === 'object';
}

/** The plain value of a cell (for tests and CSV). */
export function cellValue(c: Cell): number | string | null {
  return isMarked(c) ? c.value : c;
}

export interface Column {
  header: string;
  kind: ColKind;
  width: number;
}

/** One sheet / CSV section: a header row and rows of cells (null = no data, shown blank). */
export interface Table {
  /** sheet name (≤ 31 characters, no []:*?/\) */
  sheet: string;
  title: string;
  columns: Column[];
  rows: Cell[][];
}

const c = (header: string, kind: ColKind, width = 12): Column => ({ header, kind, width });

/** The report as tables, in sheet order; the first is the summary (findings are added by the renderers). */
export function reportTables(r: Report): Table[] {
  const L = r.language;
  const t = (ja: string, en: string) => (L === 'ja' ? ja : en);
  const T = r.limits;
  const months = r.months.filter((m) => m.from < r.to);
  const zoneCols = [c(t('ゾーン', 'Zone'), 'text', 18)];
  const perZoneMonth = (
    zones: readonly ZoneReport[],
    cells: (f: ZoneFigures, z: ZoneReport) => Cell[],
  ): Cell[][] =>
    zones.flatMap((z) => [
      ...months.map((m) => [z.name, m.label, ...cells(z.months[m.index]!, z)]),
      [z.name, r.partial ? word('toDate', L) : word('yearTotal', L), ...cells(z.year, z)],
    ]);
  // below the coverage threshold a figure is a greyed reference value with a note, not a result
  const g = (v: Num, cov: Num): Cell =>
    v === null
      ? null
      : cov !== null && cov < r.coverageMin
        ? {
            value: v,
            grey: true,
            note: t(
              `データ不足（取得率 ${pct(cov, L)}、基準 ${pct(r.coverageMin, L)}）: 参考値`,
              `insufficient data (coverage ${pct(cov, L)} < ${pct(r.coverageMin, L)}): reference only`,
            ),
          }
        : v;
  const na = (applicable: boolean, v: Cell): Cell => (applicable ? v : NA);
  const change = (f: ZoneFigures): Cell =>
    f.eco.energyComparable === false
      ? {
          value: t('比較不可（データ不足）', 'not comparable (insufficient data)'),
          note: t(
            `取得率 今年度 ${f.coverage.energy === null ? '—' : pct(f.coverage.energy, L)} / 前年度 ${f.coverage.energyPrev === null ? '—' : pct(f.coverage.energyPrev, L)}（基準 ${pct(r.yoyCoverageMin, L)}）`,
            `coverage this year ${f.coverage.energy === null ? '—' : pct(f.coverage.energy, L)} / previous ${f.coverage.energyPrev === null ? '—' : pct(f.coverage.energyPrev, L)} (needs ${pct(r.yoyCoverageMin, L)})`,
          ),
        }
      : f.eco.energyChange;
  const cov = (label: string) => c(t(`${label} 取得率`, `${label} coverage`), 'pct', 10);
  const monthCol = c(t('月', 'Month'), 'text', 14);
  const counterZones = r.zones.filter(
    (z) => z.year.counter.waitingMean !== null || z.year.counter.waitMinutesMean !== null,
  );

  return [
    {
      sheet: t('概要', 'Summary'),
      title: t('年度集計（ゾーン別）', 'Year by zone'),
      columns: [
        ...zoneCols,
        c(t('温度 平均 (°C)', 'Temp mean (°C)'), 'dec1'),
        c(
          t(
            `温度 基準内 (${T.temperature.min}–${T.temperature.max} °C)`,
            `Temp within ${T.temperature.min}–${T.temperature.max} °C`,
          ),
          'pct',
          14,
        ),
        c(
          t(
            `湿度 基準内 (${T.humidity.min}–${T.humidity.max} %)`,
            `Humidity within ${T.humidity.min}–${T.humidity.max} %`,
          ),
          'pct',
          14,
        ),
        c(t('CO2 平均 (ppm)', 'CO2 mean (ppm)'), 'int'),
        c(t(`CO2 日平均${T.co2.max}超 (日)`, `CO2 days > ${T.co2.max}`), 'int'),
        c(t('照度 目標以上', 'Illuminance ≥ target'), 'pct'),
        c(t('閉庁時点灯 (時間)', 'Lights on closed (h)'), 'hours'),
        c(t('電力量 (kWh)', 'Energy (kWh)'), 'kwh'),
        c(t('前年度比', 'vs prev. year'), 'pct'),
        c(t(`待ち${T.wait.redFrom}分以上 (時間)`, `Wait ≥ ${T.wait.redFrom} min (h)`), 'hours'),
      ],
      rows: r.zones.map((z) => {
        const y = z.year;
        const lights =
          y.eco.lightsAfterHoursHours === null && y.eco.lightsClosedDayHours === null
            ? null
            : (y.eco.lightsAfterHoursHours ?? 0) + (y.eco.lightsClosedDayHours ?? 0);
        const cv = y.coverage;
        return [
          z.name,
          g(y.temperature.mean, cv.temperature),
          g(y.temperature.withinShare, cv.temperature),
          g(y.humidity.withinShare, cv.humidity),
          g(y.co2.mean, cv.co2),
          g(y.co2.daysAbove, cv.co2),
          g(y.illuminance.atOrAboveShare, cv.illuminance),
          g(lights, cv.lights),
          g(y.eco.energyKwh, cv.energy),
          change(y),
          g(y.counter.bandHours.red, cv.counter),
        ];
      }),
    },
    {
      sheet: t('温湿度', 'Temperature'),
      title: t('温度・湿度（使用時間）', 'Temperature and humidity (time in use)'),
      columns: [
        ...zoneCols,
        monthCol,
        c(t('温度 平均 (°C)', 'Temp mean (°C)'), 'dec1'),
        c(t(`温度 基準内 (${T.temperature.min}–${T.temperature.max} °C)`, `Temp within range`), 'pct', 14),
        cov(t('温度', 'Temp')),
        c(t('湿度 平均 (%)', 'Humidity mean (%)'), 'dec1'),
        c(t(`湿度 基準内 (${T.humidity.min}–${T.humidity.max} %)`, 'Humidity within range'), 'pct', 14),
        cov(t('湿度', 'Humidity')),
      ],
      rows: perZoneMonth(r.zones, (f) => [
        g(f.temperature.mean, f.coverage.temperature),
        g(f.temperature.withinShare, f.coverage.temperature),
        f.coverage.temperature,
        g(f.humidity.mean, f.coverage.humidity),
        g(f.humidity.withinShare, f.coverage.humidity),
        f.coverage.humidity,
      ]),
    },
    {
      sheet: 'CO2',
      title: t('二酸化炭素（使用時間）', 'CO2 (time in use)'),
      columns: [
        ...zoneCols,
        monthCol,
        c(t('平均 (ppm)', 'Mean (ppm)'), 'int'),
        c(t('測定日数', 'Days measured'), 'int'),
        c(t(`日平均${T.co2.max} ppm超 (日)`, `Days mean > ${T.co2.max} ppm`), 'int', 14),
        c(t(`${T.co2.max} ppm超 (時間)`, `Hours > ${T.co2.max} ppm`), 'hours', 14),
        cov('CO2'),
      ],
      rows: perZoneMonth(r.zones, (f) => [
        g(f.co2.mean, f.coverage.co2),
        f.co2.daysMeasured > 0 ? f.co2.daysMeasured : null,
        g(f.co2.daysAbove, f.coverage.co2),
        g(f.co2.hoursAbove, f.coverage.co2),
        f.coverage.co2,
      ]),
    },
    {
      sheet: t('照度', 'Illuminance'),
      title: t('照度（使用時間）', 'Illuminance (time in use)'),
      columns: [
        ...zoneCols,
        monthCol,
        c(t('目標 (lx)', 'Target (lx)'), 'int'),
        c(t('平均 (lx)', 'Mean (lx)'), 'int'),
        c(t('目標以上の割合', 'Share ≥ target'), 'pct', 14),
        cov(t('照度', 'Illuminance')),
      ],
      rows: perZoneMonth(r.zones, (f) => [
        f.illuminance.target,
        g(f.illuminance.mean, f.coverage.illuminance),
        g(f.illuminance.atOrAboveShare, f.coverage.illuminance),
        f.coverage.illuminance,
      ]),
    },
    {
      sheet: t('省エネ', 'Eco'),
      title: t('省エネ', 'Energy saving'),
      columns: [
        ...zoneCols,
        monthCol,
        c(t(`冷やし過ぎ (<${T.eco.overcoolBelow} °C, 時間)`, `Over-cooled (h)`), 'hours', 14),
        c(t(`暖め過ぎ (>${T.eco.overheatAbove} °C, 時間)`, `Over-heated (h)`), 'hours', 14),
        c(t('時間外点灯 (時間)', 'Lights after hours (h)'), 'hours', 14),
        c(t('閉庁日点灯 (時間)', 'Lights closed days (h)'), 'hours', 14),
        cov(t('照明', 'Lights')),
        c(t('電力量 (kWh)', 'Energy (kWh)'), 'kwh'),
        cov(t('電力量', 'Energy')),
        c(t('前年度同月 (kWh)', 'Prev. year (kWh)'), 'kwh'),
        cov(t('前年度', 'Prev. year')),
        c(t('前年度比', 'Change'), 'pct', 16),
        c(t('計測', 'Source'), 'text', 10),
      ],
      rows: perZoneMonth(r.zones, (f) => [
        na(f.eco.overcoolApplicable, g(f.eco.overcooledHours, f.coverage.temperature)),
        na(f.eco.overheatApplicable, g(f.eco.overheatedHours, f.coverage.temperature)),
        g(f.eco.lightsAfterHoursHours, f.coverage.lights),
        g(f.eco.lightsClosedDayHours, f.coverage.lights),
        f.coverage.lights,
        g(f.eco.energyKwh, f.coverage.energy),
        f.coverage.energy,
        f.eco.energyPrevKwh,
        f.coverage.energyPrev,
        change(f),
        f.eco.energySource === null
          ? null
          : f.eco.energySource === 'meter'
            ? t('電力量計', 'meter')
            : t('電力から推計', 'from power'),
      ]),
    },
    {
      sheet: t('窓口', 'Counters'),
      title: t('窓口の待ち（使用時間）', 'Counter queues (time in use)'),
      columns: [
        ...zoneCols,
        monthCol,
        c(t('平均待ち人数', 'Mean waiting'), 'dec1'),
        c(t('最大待ち人数', 'Peak waiting'), 'int'),
        c(t('平均待ち時間 (分)', 'Mean wait (min)'), 'minutes'),
        c(t(`${T.wait.yellowFrom}分未満 (時間)`, `< ${T.wait.yellowFrom} min (h)`), 'hours'),
        c(
          t(
            `${T.wait.yellowFrom}–${T.wait.redFrom}分 (時間)`,
            `${T.wait.yellowFrom}–${T.wait.redFrom} min (h)`,
          ),
          'hours',
        ),
        c(t(`${T.wait.redFrom}分以上 (時間)`, `≥ ${T.wait.redFrom} min (h)`), 'hours'),
        cov(t('待ち', 'Queue')),
      ],
      rows: perZoneMonth(counterZones, (f) => [
        g(f.counter.waitingMean, f.coverage.counter),
        g(f.counter.waitingPeak, f.coverage.counter),
        g(f.counter.waitMinutesMean, f.coverage.counter),
        g(f.counter.bandHours.blue, f.coverage.counter),
        g(f.counter.bandHours.yellow, f.coverage.counter),
        g(f.counter.bandHours.red, f.coverage.counter),
        f.coverage.counter,
      ]),
    },
    alertTable(r, months, L),
    completenessTable(r, months, L),
  ];
}

function alertTable(r: Report, months: Report['months'], L: Lang): Table {
  const t = (ja: string, en: string) => (L === 'ja' ? ja : en);
  const rows: Cell[][] = [];
  const none = t('（なし）', '(none)');
  const groups = (label: string, list: Report['alerts']['year']) => {
    if (list.length === 0) rows.push([label, none, null, 0, 0, null, 0, null]);
    for (const g of list) {
      rows.push([
        label,
        categoryLabel(g.category, L),
        severityLabel(g.severity, L),
        g.count,
        g.acked,
        g.meanAckMinutes,
        g.resolved,
        g.meanResolveMinutes,
      ]);
    }
  };
  for (const m of months) groups(m.label, r.alerts.months[m.index]!);
  groups(r.partial ? word('toDate', L) : word('yearTotal', L), r.alerts.year);
  return {
    sheet: t('警報', 'Alerts'),
    title: t('警報（発生月別）', 'Alerts by month opened'),
    columns: [
      c(t('月', 'Month'), 'text', 14),
      c(t('区分', 'Category'), 'text', 14),
      c(t('重要度', 'Severity'), 'text', 10),
      c(t('件数', 'Count'), 'int', 8),
      c(t('確認済', 'Acked'), 'int', 8),
      c(t('平均確認時間 (分)', 'Mean time to ack (min)'), 'minutes', 16),
      c(t('解決済', 'Resolved'), 'int', 8),
      c(t('平均解決時間 (分)', 'Mean time to resolve (min)'), 'minutes', 16),
    ],
    rows,
  };
}

function completenessTable(r: Report, months: Report['months'], L: Lang): Table {
  const t = (ja: string, en: string) => (L === 'ja' ? ja : en);
  const zoneName = new Map(r.zones.map((z) => [z.id, z.name]));
  return {
    sheet: t('データ取得率', 'Completeness'),
    title: t('データ取得率（受信数 ÷ 期待数）', 'Data completeness (received ÷ expected readings)'),
    columns: [
      c(t('ゾーン', 'Zone'), 'text', 18),
      c(t('センサー', 'Sensor'), 'text', 16),
      c(t('間隔 (秒)', 'Interval (s)'), 'int', 9),
      c(t('期待数', 'Expected'), 'int', 10),
      c(t('受信数', 'Received'), 'int', 10),
      c(r.partial ? word('toDate', L) : word('yearTotal', L), 'pct', 10),
      ...months.map((m) => c(m.label, 'pct', 10)),
    ],
    rows: r.sensors.map((s) => [
      (zoneName.get(s.zone) ?? s.zone) + (s.registered ? '' : t('（未登録）', ' (unregistered)')),
      s.sensor,
      s.intervalSeconds,
      s.year.expected,
      s.year.received,
      s.year.share,
      ...months.map((m) => s.months[m.index]!.share),
    ]),
  };
}
