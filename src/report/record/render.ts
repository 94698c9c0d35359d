import { csvValue, field } from '../csv.js';
import { htmlTables } from '../html.js';
import { jstStamp, pct } from '../labels.js';
import { esc } from '../svg.js';
import { type Cell, type Column, type Marked, NA, type Table } from '../tables.js';
import type { RecordItem, RecordReport } from './types.js';

const WEEKDAYS_JA = ['日', '月', '火', '水', '木', '金', '土'];

function dayLabel(date: string, lang: 'ja' | 'en'): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return lang === 'ja' ? `${m}月${d}日(${WEEKDAYS_JA[wd]})` : date;
}

function jstTime(ts: number): string {
  const d = new Date(ts + 9 * 3_600_000);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)}`;
}

function kindOf(item: RecordItem): Column['kind'] {
  return item.decimals === 0 ? 'int' : item.decimals === 1 ? 'dec1' : item.decimals === 2 ? 'dec2' : 'dec3';
}

export function standardText(item: RecordItem, lang: 'ja' | 'en'): string {
  const range =
    item.min !== undefined && item.max !== undefined
      ? `${item.min}–${item.max} ${item.unit}`
      : `${lang === 'ja' ? '' : '≤ '}${item.max} ${item.unit}${lang === 'ja' ? '以下' : ''}`;
  const how =
    item.judge === 'dayMean'
      ? lang === 'ja'
        ? '（日平均）'
        : ' (day mean)'
      : lang === 'ja'
        ? '（各測定値）'
        : ' (each value)';
  return `${lang === 'ja' ? item.ja : item.en} ${range}${how}`;
}

/** `2026年10月1日 〜 2026年11月30日` */
export function recordPeriodText(r: RecordReport): string {
  const a = new Date(r.from + 9 * 3_600_000);
  const b = new Date(r.to - 1 + 9 * 3_600_000);
  const f = (d: Date) =>
    r.language === 'ja'
      ? `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`
      : d.toISOString().slice(0, 10);
  return `${f(a)} 〜 ${f(b)}`;
}

/** Lines above the tables: what this is, the period, the times, the standards, what still needs the official measurement. */
export function recordIntro(r: RecordReport): string[] {
  const ja = r.language === 'ja';
  const t = (j: string, e: string) => (ja ? j : e);
  const missing = r.items.filter((i) => !i.hasSensor);
  const lines = [
    `${r.site.name} ${t('空気環境測定記録（センサーによる）', 'Air-environment record (from sensors)')}`,
    `${t('測定期間', 'Period')}: ${recordPeriodText(r)}（${t('日本時間', 'JST')}） / ${t('測定時刻', 'Times')}: ${r.times.join('、')}（±${r.toleranceMinutes}${t('分以内の値', ' min')}） / ${t('作成日時', 'Generated')}: ${jstStamp(r.generatedAt)}`,
    `${t('基準（建築物環境衛生管理基準）', 'Standards (Building Sanitation Act)')}: ${r.items.map((i) => standardText(i, r.language)).join(t('、', ', '))}`,
    t(
      `判定: 温度・相対湿度・気流は各測定値、二酸化炭素・一酸化炭素・浮遊粉じんは使用時間中の日平均（取得率${pct(r.coverageMin, 'ja')}未満は判定せず灰色）。各ゾーンを測定点とし、使用中の日のみ記録します。`,
      `Judged: temperature, humidity, airflow on each value; CO2, CO, dust on the day's mean over the time in use (not judged, greyed, below ${pct(r.coverageMin, 'en')} coverage). Each zone is a measurement point; only days in use are recorded.`,
    ),
  ];
  if (missing.length > 0)
    lines.push(
      t(
        `※公式測定: ${missing.map((i) => i.ja).join('、')}はセンサーがないため、この記録では測定していません。建築物環境衛生管理基準に基づく公式測定（2か月以内ごとに1回）で測定してください。`,
        `* Official measurement needed: ${missing.map((i) => i.en).join(', ')} have no sensor here and are not measured by this record.`,
      ),
    );
  if (r.calibration.length > 0)
    lines.push(
      t(
        `要校正: ${r.calibration.map((c) => `${c.zoneName} ${c.sensor}（${itemName(r, c.item)} 公式測定との差 ${signed(c.diff)}、許容 ±${c.threshold}）`).join('、')}`,
        `Calibration needed: ${r.calibration.map((c) => `${c.zoneName} ${c.sensor} (${itemName(r, c.item)} differs from the official measurement by ${signed(c.diff)}, allowed ±${c.threshold})`).join(', ')}`,
      ),
    );
  return lines;
}

function itemName(r: RecordReport, id: string): string {
  const i = r.items.find((x) => x.id === id);
  return i ? (r.language === 'ja' ? i.ja : i.en) : id;
}

function signed(v: number): string {
  return `${v >= 0 ? '+' : '−'}${Math.round(Math.abs(v) * 100) / 100}`;
}

/** The record as tables: the measurement sheet, a summary per point, closed days, official vs sensor. */
export function recordTables(r: RecordReport): Table[] {
  const ja = r.language === 'ja';
  const t = (j: string, e: string) => (ja ? j : e);
  const c = (header: string, kind: Column['kind'], width = 11): Column => ({ header, kind, width });
  const itemCols = r.items.map((i) =>
    c(
      `${ja ? i.ja : i.en} (${i.unit})${i.hasSensor ? '' : t(' ※公式測定', ' *official')}`,
      kindOf(i),
      i.hasSensor ? 11 : 12,
    ),
  );
  const rows: Cell[][] = [];
  for (const day of r.days) {
    for (const p of day.points) {
      const place = p.floor ? `${p.name}（${p.floor}）` : p.name;
      const missing: string[] = [];
      for (const time of r.times) {
        if (p.notInUse.includes(time)) {
          rows.push([
            dayLabel(day.date, r.language),
            place,
            time,
            ...r.items.map(() => NA),
            null,
            t('使用外', 'not in use'),
          ]);
          continue;
        }
        const at = p.at[time] ?? {};
        rows.push([
          dayLabel(day.date, r.language),
          place,
          time,
          ...r.items.map((i): Cell => {
            if (!i.hasSensor || !p.items.includes(i.id)) return NA;
            const v = at[i.id];
            if (!v) {
              missing.push(`${ja ? i.ja : i.en} ${time}`);
              return null;
            }
            return v.ok === false ? ({ value: v.value, bad: true } satisfies Marked) : v.value;
          }),
          null,
          null,
        ]);
      }
      // a point-day with nothing judged is not "適": say so
      const judged =
        Object.values(p.at).reduce(
          (n, v) => n + Object.values(v).filter((x) => x?.ok !== undefined).length,
          0,
        ) + Object.values(p.mean).filter((m) => m?.ok !== undefined).length;
      const verdict =
        p.failures.length > 0
          ? `${t('不適', 'Out')}: ${p.failures.join(t('、', ', '))}`
          : judged === 0
            ? t('判定なし（欠測）', 'not judged (no data)')
            : t('適', 'OK');
      rows.push([
        dayLabel(day.date, r.language),
        place,
        t('日平均', 'Day mean'),
        ...r.items.map((i): Cell => {
          if (i.judge !== 'dayMean') return null;
          if (!i.hasSensor || !p.items.includes(i.id)) return NA;
          const m = p.mean[i.id];
          if (!m) return null;
          if (m.ok === undefined)
            return {
              value: m.value,
              grey: true,
              note: t(
                `データ不足（取得率 ${pct(m.coverage, 'ja')}）: 判定せず`,
                `insufficient data (coverage ${pct(m.coverage, 'en')}): not judged`,
              ),
            };
          return m.ok ? m.value : { value: m.value, bad: true };
        }),
        p.failures.length === 0 ? verdict : { value: verdict, bad: true },
        missing.length > 0 ? `${t('欠測', 'missing')}: ${missing.join(t('、', ', '))}` : null,
      ]);
    }
  }
  const sheet: Table = {
    sheet: t('測定記録', 'Record'),
    title: t('空気環境測定記録', 'Air-environment measurements'),
    columns: [
      c(t('測定日', 'Date'), 'text', 12),
      c(t('測定場所', 'Point'), 'text', 20),
      c(t('時刻', 'Time'), 'text', 8),
      ...itemCols,
      c(t('判定', 'Verdict'), 'text', 26),
      c(t('備考', 'Notes'), 'text', 18),
    ],
    rows,
  };

  // summary per point
  const measured = r.items.filter((i) => i.hasSensor);
  const pointIds = [
    ...new Map(
      r.days.flatMap((d) =>
        d.points.map((p) => [p.zone, p.floor ? `${p.name}（${p.floor}）` : p.name] as const),
      ),
    ).entries(),
  ];
  const summary: Table = {
    sheet: t('集計', 'Summary'),
    title: t('測定点ごとの集計（不適 / 判定数）', 'Per point: out of standard / judged'),
    columns: [
      c(t('測定場所', 'Point'), 'text', 22),
      c(t('測定日数', 'Days'), 'int', 9),
      ...measured.map((i) => c(`${ja ? i.ja : i.en}`, 'text', 12)),
    ],
    rows: pointIds.map(([zone, place]) => {
      const pds = r.days.flatMap((d) => d.points.filter((p) => p.zone === zone));
      return [
        place,
        pds.length,
        ...measured.map((i) => {
          let judged = 0;
          let out = 0;
          for (const p of pds) {
            if (i.judge === 'dayMean') {
              const m = p.mean[i.id];
              if (m?.ok !== undefined) {
                judged++;
                if (!m.ok) out++;
              }
            } else
              for (const time of r.times) {
                const v = p.at[time]?.[i.id];
                if (v?.ok !== undefined) {
                  judged++;
                  if (!v.ok) out++;
                }
              }
          }
          const text = `${out} / ${judged}`;
          return out > 0 ? ({ value: text, bad: true } satisfies Marked) : text;
        }),
      ];
    }),
  };
  const closed: Table = {
    sheet: t('閉庁日', 'Closed days'),
    title: t('測定しない日（閉庁日）', 'Days not measured (closed)'),
    columns: [c(t('日付', 'Date'), 'text', 14), c(t('理由', 'Reason'), 'text', 30)],
    rows: r.closedDays.map((d) => [dayLabel(d.date, r.language), d.reason]),
  };
  const official: Table = {
    sheet: t('公式測定との比較', 'Official vs sensor'),
    title: t('公式測定とセンサー（同じ時刻・場所）', 'Official measurement vs sensor (same time and place)'),
    columns: [
      c(t('日時', 'Time'), 'text', 17),
      c(t('測定場所', 'Point'), 'text', 20),
      c(t('項目', 'Item'), 'text', 12),
      c(t('公式測定値', 'Official'), 'dec2', 11),
      c(t('センサー', 'Sensor'), 'text', 14),
      c(t('センサー値', 'Sensor value'), 'dec2', 11),
      c(t('差（センサー−公式）', 'Sensor − official'), 'dec2', 17),
      c(t('判定', 'Verdict'), 'text', 22),
    ],
    rows: r.official.map((o) => [
      jstTime(o.ts),
      o.zoneName,
      itemName(r, o.item),
      o.official,
      o.sensor,
      o.sensorValue,
      o.diff === null ? null : o.drift ? { value: o.diff, bad: true } : o.diff,
      o.sensor === null
        ? t('センサー値なし', 'no sensor value')
        : o.drift
          ? { value: t(`要校正（許容 ±${o.threshold}）`, `needs calibration (±${o.threshold})`), bad: true }
          : o.threshold !== undefined
            ? t(`許容範囲内（±${o.threshold}）`, `within ±${o.threshold}`)
            : '',
    ]),
  };
  return [sheet, summary, closed, official];
}

/** The record as an XLSX workbook, printed like the eco report (A4 landscape, one page wide, print titles). */
export async function renderRecordXlsx(r: RecordReport): Promise<Buffer> {
  const { default: Excel } = await import('exceljs');
  const { writeTable } = await import('../xlsx.js');
  const wb = new Excel.Workbook();
  wb.creator = 'Kaiteki';
  wb.created = new Date(r.generatedAt);
  const intro = recordIntro(r);
  recordTables(r).forEach((table, i) => {
    const ws = wb.addWorksheet(table.sheet);
    const lines = i === 0 ? intro : intro.slice(0, 1);
    writeTable(
      ws,
      table,
      [
        ...lines.map((text, k) => ({ text, kind: k === 0 ? ('title' as const) : ('wrap' as const) })),
        { text: `■ ${table.title}`, kind: 'heading' as const },
      ],
      { labelColumns: i === 0 ? 3 : 1 },
    );
  });
  return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

/** CSV for Japanese Excel (UTF-8 BOM, CRLF), one section per table. */
export function renderRecordCsv(r: RecordReport): Buffer {
  const lines: string[] = [];
  const line = (cells: readonly (string | number | null)[]) => lines.push(cells.map(field).join(','));
  for (const l of recordIntro(r)) line([l]);
  for (const t of recordTables(r)) {
    line([]);
    line([`【${t.sheet}】${t.title}`]);
    line(t.columns.map((c) => c.header));
    for (const row of t.rows) line(row.map((v, i) => csvValue(v, t.columns[i]!.kind)));
  }
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')]);
}

/** Printable HTML (A4 landscape), no scripts. */
export function renderRecordHtml(r: RecordReport): string {
  const L = r.language;
  const [title, ...rest] = recordIntro(r);
  const tables = htmlTables(recordTables(r), (tb) => tb.title, L);
  return `<!doctype html>
<html lang="${L}">
<head>
<meta charset="utf-8">
<title>${esc(title ?? '')}</title>
<style>
@page { size: A4 landscape; margin: 10mm; }
body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", Meiryo, sans-serif; font-size: 9pt; color: #222; margin: 0 auto; max-width: 1100px; }
h1 { font-size: 14pt; margin: 0 0 4px; } h2 { font-size: 11pt; margin: 14px 0 6px; border-left: 4px solid #1f77b4; padding-left: 6px; }
p { margin: 2px 0; color: #444; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; }
th, td { border: 1px solid #bbb; padding: 1px 3px; } th { background: #ddebf7; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } td.na { background: #f7f7f7; }
td.bad { color: #c00000; font-weight: bold; } td.grey { color: #8c8c8c; font-style: italic; background: #ededed; }
td.dash, td.refused { text-align: center; color: #777; }
td:nth-child(-n+3) { white-space: nowrap; }
thead { display: table-header-group; } tr { page-break-inside: avoid; }
</style>
</head>
<body>
<h1>${esc(title ?? '')}</h1>
${rest.map((l) => `<p>${esc(l)}</p>`).join('\n')}
${tables}
</body>
</html>
`;
}
