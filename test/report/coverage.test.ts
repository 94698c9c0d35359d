import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { renderCsv } from '../../src/report/csv.js';
import { renderHtml } from '../../src/report/html.js';
import { cellValue, NA, reportTables } from '../../src/report/tables.js';
import { renderXlsx } from '../../src/report/xlsx.js';
import * as fx from '../fixtures/report/coverage-fy2026.js';

const r = fx.coverageReport();
const zone = (id: string) => r.zones.find((z) => z.id === id)!;
const JUNE = 2;
const JULY = 3;
const e = fx.expected;

describe('honest figures (known answers from the docs: coverage-fy2026.ts)', () => {
  it('counts in-use time by the minute: the 08:00–08:29 warm-up is not in use', () => {
    const june = zone('lobby').months[JUNE]!;
    expect(june.coverage.temperature).toBeCloseTo(e.june.temperatureCoverage, 9);
    expect(june.temperature.withinShare).toBeCloseTo(e.june.temperatureWithin, 9);
    expect(june.temperature.mean).toBeCloseTo(e.june.temperatureMean, 9);
  });

  it('greys a figure below 80 % coverage with a note instead of presenting it as a result', () => {
    const july = zone('lobby').months[JULY]!;
    expect(july.co2.mean).toBeCloseTo(e.july.co2Mean, 9);
    expect(july.coverage.co2).toBeCloseTo(e.july.co2Coverage, 9);
    const co2 = reportTables(r).find((t) => t.sheet === 'CO2')!;
    const row = co2.rows.find((x) => x[0] === 'ロビー' && x[1] === '2026年7月')!;
    expect(row[2]).toMatchObject({ value: 800, grey: true });
    expect((row[2] as { note: string }).note).toBe('データ不足（取得率 0.5%、基準 80%）: 参考値');
    // June temperature at 81.8 % is a result: a plain number
    const th = reportTables(r).find((t) => t.sheet === '温湿度')!;
    const jrow = th.rows.find((x) => x[0] === 'ロビー' && x[1] === '2026年6月')!;
    expect(typeof jrow[2]).toBe('number');
    expect(r.findings.join('\n')).toMatch(/参考値のみの月.*ロビー CO2: 2026年7月 0\.5%/);
    // and never the "worst month" of a metric
    expect(r.findings.join('\n')).not.toMatch(/CO2: 使用時間の日平均/);
    expect(r.findings.join('\n')).toMatch(
      /温度: 基準（18–28 °C）外が最も多いのは ロビー 2026年6月、使用時間の0\.7%/,
    );
  });

  it('holds a lights state until the next change: 9.5 h after hours (staff time excluded), not 3 h', () => {
    const june = zone('office').months[JUNE]!;
    expect(june.eco.lightsAfterHoursHours).toBeCloseTo(e.june.lightsAfterHours, 9);
    expect(june.eco.lightsClosedDayHours).toBe(0);
    expect(june.coverage.lights).toBeCloseTo(1, 9);
    // a circuit that reports only on change: the hours between its readings still count
    const lobby = zone('lobby').months[JUNE]!;
    expect(lobby.eco.lightsAfterHoursHours).toBeCloseTo(e.june.onChangeAfterHours, 9);
    expect(lobby.eco.lightsClosedDayHours).toBeCloseTo(e.june.onChangeClosedDay, 9);
    // bounded: the last reading (30 June 23:50, off) holds 24 h, to 1 July 23:50, and no longer
    expect(zone('office').months[JULY]!.coverage.lights).toBeCloseTo((24 - 1 / 6) / 744, 9);
  });

  it('refuses a year-on-year comparison when a period is not covered (比較不可)', () => {
    const june = zone('office').months[JUNE]!;
    expect(june.eco.energyKwh).toBeCloseTo(e.june.energyKwh, 9);
    expect(june.eco.energyPrevKwh).toBeCloseTo(e.june.energyPrevKwh, 9);
    expect(june.coverage.energyPrev).toBeCloseTo(e.june.energyPrevCoverage, 9);
    expect(june.eco.energyComparable).toBe(false);
    expect(june.eco.energyChange).toBeNull();
    const july = zone('office').months[JULY]!;
    expect(july.eco.energyComparable).toBe(true);
    expect(july.eco.energyChange).toBeCloseTo(e.july.energyChange, 9);
    // the span to date (April–July) is half covered this year: refused too
    expect(zone('office').year.eco.energyComparable).toBe(false);
    const eco = reportTables(r).find((t) => t.sheet === '省エネ')!;
    const col = eco.columns.findIndex((c) => c.header === '前年度比');
    const jrow = eco.rows.find((x) => x[0] === '事務室' && x[1] === '2026年6月')!;
    expect(cellValue(jrow[col]!)).toBe('比較不可（データ不足）');
    expect(r.findings.join('\n')).toMatch(/前年度比は比較不可（データ不足、基準 90%）: 事務室/);
    expect(r.findings.join('\n')).toMatch(/計測: meter-1（事務室）/);
  });

  it('shows "not applicable" as —, never 0: over-cooling outside the cooling season', () => {
    const april = zone('lobby').months[0]!;
    expect(april.eco.overcoolApplicable).toBe(false);
    expect(april.eco.overcooledHours).toBeNull();
    const eco = reportTables(r).find((t) => t.sheet === '省エネ')!;
    const arow = eco.rows.find((x) => x[0] === 'ロビー' && x[1] === '2026年4月')!;
    expect(arow[2]).toBe(NA);
    // June is in season: 22 °C while open is over-cooled (below 26 °C), 153 − 1 h
    expect(zone('lobby').months[JUNE]!.eco.overcooledHours).toBeCloseTo(152, 9);
  });

  it('renders the greying in every format', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await renderXlsx(r)) as unknown as Parameters<typeof wb.xlsx.load>[0]);
    const ws = wb.getWorksheet('CO2')!;
    let cell: ExcelJS.Cell | undefined;
    ws.eachRow((row) => {
      if (row.getCell(1).value === 'ロビー' && row.getCell(2).value === '2026年7月') cell = row.getCell(3);
    });
    expect(cell!.value).toBe(800);
    expect(cell!.font.color?.argb).toBe('FF8C8C8C');
    expect(String(cell!.note)).toContain('参考値');
    const csv = renderCsv(r).toString('utf8');
    expect(csv).toMatch(/ロビー,2026年7月,\(800\)/);
    expect(renderHtml(r)).toMatch(
      /<td class="n grey" title="データ不足（取得率 0\.5%、基準 80%）: 参考値">800<sup>※<\/sup><\/td>/,
    );
  });
});
