/**
 * Bench child: scenario 5, the fiscal-year report. Seeds an embedded store
 * with a full fiscal year of hourly rollups (the report's backfill: 40
 * sensors reporting once a minute), then per run times (a) the baseline,
 * reading the year's rollups out of the store as raw SQLite rows, no
 * mapping, (b) the store's rollups() month by month as the report reads them, and (c) the report itself: read + aggregate (generateReport) and
 * the xlsx rendering, each separately.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseConfig } from '../src/config/load.js';
import { systemClock } from '../src/core/clock.js';
import { fiscalYearOf, fiscalYearRange, jstMidnight } from '../src/core/jst.js';
import type { Quantity } from '../src/core/quantities.js';
import { type BackfillSensor, backfillYear } from '../src/report/backfill.js';
import { generateReport, renderReport } from '../src/report/generate.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { onCommand, reply } from './lib/child.js';

const sensors = Number(process.env.BENCH_REPORT_SENSORS ?? 40);
const PER_ZONE = 10;
const ENV_QUANTITIES: Quantity[] = ['temperature', 'humidity', 'co2', 'illuminance'];
const METERS = 2;

const dir = mkdtempSync(join(tmpdir(), 'kaiteki-bench-report-'));
const zones = Array.from({ length: Math.ceil(sensors / PER_ZONE) }, (_, i) => `r${i + 1}`);
const config = parseConfig(
  {
    site: { id: 'bench', name: { ja: 'ベンチ庁舎', en: 'Bench office' } },
    zones: zones.map((id) => ({ id, name: { ja: id, en: id }, kind: 'office' })),
    inventory: { files: [] },
    store: { dataDir: dir },
    report: { schedule: { enabled: false } },
  },
  'bench',
  {},
);
const list: BackfillSensor[] = Array.from({ length: sensors }, (_, i) => ({
  site: 'bench',
  zone: zones[Math.floor(i / PER_ZONE)]!,
  id: `m${String(i + 1).padStart(3, '0')}`,
  intervalSeconds: 60,
  quantities: i < sensors - METERS ? ENV_QUANTITIES : ['power', 'energy'],
}));
const fy = fiscalYearOf(Date.now()) - 1;
const store = new SqliteStore(join(dir, 'kaiteki.db'));
await store.open();
const t = performance.now();
const rows = await backfillYear(store, {
  config,
  sensors: list,
  fy,
  stepMs: Number(process.env.BENCH_REPORT_STEP_MS ?? 600_000),
});
const raw = new Database(join(dir, 'kaiteki.db'), { readonly: true });
const rawStmt = raw.prepare('SELECT * FROM rollups WHERE hour >= ? AND hour < ?');
reply({ ev: 'ready', rows, fy, seedMs: performance.now() - t });

onCommand(async (msg) => {
  if (msg.cmd === 'stop') {
    raw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
  if (msg.cmd !== 'run') return;
  const { from, to } = fiscalYearRange(fy);
  let t0 = performance.now();
  // baseline: the same rows straight out of SQLite, no mapping
  let rawRows = 0;
  for (const row of rawStmt.raw().iterate(from, to)) if (row) rawRows++;
  const rawMs = performance.now() - t0;
  t0 = performance.now();
  let read = 0;
  for (let m = 0; m < 12; m++) {
    const a = jstMidnight(fy, 4 + m, 1);
    const b = Math.min(jstMidnight(fy, 5 + m, 1), to);
    read += (await store.rollups({ site: 'bench', from: a, to: b })).length;
  }
  const readMs = performance.now() - t0;
  t0 = performance.now();
  const report = await generateReport({ config, store, clock: systemClock, sensors: list }, { fy, to });
  const generateMs = performance.now() - t0;
  t0 = performance.now();
  const xlsx = await renderReport(report, 'xlsx');
  const xlsxMs = performance.now() - t0;
  reply({
    ev: 'result',
    rawRows,
    rawMs,
    read,
    readMs,
    generateMs,
    xlsxMs,
    xlsxBytes: xlsx.length,
    from,
    to,
    rss: process.memoryUsage.rss(),
  });
});
