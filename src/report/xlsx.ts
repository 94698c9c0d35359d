import type ExcelJS from 'exceljs';
import { jstStamp, meterText, periodText, WORDS, word } from './labels.js';
import { type Cell, type ColKind, isMarked, NA, reportTables, type Table } from './tables.js';
import type { Report } from './types.js';

/** Excel number formats per column kind: numbers stay numbers, only their display is rounded. */
export const NUM_FMT: Record<ColKind, string | undefined> = {
  text: undefined,
  int: '#,##0',
  dec1: '#,##0.0',
  dec2: '0.00',
  dec3: '0.000',
  pct: '0.0%',
  hours: '#,##0.0',
  kwh: '#,##0.0',
  minutes: '#,##0.0',
};

/**
 * A Japanese font in every cell. Japanese Excel has 游ゴシック; LibreOffice
 * substitutes its CJK font (Noto Sans CJK here) for it, so nothing falls back
 * to a serif face.
 */
export const FONT_NAME = 'Yu Gothic';
const FONT: Partial<ExcelJS.Font> = { name: FONT_NAME, size: 10 };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
const GREY_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEDEDED' } };
const GREY = 'FF8C8C8C';
/** A4 in Excel's paper-size codes */
const A4 = 9;

/**
 * The report as an XLSX workbook: one sheet per table with Japanese sheet
 * names, the findings on the first sheet, number formats on every number
 * column and the header rows frozen. Every sheet prints on A4 landscape,
 * one page wide, with the header row and the label columns repeated on
 * every page.
 */
export async function renderXlsx(r: Report): Promise<Buffer> {
  // Loaded on first use: exceljs costs ~28 MB of memory the service needs only while writing a report.
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = 'Kaiteki';
  wb.created = new Date(r.generatedAt);
  const L = r.language;
  const tables = reportTables(r);
  tables.forEach((table, i) => {
    const ws = wb.addWorksheet(table.sheet);
    const intro: Intro[] = [
      { text: `${r.site.name} ${word('title', L)}`, kind: 'title' },
      { text: `${word('period', L)}: ${periodText(r)}` },
    ];
    if (i === 0) {
      intro.push(
        { text: `${word('generated', L)}: ${jstStamp(r.generatedAt)}` },
        { text: `${word('meters', L)}: ${meterText(r.meters, L)}`, kind: 'wrap' },
        { text: word('legend', L), kind: 'wrap' },
        { text: '' },
        { text: `■ ${WORDS.findings[L]}`, kind: 'heading' },
      );
      intro.push(...r.findings.map((f): Intro => ({ text: `・${f}`, kind: 'wrap' })));
      intro.push({ text: '' }, { text: `■ ${table.title}`, kind: 'heading' });
    } else {
      intro.push({ text: word('legend', L), kind: 'wrap' }, { text: `■ ${table.title}`, kind: 'heading' });
    }
    writeTable(ws, table, intro);
  });
  const buf = await wb.xlsx.writeBuffer();
  return Buffer.from(buf as ArrayBuffer);
}

export interface Intro {
  text: string;
  kind?: 'title' | 'heading' | 'wrap';
}

/** Display width of a text in Excel character units (CJK characters count double). */
export function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1;
  return w;
}

/** How many lines a wrapped text takes in a cell `width` characters wide. */
function lines(s: string, width: number): number {
  return s
    .split('\n')
    .reduce((n, part) => n + Math.max(1, Math.ceil((textWidth(part) * 1.05) / Math.max(1, width - 1))), 0);
}

/**
 * Writes intro lines and a table, then sets the print layout. Exported for
 * the legal record, which prints the same way.
 */
export function writeTable(
  ws: ExcelJS.Worksheet,
  table: Table,
  intro: Intro[],
  opts: { labelColumns?: number } = {},
): void {
  const nCols = Math.max(1, table.columns.length);
  const totalWidth = table.columns.reduce((s, c) => s + c.width, 0);
  table.columns.forEach((col, i) => {
    ws.getColumn(i + 1).width = col.width;
  });
  for (const line of intro) {
    const row = ws.addRow([line.text]);
    row.font = { ...FONT, ...(line.kind === 'title' ? { bold: true, size: 14 } : {}) };
    if (line.kind === 'heading') row.font = { ...FONT, bold: true, size: 11 };
    if (line.kind === 'wrap' && nCols > 1) {
      // findings and notes span the printed width and wrap instead of running off the page
      ws.mergeCells(row.number, 1, row.number, nCols);
      row.getCell(1).alignment = { wrapText: true, vertical: 'top' };
      row.height = 15 * lines(line.text, totalWidth);
    }
  }
  const header = ws.addRow(table.columns.map((c) => c.header));
  header.font = { ...FONT, bold: true };
  // tall enough for the wrapped headers, so they never cover the first data row
  header.height = 15 * Math.max(...table.columns.map((c) => lines(c.header, c.width)), 1) + 4;
  header.eachCell((cell) => {
    cell.fill = HEADER_FILL;
    cell.border = { bottom: { style: 'thin' }, top: { style: 'thin' } };
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  });
  for (const cells of table.rows) {
    const row = ws.addRow(cells.map(plain));
    row.font = FONT;
    cells.forEach((c, i) => {
      const cell = row.getCell(i + 1);
      const kind = table.columns[i]?.kind ?? 'text';
      const fmt = NUM_FMT[kind];
      if (fmt && typeof cell.value === 'number') cell.numFmt = fmt;
      if (c === NA) cell.alignment = { horizontal: 'center' };
      if (!isMarked(c)) return;
      if (c.grey) {
        cell.font = { ...FONT, italic: true, color: { argb: GREY } };
        cell.fill = GREY_FILL;
      }
      if (c.bad) cell.font = { ...FONT, bold: true, color: { argb: 'FFC00000' } };
      if (typeof c.value === 'string') cell.alignment = { horizontal: 'center', wrapText: true };
      if (c.note) cell.note = c.note;
    });
  }
  // the labels that identify a row: zone and month (or the first text columns)
  let labels = opts.labelColumns ?? 0;
  if (opts.labelColumns === undefined)
    while (labels < Math.min(2, nCols) && table.columns[labels]?.kind === 'text') labels++;
  labels = Math.max(1, labels);
  const lastLabel = String.fromCharCode(64 + labels);
  ws.views = [
    {
      state: 'frozen',
      ySplit: header.number,
      xSplit: labels,
      topLeftCell: ws.getCell(header.number + 1, labels + 1).address,
    },
  ];
  ws.pageSetup = {
    ...ws.pageSetup,
    paperSize: A4,
    orientation: 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    horizontalCentered: true,
    margins: { left: 0.4, right: 0.4, top: 0.55, bottom: 0.55, header: 0.25, footer: 0.25 },
    printTitlesRow: `${header.number}:${header.number}`,
    printTitlesColumn: `A:${lastLabel}`,
  };
  ws.headerFooter = { oddFooter: `&L&"${FONT_NAME}"&8${table.sheet}&R&"${FONT_NAME}"&8&P / &N` };
}

function plain(c: Cell): ExcelJS.CellValue {
  if (c === null) return null;
  return isMarked(c) ? c.value : c;
}
