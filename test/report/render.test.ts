import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { renderCsv } from '../../src/report/csv.js';
import { renderHtml } from '../../src/report/html.js';
import { renderXlsx } from '../../src/report/xlsx.js';
import * as fx from '../fixtures/report/small-fy2026.js';

const _config = fx.fixtureConfig();
const report = fx.fixtureReport();
const e = fx.expected;

/** The data row of a sheet whose cells start with the given values. */
function findRow(ws: ExcelJS.Worksheet, ...prefix: string[]): ExcelJS.Row {
  let found: ExcelJS.Row | undefined;
  ws.eachRow((row) => {
    if (prefix.every((p, i) => row.getCell(i + 1).value === p)) found ??= row;
  });
  if (!found) throw new Error(`no row ${prefix.join(' / ')} in ${ws.name}`);
  return found;
}

function headerIndex(ws: ExcelJS.Worksheet, headerRow: number, startsWith: string): number {
  const values = ws.getRow(headerRow).values as unknown[];
  const i = values.findIndex((v) => typeof v === 'string' && v.startsWith(startsWith));
  if (i < 0) throw new Error(`no column ${startsWith} in ${ws.name}`);
  return i;
}

describe('XLSX (read back with exceljs)', async () => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await renderXlsx(report)) as unknown as Parameters<typeof wb.xlsx.load>[0]);

  it('has Japanese sheet names in order, each with a frozen header row', () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '概要',
      '温湿度',
      'CO2',
      '照度',
      '省エネ',
      '窓口',
      '警報',
      'データ取得率',
    ]);
    for (const ws of wb.worksheets) {
      const view = ws.views[0] as { state: string; ySplit: number };
      expect(view.state).toBe('frozen');
      expect(ws.getRow(view.ySplit).getCell(1).value).toMatch(/ゾーン|月/);
      expect(ws.rowCount).toBeGreaterThan(view.ySplit);
    }
  });

  it('puts the period (both labels) and the findings on the first sheet', () => {
    const ws = wb.getWorksheet('概要')!;
    expect(ws.getCell('A2').value).toBe(
      '対象期間: 2026年度（令和8年度） 2026年4月1日 〜 2027年3月31日（日本時間）',
    );
    const texts: string[] = [];
    ws.eachRow((row) => texts.push(String(row.getCell(1).value)));
    for (const f of report.findings) expect(texts).toContain(`・${f}`);
  });

  it('stores the known-answer figures as numbers with number formats', () => {
    const th = wb.getWorksheet('温湿度')!;
    const hr = (th.views[0] as { ySplit: number }).ySplit;
    const row = findRow(th, 'ロビー', '2026年4月');
    const mean = row.getCell(headerIndex(th, hr, '温度 平均'));
    expect(mean.value).toBeCloseTo(e.lobby.april.temperatureMean, 9);
    expect(mean.numFmt).toBe('#,##0.0');
    const within = row.getCell(headerIndex(th, hr, '温度 基準内'));
    expect(within.value).toBeCloseTo(e.lobby.april.temperatureWithin, 9);
    expect(within.numFmt).toBe('0.0%');
    const year = findRow(th, 'ロビー', '年度計');
    expect(year.getCell(headerIndex(th, hr, '温度 平均')).value).toBeCloseTo(e.lobby.year.temperatureMean, 9);

    const co2 = wb.getWorksheet('CO2')!;
    const co2Row = findRow(co2, 'ロビー', '2026年4月');
    expect(co2Row.getCell(headerIndex(co2, hr, '日平均1000')).value).toBe(e.lobby.april.co2DaysAbove);
    expect(co2Row.getCell(headerIndex(co2, hr, '1000 ppm超')).value).toBeCloseTo(
      e.lobby.april.co2HoursAbove,
      9,
    );

    const eco = wb.getWorksheet('省エネ')!;
    const ecoRow = findRow(eco, 'ロビー', '2026年4月');
    expect(ecoRow.getCell(headerIndex(eco, hr, '電力量')).value).toBeCloseTo(e.lobby.april.energyKwh, 9);
    expect(ecoRow.getCell(headerIndex(eco, hr, '前年度比')).value).toBeCloseTo(e.lobby.april.energyChange, 9);
    expect(ecoRow.getCell(headerIndex(eco, hr, '閉庁日点灯')).value).toBeCloseTo(
      e.lobby.april.lightsClosedDay,
      9,
    );
    // no previous-year data for May: an empty cell, not 0
    const mayRow = findRow(eco, 'ロビー', '2026年5月');
    expect(mayRow.getCell(headerIndex(eco, hr, '前年度比')).value).toBeNull();

    const q = wb.getWorksheet('窓口')!;
    const qRow = findRow(q, '窓口', '2026年4月');
    expect(qRow.getCell(headerIndex(q, hr, '平均待ち時間')).value).toBeCloseTo(
      e.counter.april.waitMinutesMean,
      9,
    );
    expect(qRow.getCell(headerIndex(q, hr, '40分以上')).value).toBeCloseTo(e.counter.april.redHours, 9);

    const al = wb.getWorksheet('警報')!;
    const alRow = findRow(al, '2026年4月', '快適性', '警告');
    expect(alRow.getCell(4).value).toBe(2);
    expect(alRow.getCell(6).value).toBeCloseTo(20, 9);

    const dc = wb.getWorksheet('データ取得率')!;
    const dRow = findRow(dc, '窓口', 'dead-1');
    expect(dRow.getCell(headerIndex(dc, hr, '年度計')).value).toBe(0);
    const envRow = findRow(dc, 'ロビー', 'env1');
    expect(envRow.getCell(headerIndex(dc, hr, '受信数')).value).toBe(e.completeness.env1Year.received);
  });
});

describe('CSV (read back)', () => {
  const buf = renderCsv(report);
  const text = buf.subarray(3).toString('utf8');

  it('starts with a UTF-8 BOM and ends every line with CRLF', () => {
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '').includes('\n')).toBe(false);
  });

  it('holds every table as a section with rounded known-answer figures', () => {
    const lines = parseCsv(text);
    const sections = lines.filter((l) => l[0]?.startsWith('【')).map((l) => l[0]);
    expect(sections).toEqual([
      '【主な所見】',
      '【概要】年度集計（ゾーン別）',
      '【温湿度】温度・湿度（使用時間）',
      '【CO2】二酸化炭素（使用時間）',
      '【照度】照度（使用時間）',
      '【省エネ】省エネ',
      '【窓口】窓口の待ち（使用時間）',
      '【警報】警報（発生月別）',
      '【データ取得率】データ取得率（受信数 ÷ 期待数）',
    ]);
    const start = lines.findIndex((l) => l[0] === '【温湿度】温度・湿度（使用時間）');
    const header = lines[start + 1]!;
    const row = lines.find((l) => l[0] === 'ロビー' && l[1] === '2026年4月' && lines.indexOf(l) > start)!;
    // a few hours of data in a month: reference values in brackets, not results
    expect(row[header.indexOf('温度 平均 (°C)')]).toBe('(26)');
    // 66.666…% → 66.7 with "(%)" in the header
    expect(row[header.indexOf('温度 基準内 (18–28 °C) (%)')]).toBe('(66.7)');
    const eco = lines.findIndex((l) => l[0] === '【省エネ】省エネ');
    const ecoHeader = lines[eco + 1]!;
    const may = lines.find((l, i) => i > eco && l[0] === 'ロビー' && l[1] === '2026年5月')!;
    expect(may[ecoHeader.indexOf('前年度比 (%)')]).toBe('');
    // 10 kWh from a few hours of meter data: a reference value
    expect(may[ecoHeader.indexOf('電力量 (kWh)')]).toBe('(10)');
  });
});

/** RFC 4180 parser (quoted fields, doubled quotes, CRLF records). */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      out.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return out;
}

describe('HTML', () => {
  const html = renderHtml(report);
  it('is self-contained and printable, with inline SVG charts and both fiscal-year labels', () => {
    expect(html).toContain('2026年度（令和8年度）');
    expect(html.match(/<svg /g)?.length).toBe(3);
    expect(html).toContain('@page');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    // greyed with its note: a few hours of data are a reference value, not a result
    expect(html).toMatch(
      /<td class="n grey" title="データ不足（取得率 [^"]*）: 参考値">66\.7%<sup>※<\/sup><\/td>/,
    );
  });
});
