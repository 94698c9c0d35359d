import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';

import { ImportFileError } from './errors.js';

export { ImportFileError };

export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'shift_jis' | 'utf-16le' | 'utf-16be';

/** One data row: its cells and where it is in the file (CSV line, or XLSX row number). */
export interface TableRow {
  line: number;
  cells: unknown[];
}

export interface Table {
  format: 'csv' | 'xlsx';
  encoding?: TextEncoding;
  /** XLSX: the worksheet read */
  sheet?: string;
  header: string[];
  rows: TableRow[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes → text as Japanese offices write CSV: a BOM says UTF-8 or UTF-16
 * (Excel's "CSV UTF-8" and "Unicode text"); without one, valid UTF-8 is
 * UTF-8 and anything else is Shift_JIS — Japanese Excel's plain "CSV"
 * (Windows code page 932, a superset with ①, ㈱, ℃ …). `forced` overrides.
 */
export function decodeText(buf: Buffer, forced?: string): { text: string; encoding: TextEncoding } {
  if (forced) {
    const f = forced.toLowerCase().replace(/[_-]/g, '');
    if (!iconv.encodingExists(forced)) throw new ImportFileError(`unknown encoding "${forced}"`);
    const text = iconv.decode(
      buf,
      ['shiftjis', 'sjis', 'cp932', 'windows31j'].includes(f) ? 'cp932' : forced,
    );
    const encoding: TextEncoding = f.startsWith('utf8')
      ? 'utf-8'
      : f === 'utf16le'
        ? 'utf-16le'
        : f === 'utf16be'
          ? 'utf-16be'
          : 'shift_jis';
    return { text: text.replace(/^\uFEFF/, ''), encoding };
  }
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf)
    return { text: utf8.decode(buf.subarray(3)), encoding: 'utf-8-bom' };
  if (buf[0] === 0xff && buf[1] === 0xfe)
    return { text: iconv.decode(buf.subarray(2), 'utf-16le'), encoding: 'utf-16le' };
  if (buf[0] === 0xfe && buf[1] === 0xff)
    return { text: iconv.decode(buf.subarray(2), 'utf-16be'), encoding: 'utf-16be' };
  try {
    return { text: utf8.decode(buf), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(buf, 'cp932'), encoding: 'shift_jis' };
  }
}

/** The delimiter of the header line: comma (Excel CSV), tab (Excel "Unicode text") or semicolon. */
function delimiterOf(text: string): string {
  const first = text.slice(0, Math.max(0, text.indexOf('\n')) || text.length);
  const counts = [',', '\t', ';'].map((d) => [d, first.split(d).length - 1] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![1] > 0 ? counts[0]![0] : ',';
}

/** CSV text → header and rows with their line numbers (the header is line 1). */
export function parseCsv(text: string): Omit<Table, 'format' | 'encoding'> {
  let records: { record: string[]; info: { bytes: number } }[];
  try {
    records = parse(text, {
      delimiter: delimiterOf(text),
      bom: true,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    }) as unknown as { record: string[]; info: { bytes: number } }[];
  } catch (err) {
    throw new ImportFileError(`not a readable CSV file: ${(err as Error).message}`);
  }
  const [head, ...body] = records;
  if (!head) throw new ImportFileError('the file is empty');
  // csv-parse's own line count is off after a CRLF inside quotes: count from its byte offsets instead
  const buf = Buffer.from(text, 'utf8');
  let pos = 0;
  let line = 1;
  let end = head.info.bytes;
  const rows: TableRow[] = [];
  for (const r of body) {
    let start = end;
    while (start < buf.length && (buf[start] === 0x0a || buf[start] === 0x0d)) start++;
    for (; pos < start; pos++) if (buf[pos] === 0x0a) line++;
    rows.push({ line, cells: r.record });
    end = r.info.bytes;
  }
  return { header: head.record.map((h) => String(h)), rows };
}

/** What a cell holds, as a plain value: formulas give their result, rich text its text. */
function cellValue(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Date || typeof v !== 'object') return v;
  const o = v as { result?: unknown; richText?: { text: string }[]; text?: unknown; error?: string };
  if ('result' in o) return cellValue(o.result);
  if (Array.isArray(o.richText)) return o.richText.map((t) => t.text).join('');
  if (o.text !== undefined) return cellValue(o.text);
  if (o.error !== undefined) return `#${o.error}`;
  return undefined;
}

/**
 * XLSX bytes → header and rows of the first worksheet whose first row has
 * the import's columns (else the first worksheet). Row numbers are Excel's.
 */
export async function parseXlsx(buf: Buffer, isHeader: (cells: string[]) => boolean): Promise<Table> {
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as Parameters<typeof wb.xlsx.load>[0]);
  } catch (err) {
    throw new ImportFileError(`not a readable XLSX file: ${(err as Error).message}`);
  }
  const sheets = wb.worksheets;
  if (sheets.length === 0) throw new ImportFileError('the workbook has no worksheet');
  const headerOf = (ws: (typeof sheets)[number]) => {
    const first = ws.getRow(1).values as unknown[];
    return first.slice(1).map((c) => String(cellValue(c) ?? ''));
  };
  const ws = sheets.find((s) => isHeader(headerOf(s))) ?? sheets[0]!;
  const header = headerOf(ws);
  const rows: TableRow[] = [];
  ws.eachRow({ includeEmpty: false }, (row, n) => {
    if (n === 1) return;
    const values = (row.values as unknown[]).slice(1).map(cellValue);
    if (values.every((v) => v === undefined || v === '')) return;
    rows.push({ line: n, cells: values });
  });
  return { format: 'xlsx', sheet: ws.name, header, rows };
}

/** XLSX by its zip signature, legacy XLS refused with what to do, anything else CSV. */
export function sniffFormat(buf: Buffer): 'csv' | 'xlsx' {
  if (buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04) return 'xlsx';
  if (buf[0] === 0xd0 && buf[1] === 0xcf && buf[2] === 0x11 && buf[3] === 0xe0)
    throw new ImportFileError('legacy .xls is not supported: save the sheet as .xlsx or CSV');
  return 'csv';
}
