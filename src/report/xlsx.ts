import type ExcelJS from 'exceljs';
import { jstStamp, periodText, WORDS, word } from './labels.js';
import { type ColKind, reportTables, type Table } from './tables.js';
import type { Report } from './types.js';

/** Excel number formats per column kind: numbers stay numbers, only their display is rounded. */
export const NUM_FMT: Record<ColKind, string | undefined> = {
  text: undefined,
  int: '#,##0',
  dec1: '#,##0.0',
  pct: '0.0%',
  hours: '#,##0.0',
  kwh: '#,##0.0',
  minutes: '#,##0.0',
};

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };

/**
 * The report as an XLSX workbook: one sheet per table with Japanese sheet
 * names, the findings on the first sheet, number formats on every number
 * column and the header rows frozen.
 */
export async function renderXlsx(r: Report): Promise<Buffer> {
  // Loaded on first use: exceljs costs ~28 MB of memory the service needs only while writing a report.
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = 'Kaiteki';
  wb.created = new Date(r.generatedAt);
  const tables = reportTables(r);
  tables.forEach((table, i) => {
    const ws = wb.addWorksheet(table.sheet);
    const intro: string[] = [
      `${r.site.name} ${word('title', r.language)}`,
      `${word('period', r.language)}: ${periodText(r)}`,
    ];
    if (i === 0) {
      intro.push(
        `${word('generated', r.language)}: ${jstStamp(r.generatedAt)}`,
        '',
        `■ ${WORDS.findings[r.language]}`,
      );
      intro.push(...r.findings.map((f) => `・${f}`), '', `■ ${table.title}`);
    } else {
      intro.push(`■ ${table.title}`);
    }
    writeTable(ws, table, intro);
  });
  const buf = await wb.xlsx.writeBuffer();
  return Buffer.from(buf as ArrayBuffer);
}

function writeTable(ws: ExcelJS.Worksheet, table: Table, intro: string[]): void {
  for (const line of intro) {
    const row = ws.addRow([line]);
    if (row.number === 1) row.font = { bold: true, size: 14 };
  }
  const header = ws.addRow(table.columns.map((c) => c.header));
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', wrapText: true };
  header.eachCell((cell) => {
    cell.fill = HEADER_FILL;
    cell.border = { bottom: { style: 'thin' } };
  });
  for (const cells of table.rows) ws.addRow(cells.map((v) => (v === null ? null : v)));
  table.columns.forEach((col, i) => {
    const column = ws.getColumn(i + 1);
    column.width = col.width;
    const fmt = NUM_FMT[col.kind];
    if (!fmt) return;
    for (let r = header.number + 1; r <= ws.rowCount; r++) ws.getCell(r, i + 1).numFmt = fmt;
  });
  // keep the header (and the zone columns) in view while scrolling
  const xSplit = table.columns[0]?.kind === 'text' && table.columns[1]?.kind === 'text' ? 2 : 1;
  ws.views = [
    {
      state: 'frozen',
      ySplit: header.number,
      xSplit,
      topLeftCell: ws.getCell(header.number + 1, xSplit + 1).address,
    },
  ];
}
