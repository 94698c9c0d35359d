import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../src/cli/backfill.js';
import { registerReportCommands, runReport } from '../../src/cli/report.js';
import { ManualClock } from '../../src/core/clock.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import * as fx from '../fixtures/report/small-fy2026.js';

const dir = mkdtempSync(join(tmpdir(), 'kaiteki-report-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A config + inventory on disk describing the fixture's site, zones and sensors. */
function writeConfig(name: string, sensors: string): string {
  const cfg = join(dir, `${name}.yaml`);
  const inv = join(dir, `${name}-sensors.yaml`);
  writeFileSync(inv, sensors);
  writeFileSync(
    cfg,
    `site: { id: testsite, name: { ja: テスト庁舎, en: Test office } }
zones:
  - { id: lobby, name: { ja: ロビー, en: Lobby }, kind: lobby, illuminanceTarget: 500 }
  - { id: counter, name: { ja: 窓口, en: Counter }, kind: counter, illuminanceTarget: 750 }
inventory: { files: [${inv}] }
store: { dataDir: ${join(dir, name)} }
report: { dir: ${join(dir, name, 'reports')} }
`,
  );
  return cfg;
}

const load = async (path: string) => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(readFileSync(path) as unknown as Parameters<typeof wb.xlsx.load>[0]);
  return wb;
};

describe('kaiteki report (known-answer fixture through the embedded store)', () => {
  it('writes an XLSX whose figures match the hand-worked answers', async () => {
    const cfg = writeConfig(
      'fixture',
      `sensors:\n${fx.sensors.map((s) => `  - { id: ${s.id}, zone: ${s.zone}, intervalSeconds: ${s.intervalSeconds} }`).join('\n')}\n`,
    );
    const store = new SqliteStore(join(dir, 'fixture', 'kaiteki.db'));
    await store.open();
    await store.writeRollups([...fx.previousRows, ...fx.rows]);
    await store.close();

    const out = join(dir, 'fixture.xlsx');
    // FY2026 is complete once it is 1 April 2027 JST
    const clock = new ManualClock(fx.jst('2027-04-01T02:00'));
    const path = await runReport(
      { fy: '2026', format: 'xlsx', out, config: cfg, quiet: true },
      process.env,
      clock,
    );
    expect(path).toBe(out);
    const wb = await load(out);
    const eco = wb.getWorksheet('省エネ')!;
    let april: ExcelJS.Row | undefined;
    eco.eachRow((r) => {
      if (r.getCell(1).value === 'ロビー' && r.getCell(2).value === '2026年4月') april = r;
    });
    const header = eco.getRow((eco.views[0] as { ySplit: number }).ySplit).values as unknown[];
    const col = (h: string) => header.findIndex((v) => typeof v === 'string' && v.startsWith(h));
    expect(april!.getCell(col('電力量')).value).toBeCloseTo(fx.expected.lobby.april.energyKwh, 9);
    expect(april!.getCell(col('前年度同月')).value).toBeCloseTo(fx.expected.lobby.april.energyPrevKwh, 9);
    expect(april!.getCell(col('時間外点灯')).value).toBeCloseTo(fx.expected.lobby.april.lightsAfterHours, 9);
    const dc = wb.getWorksheet('データ取得率')!;
    let dead: ExcelJS.Row | undefined;
    dc.eachRow((r) => {
      if (r.getCell(2).value === 'dead-1') dead = r;
    });
    expect(dead!.getCell(4).value).toBe(fx.expected.completeness.dead1Year.expected);
    expect(dead!.getCell(5).value).toBe(0);
  });

  it('rejects a bad format or year with a usage error', async () => {
    await expect(runReport({ format: 'docx', fy: '2026' })).rejects.toThrow(/--format must be one of/);
    await expect(runReport({ format: 'xlsx', fy: 'next' })).rejects.toThrow(/--fy must be a year/);
  });
});

describe('kaiteki backfill, then kaiteki report', () => {
  it('fills a synthetic year so that every sheet of the report has rows', async () => {
    const cfg = writeConfig(
      'demo',
      `sensors:
  - { id: env, zone: lobby, quantities: [temperature, humidity, co2, illuminance], intervalSeconds: 60 }
  - { id: lights, zone: lobby, quantities: [lights], intervalSeconds: 60 }
  - { id: ticket, zone: counter, quantities: [waiting, wait_minutes], intervalSeconds: 30 }
  - { id: meter, zone: counter, quantities: [power, energy], intervalSeconds: 60 }
`,
    );
    const rows = await runBackfill({ fy: '2025', years: '2', seed: '7', config: cfg, quiet: true });
    // 2 years × (4 + 1 + 2 + 2 series) × ~8760 hours, less the simulated outages
    expect(rows).toBeGreaterThan(2 * 9 * 8760 * 0.95);
    expect(rows).toBeLessThan(2 * 9 * 8784);
    const program = new Command().exitOverride();
    registerReportCommands(program);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await program.parseAsync(['report', '--fy', '2025', '--config', cfg, '--quiet'], { from: 'user' });
    expect(process.exitCode ?? 0).toBe(0);
    const path = join(dir, 'demo', 'reports', 'テスト庁舎_環境省エネ報告_2025年度.xlsx');
    expect(log).toHaveBeenCalledWith(path);
    log.mockRestore();
    expect(existsSync(path)).toBe(true);
    const wb = await load(path);
    expect(wb.worksheets).toHaveLength(8);
    for (const ws of wb.worksheets) {
      const header = (ws.views[0] as { ySplit: number }).ySplit;
      expect(ws.rowCount, ws.name).toBeGreaterThan(header);
    }
    // every sheet prints on A4 landscape, one page wide, with its header row and label columns repeated
    for (const ws of wb.worksheets) {
      const ps = ws.pageSetup;
      expect(ps.paperSize, ws.name).toBe(9);
      expect(ps.orientation, ws.name).toBe('landscape');
      expect(ps.fitToPage, ws.name).toBe(true);
      expect(ps.fitToWidth, ws.name).toBe(1);
      expect(ps.fitToHeight, ws.name).toBe(0);
      const header = (ws.views[0] as { ySplit: number }).ySplit;
      expect(ps.printTitlesRow, ws.name).toBe(`${header}:${header}`);
      expect(ps.printTitlesColumn, ws.name).toMatch(/^A:[AB]$/);
      expect(ws.getRow(header).getCell(1).font?.name, ws.name).toBe('Yu Gothic');
      expect(ws.getRow(header + 1).getCell(1).font?.name, ws.name).toBe('Yu Gothic');
    }
    // figures exist where the model has data: energy with a previous year to compare with
    const summary = wb.getWorksheet('概要')!;
    let counter: ExcelJS.Row | undefined;
    summary.eachRow((r) => {
      if (r.getCell(1).value === '窓口') counter = r;
    });
    // energy (col 9) and the change on the previous year (col 10), both years fully metered
    expect(typeof counter!.getCell(9).value).toBe('number');
    expect(typeof counter!.getCell(10).value).toBe('number');
  });
});
