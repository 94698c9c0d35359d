import { jstStamp, meterText, periodText, word } from './labels.js';
import { type Cell, type ColKind, isMarked, reportTables } from './tables.js';
import type { Report } from './types.js';

/** Decimals written per column kind (CSV has no number formats, so values are rounded here). */
const DECIMALS: Record<ColKind, number> = {
  text: 0,
  int: 0,
  dec1: 1,
  dec2: 2,
  dec3: 3,
  pct: 1,
  hours: 1,
  kwh: 1,
  minutes: 1,
};

/**
 * The report as one CSV for Japanese Excel: UTF-8 with a BOM (without it
 * Excel reads Shift_JIS and garbles the text), CRLF line ends, and every
 * table as a section `【シート名】title`, header, rows, blank line.
 * Percentages are written as 0–100 with "(%)" in the header; a blank cell
 * means no data.
 */
export function renderCsv(r: Report): Buffer {
  const L = r.language;
  const lines: string[] = [];
  const line = (cells: readonly (string | number | null)[]) => lines.push(cells.map(field).join(','));
  line([`${r.site.name} ${word('title', L)}`]);
  line([word('period', L), periodText(r)]);
  line([word('generated', L), jstStamp(r.generatedAt)]);
  line([word('meters', L), meterText(r.meters, L)]);
  line([
    word('legend', L).replace('灰色の数値', '括弧付きの数値').replace('Grey figures', 'Figures in brackets'),
  ]);
  line([]);
  line([`【${word('findings', L)}】`]);
  for (const f of r.findings) line([f]);
  for (const t of reportTables(r)) {
    line([]);
    line([`【${t.sheet}】${t.title}`]);
    line(t.columns.map((c) => (c.kind === 'pct' ? `${c.header} (%)` : c.header)));
    for (const row of t.rows) line(row.map((v, i) => csvValue(v, t.columns[i]!.kind)));
  }
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')]);
}

export function csvValue(c: Cell, kind: ColKind): string | number | null {
  // a greyed figure is written in brackets (a reference value, not a result); a refusal as its text
  if (isMarked(c)) {
    const v = csvValue(c.value, kind);
    return c.grey && v !== null ? `(${v})` : v;
  }
  const v = c;
  if (typeof v !== 'number') return v;
  const x = kind === 'pct' ? v * 100 : v;
  const p = 10 ** DECIMALS[kind];
  return Math.round(x * p) / p;
}

export function field(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
