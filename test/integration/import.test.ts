import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../src/cli/import.js';
import { runRollupsRebuild } from '../../src/cli/rollups.js';
import { loadConfig } from '../../src/config/load.js';
import { ManualClock } from '../../src/core/clock.js';
import { loadInventory } from '../../src/inventory/inventory.js';
import { generateReport, sensorsOf } from '../../src/report/generate.js';
import type { Report } from '../../src/report/types.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { TimeSeriesStore } from '../../src/store/store.js';
import { startApp, testConfig } from '../helpers/app.js';
import { INFLUXD, type Influxd, startInfluxd } from '../helpers/influxd.js';

/**
 * FY2025 readings as an office would bring them in from a logger's export:
 * one environment sensor (interval 600 s, so a reading counts for 10 min and
 * the last of a run for 30 min, the stale time), two weekdays inside opening
 * hours (08:30–17:00 JST), 10:00–12:00 every 10 minutes (13 readings a day
 * per quantity), a constant value per day — so every mean below is the same
 * whether counted per reading or weighted by time.
 *
 *   2025-06-10 (Tue): CO2 1200 ppm, 26.0 °C  (day mean 1200 > 1000: a day above)
 *   2025-10-15 (Wed): CO2  800 ppm, 22.0 °C
 *
 * Hand-worked report figures:
 *   June:    CO2 mean 1200, days measured 1, days above 1, hours above 2.5
 *            (10:00–12:00 plus the 12:00 reading's 30 min); temperature 26
 *   October: CO2 mean  800, days measured 1, days above 0, hours above 0; temperature 22
 *   Year:    CO2 mean (13·1200 + 13·800) / 26 = 1000, days 2, above 1,
 *            hours above 2.5; temperature (26 + 22) / 2 = 24
 *
 * Two hours a day cover less than the 80 % of in-use time a day's CO2 mean
 * needs to be judged (limits.co2.minDailyCoverage, tested in
 * test/rules/windows.test.ts), so these configs set it to 0: this file
 * checks the import, not the coverage rule.
 */
const DAY_A = '2025-06-10';
const DAY_B = '2025-10-15';
const TIMES = Array.from({ length: 13 }, (_, i) => {
  const m = 600 + i * 10;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
});
const day = (date: string, co2: number, temp: number) =>
  TIMES.flatMap((t) => [
    { ts: `${date} ${t}`, quantity: 'co2', value: co2, unit: 'ppm' },
    { ts: `${date} ${t}`, quantity: 'temperature', value: temp, unit: '°C' },
  ]);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kaiteki-import-'));
  dirs.push(d);
  return d;
}

const SITE = { id: 'testsite', name: { ja: 'テスト庁舎', en: 'Test office' } };
const ZONES = [{ id: 'lobby', name: { ja: 'ロビー', en: 'Lobby' }, kind: 'lobby' }];
function inventoryFile(dir: string): string {
  const f = join(dir, 'sensors.yaml');
  writeFileSync(
    f,
    'sensors:\n  - { id: lobby-env, zone: lobby, quantities: [co2, temperature], intervalSeconds: 600 }\n',
  );
  return f;
}

/** Day A as Excel's "CSV UTF-8" saves it (BOM, CRLF), with three bad rows among the good ones. */
function bomCsv(): { bytes: Buffer; bad: [number, string][] } {
  const lines = ['ts,zone,sensor,quantity,value,unit'];
  const bad: [number, string][] = [];
  for (const [i, r] of day(DAY_A, 1200, 26).entries()) {
    lines.push(`${r.ts},lobby,lobby-env,${r.quantity},${r.value},${r.unit}`);
    if (i === 5) {
      lines.push(`${DAY_A} 10:05,lobby,lobby-env,co2,,ppm`);
      bad.push([lines.length, 'missing_value']);
      lines.push(`${DAY_A} 10:05,lobby,lobby-env,co2,99999,ppm`);
      bad.push([lines.length, 'out_of_range']);
    }
  }
  lines.push(`2025-06-31 10:05,lobby,lobby-env,co2,900,ppm`);
  bad.push([lines.length, 'bad_timestamp']);
  return { bytes: Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8'), bad };
}

/** Day B as Japanese Excel's plain "CSV" saves it: Shift_JIS, Japanese headers and labels, 2025/10/15 10:00. */
function sjisCsv(): { bytes: Buffer; bad: [number, string][] } {
  const lines = ['日時,ゾーン,センサー,項目,値,単位'];
  for (const r of day(DAY_B, 800, 22)) {
    const ts = r.ts.replace(/^(\d{4})-(\d{2})-(\d{2})/, (_, y, m, d) => `${y}/${Number(m)}/${Number(d)}`);
    lines.push(
      `${ts},lobby,lobby-env,${r.quantity === 'co2' ? 'CO2' : '温度'},${r.value},${r.unit === '°C' ? '℃' : 'ppm'}`,
    );
  }
  lines.push('2025/10/15 12:10,lobby,lobby-env,温度,不明,℃');
  return { bytes: iconv.encode(`${lines.join('\r\n')}\r\n`, 'cp932'), bad: [[lines.length, 'not_a_number']] };
}

/** Both days as an XLSX sheet, ts as date cells (Excel stores wall-clock time: JST here). */
async function xlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('readings');
  ws.addRow(['ts', 'zone', 'sensor', 'quantity', 'value', 'unit']);
  for (const r of [...day(DAY_A, 1200, 26), ...day(DAY_B, 800, 22)]) {
    ws.addRow([new Date(`${r.ts.replace(' ', 'T')}:00Z`), 'lobby', 'lobby-env', r.quantity, r.value, r.unit]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function expectFy2025Figures(report: Report): void {
  const lobby = report.zones.find((z) => z.id === 'lobby')!;
  const june = lobby.months[2]!;
  const october = lobby.months[6]!;
  expect(june.co2.mean).toBeCloseTo(1200, 6);
  expect(june.co2).toMatchObject({ daysMeasured: 1, daysAbove: 1 });
  expect(june.co2.hoursAbove).toBeCloseTo(2.5, 6);
  expect(june.temperature.mean).toBeCloseTo(26, 6);
  expect(october.co2.mean).toBeCloseTo(800, 6);
  expect(october.co2).toMatchObject({ daysMeasured: 1, daysAbove: 0 });
  expect(october.co2.hoursAbove).toBeCloseTo(0, 6);
  expect(october.temperature.mean).toBeCloseTo(22, 6);
  expect(lobby.year.co2.mean).toBeCloseTo(1000, 6);
  expect(lobby.year.co2).toMatchObject({ daysMeasured: 2, daysAbove: 1 });
  expect(lobby.year.co2.hoursAbove).toBeCloseTo(2.5, 6);
  expect(lobby.year.temperature.mean).toBeCloseTo(24, 6);
  for (const m of [0, 1, 3, 4, 5, 7, 8, 9, 10, 11]) expect(lobby.months[m]!.co2.mean).toBeNull();
}

const fyRaw = (store: TimeSeriesStore) =>
  store.raw({ from: Date.parse('2025-03-31T15:00:00Z'), to: Date.parse('2026-03-31T15:00:00Z') });

let influxd: Influxd | undefined;
beforeAll(async () => {
  if (INFLUXD) influxd = await startInfluxd();
});
afterAll(async () => {
  await influxd?.close();
});

describe('kaiteki import (FY2025 readings → FY2025 report)', () => {
  it.for([
    ['embedded', () => ({})],
    [
      'influx-v1 (real influxd, through the durable buffer)',
      () => ({
        kind: 'influx-v1',
        influx: { url: influxd!.url, database: `imp_${randomUUID().slice(0, 8)}` },
      }),
    ],
  ] as const)(
    'POST /api/import on the running service: BOM and Shift_JIS CSV, bad rows by line, twice = once, report matches: %s',
    async ([kind, storeConfig], { skip }) => {
      // reported as skipped, not passed; under CI=true a missing influxd already fails (findBinary)
      skip(kind !== 'embedded' && !INFLUXD, 'influxd not installed');
      const dir = tempDir();
      const clock = new ManualClock(Date.parse('2026-05-01T01:00:00Z'));
      const config = testConfig(
        {
          site: SITE,
          zones: ZONES,
          inventory: { files: [inventoryFile(dir)] },
          store: storeConfig(),
          limits: { co2: { minDailyCoverage: 0 } }, // see the fixture note: two hours a day
        },
        { KAITEKI_ADMIN_TOKEN: 'tok' },
      );
      const app = await startApp({ config, clock });
      try {
        const post = async (bytes: Buffer, token = 'tok', query = '') =>
          fetch(`${app.url}/api/import${query}`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'text/csv',
              'x-filename': 'fy2025.csv',
            },
            body: new Uint8Array(bytes),
          });
        const a = bomCsv();
        const b = sjisCsv();
        /** InfluxDB: until the durable buffer has drained, readings count for rollups but are not in the store yet */
        const drained = () => app.storeDrained();
        expect((await post(a.bytes, 'wrong')).status).toBe(401);

        const dry = await (await post(a.bytes, 'tok', '?dryRun=1')).json();
        expect(dry).toMatchObject({ dryRun: true, accepted: 26, rejected: 3 });
        expect(await fyRaw(app.store)).toHaveLength(0);

        const ra = await (await post(a.bytes)).json();
        expect(ra).toMatchObject({
          format: 'csv',
          encoding: 'utf-8-bom',
          rows: 29,
          accepted: 26,
          rejected: 3,
        });
        expect(ra.rejections.map((r: { line: number; reason: string }) => [r.line, r.reason])).toEqual(a.bad);
        const rb = await (await post(b.bytes)).json();
        expect(rb).toMatchObject({ encoding: 'shift_jis', accepted: 26, rejected: 1 });
        expect(rb.rejections.map((r: { line: number; reason: string }) => [r.line, r.reason])).toEqual(b.bad);
        // the same file again: stored once
        expect(await (await post(a.bytes)).json()).toMatchObject({ accepted: 26 });
        await drained();
        expect(await fyRaw(app.store)).toHaveLength(52);
        // `kaiteki import FILE --url …` goes through the same route (what it does by itself when the service answers)
        const sjisFile = join(dir, 'fy2025-sjis.csv');
        writeFileSync(sjisFile, b.bytes);
        const viaCli = await runImport(
          sjisFile,
          { url: app.url, quiet: true },
          { KAITEKI_ADMIN_TOKEN: 'tok' },
        );
        expect(viaCli).toMatchObject({ encoding: 'shift_jis', accepted: 26, rejected: 1 });
        await expect(runImport(sjisFile, { url: app.url, quiet: true }, {})).rejects.toThrow(
          /KAITEKI_ADMIN_TOKEN/,
        );
        await drained();
        expect(await fyRaw(app.store)).toHaveLength(52);

        const report = await generateReport(
          { config, store: app.store, clock, sensors: sensorsOf(app.ctx.inventory) },
          { fy: 2025 },
        );
        expectFy2025Figures(report);

        // /api/series and the rollups agree on the imported hour
        const hour = Date.parse('2025-06-10T01:00:00Z');
        const body = (await (
          await fetch(
            `${app.url}/api/series?sensor=lobby-env&quantity=co2&from=${hour}&to=${hour + 3_600_000}&step=1h`,
          )
        ).json()) as { series: { points: { count: number; mean: number }[] }[] };
        const [row] = await app.store.rollups({
          sensor: 'lobby-env',
          quantity: 'co2',
          from: hour,
          to: hour + 1,
        });
        expect(row).toMatchObject({ count: 6, sum: 7200 });
        expect(body.series[0]?.points).toEqual([
          expect.objectContaining({ count: row!.count, mean: row!.sum / row!.count }),
        ]);

        // every import is in the audit trail (the dry run too), with its counts
        const audit = app.ctx.audit!.list({ action: 'readings.import' });
        expect(audit.map((e) => [e.target, (e.detail as { accepted: number }).accepted])).toEqual([
          ['fy2025-sjis.csv', 26],
          ['fy2025.csv', 26],
          ['fy2025.csv', 26],
          ['fy2025.csv', 26],
          ['fy2025.csv', 26],
        ]);
      } finally {
        await app.cleanup();
      }
    },
  );

  it('`kaiteki import FILE --direct` of an XLSX into the store, then the report from disk matches the file', async () => {
    const dir = tempDir();
    const cfgFile = join(dir, 'kaiteki.yaml');
    writeFileSync(
      cfgFile,
      `site: { id: testsite, name: { ja: テスト庁舎, en: Test office } }
zones:
  - { id: lobby, name: { ja: ロビー, en: Lobby }, kind: lobby }
inventory: { files: [${inventoryFile(dir)}] }
store: { dataDir: ${join(dir, 'data')} }
limits: { co2: { minDailyCoverage: 0 } }
http: { port: 0 }
`,
    );
    const file = join(dir, 'fy2025.xlsx');
    writeFileSync(file, await xlsx());
    const clock = new ManualClock(Date.parse('2026-05-01T01:00:00Z'));
    const env = { KAITEKI_CONFIG: cfgFile };
    const s = await runImport(file, { direct: true, quiet: true }, env, clock);
    expect(s).toMatchObject({ format: 'xlsx', sheet: 'readings', rows: 52, accepted: 52, rejected: 0 });
    expect(await runImport(file, { direct: true, quiet: true }, env, clock)).toMatchObject({ accepted: 52 });

    const config = loadConfig(env, cfgFile);
    const store = new SqliteStore(join(dir, 'data', 'kaiteki.db'));
    await store.open();
    try {
      expect(await fyRaw(store)).toHaveLength(52);
      const report = await generateReport(
        { config, store, clock, sensors: sensorsOf(loadInventory(config)) },
        { fy: 2025 },
      );
      expectFy2025Figures(report);
    } finally {
      await store.close();
    }
  });

  it('`kaiteki rollups rebuild --from --to` re-aggregates raw readings that have no rollups yet', async () => {
    const dir = tempDir();
    const cfgFile = join(dir, 'kaiteki.yaml');
    writeFileSync(
      cfgFile,
      `site: { id: testsite, name: { ja: テスト庁舎, en: Test office } }
zones:
  - { id: lobby, name: { ja: ロビー, en: Lobby }, kind: lobby }
inventory: { files: [${inventoryFile(dir)}] }
store: { dataDir: ${join(dir, 'data')} }
limits: { co2: { minDailyCoverage: 0 } }
`,
    );
    const store = new SqliteStore(join(dir, 'data', 'kaiteki.db'));
    await store.open();
    await store.write(
      [...day(DAY_A, 1200, 26), ...day(DAY_B, 800, 22)].map((r) => ({
        site: 'testsite',
        zone: 'lobby',
        sensor: 'lobby-env',
        quantity: r.quantity as 'co2' | 'temperature',
        value: r.value,
        ts: Date.parse(`${r.ts.replace(' ', 'T')}:00+09:00`),
        registered: true,
      })),
    );
    await store.close();
    const clock = new ManualClock(Date.parse('2026-05-01T01:00:00Z'));
    const env = { KAITEKI_CONFIG: cfgFile };
    const res = await runRollupsRebuild({ from: '2025-04-01', to: '2026-04-01', quiet: true }, env, clock);
    expect(res).toMatchObject({ readings: 52, rows: 12 }); // 3 hours × 2 quantities × 2 days
    const config = loadConfig(env, cfgFile);
    await store.open();
    try {
      const report = await generateReport(
        { config, store, clock, sensors: sensorsOf(loadInventory(config)) },
        { fy: 2025 },
      );
      expectFy2025Figures(report);
    } finally {
      await store.close();
    }
  });
});
