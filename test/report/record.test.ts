import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRecord } from '../../src/report/record/build.js';
import { loadOfficial, parseOfficialCsv, saveOfficial } from '../../src/report/record/official.js';
import {
  recordTables,
  renderRecordCsv,
  renderRecordHtml,
  renderRecordXlsx,
} from '../../src/report/record/render.js';
import { cellValue } from '../../src/report/tables.js';
import * as fx from '../fixtures/report/record-2026-10.js';

const dir = mkdtempSync(join(tmpdir(), 'kaiteki-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = fx.recordConfig(dir);
const official = parseOfficialCsv(Buffer.from(fx.OFFICIAL_CSV), config);
const rec = buildRecord({
  config,
  judgement: fx.judgement(config),
  fromMonth: '2026-10',
  months: 2,
  generatedAt: fx.jst('2026-12-01T02:00'),
  readings: fx.readings(),
  rows: fx.rows(),
  official: official.values,
});
const day = (date: string) => rec.days.find((d) => d.date === date);
const lobby = (date: string) => day(date)!.points.find((p) => p.zone === 'lobby')!;

describe('legal air-environment record, October–November 2026 (known answers: record-2026-10.ts)', () => {
  it('records every in-use day and names the closed days, national holidays included', () => {
    expect(rec.days.map((d) => d.date)).toEqual(fx.weekdays());
    expect(rec.days).toHaveLength(40);
    expect(rec.closedDays).toHaveLength(21);
    expect(day('2026-10-12')).toBeUndefined();
    const reasons = Object.fromEntries(rec.closedDays.map((d) => [d.date, d.reason]));
    expect(reasons['2026-10-12']).toBe('祝日（スポーツの日）');
    expect(reasons['2026-11-03']).toBe('祝日（文化の日）');
    expect(reasons['2026-11-23']).toBe('祝日（勤労感謝の日）');
    expect(reasons['2026-10-03']).toBe('土曜日');
    expect(rec.days[0]!.points.map((p) => p.name)).toEqual(['ロビー', '事務室']);
  });

  it('takes the reading nearest each measurement time and judges temperature and humidity on each value', () => {
    const p = lobby('2026-10-01');
    expect(p.at['10:00']?.temperature).toMatchObject({ value: 22, ok: true, ts: fx.jst('2026-10-01T10:01') });
    expect(p.at['15:00']?.temperature).toMatchObject({
      value: 27.5,
      ok: true,
      ts: fx.jst('2026-10-01T14:59'),
    });
    expect(p.failures).toEqual([]);
    expect(lobby('2026-11-04').at['15:00']?.temperature).toMatchObject({ value: 28.6, ok: false });
    expect(lobby('2026-11-04').failures).toEqual(['温度 15:00']);
    expect(lobby('2026-10-13').failures).toEqual(['相対湿度 10:00']);
  });

  it('judges CO2 on the day’s in-use mean, not on single values; too little data is not judged', () => {
    const d14 = lobby('2026-10-14');
    expect(d14.at['10:00']?.co2?.value).toBe(1100);
    expect(d14.at['10:00']?.co2?.ok).toBeUndefined();
    expect(d14.mean.co2).toMatchObject({ value: 950, coverage: 1, ok: true });
    expect(d14.failures).toEqual([]);
    const d15 = lobby('2026-10-15');
    expect(d15.mean.co2).toMatchObject({ value: 1020, ok: false });
    expect(d15.failures).toEqual(['二酸化炭素 日平均']);
    const d16 = lobby('2026-10-16');
    expect(d16.mean.co2?.value).toBe(1500);
    expect(d16.mean.co2?.coverage).toBeCloseTo(1 / 8.5, 9);
    expect(d16.mean.co2?.ok).toBeUndefined();
    expect(d16.failures).toEqual([]);
  });

  it('marks the items no sensor measures as needing the official measurement', () => {
    expect(rec.items.map((i) => [i.id, i.hasSensor])).toEqual([
      ['dust', false],
      ['co', false],
      ['co2', true],
      ['temperature', true],
      ['humidity', true],
      ['airflow', false],
    ]);
    const [sheet] = recordTables(rec);
    expect(sheet!.columns.map((c) => c.header)).toContain('浮遊粉じん (mg/m³) ※公式測定');
    // a missing reading is named, not left as an unexplained blank
    const office = sheet!.rows.find(
      (r) => r[0] === '10月1日(木)' && r[1] === '事務室（2F）' && r[2] === '日平均',
    )!;
    expect(office.at(-1)).toBe('欠測: 温度 15:00');
  });

  it('shows the official measurement beside the sensor and flags drift for calibration', () => {
    expect(official.rejected).toEqual([{ line: 6, reason: 'unknown zone "nowhere"' }]);
    const by = Object.fromEntries(rec.official.map((o) => [o.item, o]));
    expect(by.temperature).toMatchObject({
      official: 21.5,
      sensorValue: 22,
      diff: 0.5,
      drift: false,
      sensor: 'env-1',
    });
    expect(by.co2).toMatchObject({ official: 900, sensorValue: 1100, diff: 200, drift: true });
    expect(by.humidity).toMatchObject({ official: 44, sensorValue: 50, diff: 6, drift: true });
    expect(by.dust).toMatchObject({ sensor: null, diff: null, drift: false });
    expect(rec.calibration.map((c) => `${c.sensor}/${c.item}`).sort()).toEqual([
      'env-1/co2',
      'env-1/humidity',
    ]);
    const table = recordTables(rec)[3]!;
    expect(table.rows.map((r) => cellValue(r.at(-1)!))).toContain('要校正（許容 ±100）');
  });

  it('keeps imported official values, once per time, zone and item', () => {
    expect(saveOfficial(config, official.values)).toBe(4);
    expect(saveOfficial(config, official.values)).toBe(4);
    expect(loadOfficial(config)).toHaveLength(4);
  });

  it('prints like the eco report and renders as CSV and HTML', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await renderRecordXlsx(rec)) as unknown as Parameters<typeof wb.xlsx.load>[0]);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['測定記録', '集計', '閉庁日', '公式測定との比較']);
    for (const ws of wb.worksheets) {
      expect(ws.pageSetup.orientation, ws.name).toBe('landscape');
      expect(ws.pageSetup.paperSize, ws.name).toBe(9);
      expect(ws.pageSetup.fitToWidth, ws.name).toBe(1);
      expect(ws.pageSetup.fitToHeight, ws.name).toBe(0);
      expect(ws.pageSetup.printTitlesRow, ws.name).toMatch(/^\d+:\d+$/);
    }
    expect(wb.getWorksheet('測定記録')!.pageSetup.printTitlesColumn).toBe('A:C');
    const csv = renderRecordCsv(rec).toString('utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toContain('11月4日(水),ロビー（1F）,15:00');
    const html = renderRecordHtml(rec);
    expect(html).not.toMatch(/<script/);
    expect(html).toContain('<td class="n bad">28.6</td>');
  });
});
