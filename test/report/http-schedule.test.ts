import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import type { ReportSources } from '../../src/report/generate.js';
import { contentDisposition, reportRouter } from '../../src/report/routes.js';
import { ReportSchedule, scheduledReport } from '../../src/report/schedule.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import * as fx from '../fixtures/report/small-fy2026.js';

const dir = mkdtempSync(join(tmpdir(), 'kaiteki-report-http-'));
const store = new SqliteStore(join(dir, 'kaiteki.db'));
const clock = new ManualClock(fx.jst('2027-04-01T02:00'));
const src: ReportSources = {
  config: fx.fixtureConfig(),
  store,
  clock,
  sensors: fx.sensors,
  alertFacts: async (from, to) => fx.alerts.filter((a) => a.openedAt >= from && a.openedAt < to),
};
let server: ReturnType<express.Express['listen']>;
let base = '';

beforeAll(async () => {
  await store.open();
  await store.writeRollups([...fx.previousRows, ...fx.rows]);
  const app = express();
  app.use('/api', reportRouter({ ...src, log: silentLogger }));
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/reports/eco', () => {
  it('serves the XLSX with a Japanese file name (RFC 5987) and an ASCII fallback', async () => {
    const res = await fetch(`${base}/api/reports/eco?fy=2026&format=xlsx`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers.get('content-disposition')).toBe(
      contentDisposition('テスト庁舎_環境省エネ報告_2026年度.xlsx', 'kaiteki-eco-testsite-FY2026.xlsx'),
    );
    expect(res.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent('テスト庁舎_環境省エネ報告_2026年度.xlsx')}`,
    );
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.subarray(0, 2).toString()).toBe('PK');
  });

  it('serves CSV with a BOM and counts the alerts from the alert source', async () => {
    const res = await fetch(`${base}/api/reports/eco?fy=2026&format=csv`);
    const buf = Buffer.from(await res.arrayBuffer());
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(buf.toString('utf8')).toContain('警報 3件（うち重大 1件）');
  });

  it('answers 400 for a bad format, a bad year and a year not yet begun', async () => {
    expect((await fetch(`${base}/api/reports/eco?fy=2026&format=docx`)).status).toBe(400);
    expect((await fetch(`${base}/api/reports/eco?fy=abc`)).status).toBe(400);
    const res = await fetch(`${base}/api/reports/eco?fy=2030&format=csv`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/has not started/);
  });
});

describe('scheduled reports', () => {
  it('picks the finished year on 1 April and the year to date on other 1sts (JST)', () => {
    // 1 April 2027 02:00 JST is still 31 March in UTC
    expect(scheduledReport('yearly', fx.jst('2027-04-01T02:00'))).toEqual({
      fy: 2026,
      to: fx.jst('2027-04-01T00:00'),
    });
    expect(scheduledReport('monthly', fx.jst('2027-04-01T02:00'))).toBeNull();
    expect(scheduledReport('monthly', fx.jst('2026-05-01T02:00'))).toEqual({
      fy: 2026,
      to: fx.jst('2026-05-01T00:00'),
    });
    // on 1 January the year to date ends on 31 December
    expect(scheduledReport('monthly', fx.jst('2027-01-01T02:00'))).toEqual({
      fy: 2026,
      to: fx.jst('2027-01-01T00:00'),
    });
  });

  it('schedules in Asia/Tokyo whatever the host zone, and a run writes every format', async () => {
    const out = join(dir, 'reports');
    const s = new ReportSchedule(src, {
      dir: out,
      yearly: '0 2 1 4 *',
      monthly: '0 2 1 * *',
      formats: ['xlsx', 'csv', 'html'],
      log: silentLogger,
    });
    s.start();
    try {
      const next = s.nextRuns();
      // 02:00 JST on the 1st = 17:00 UTC on the last day of the month before
      expect(next.monthly!.getUTCHours()).toBe(17);
      expect(next.yearly!.toISOString()).toMatch(/-03-31T17:00:00\.000Z$/);
    } finally {
      await s.stop();
    }
    const paths = await s.run('yearly');
    expect(paths.map((p) => p.slice(out.length + 1)).sort()).toEqual([
      'テスト庁舎_環境省エネ報告_2026年度.csv',
      'テスト庁舎_環境省エネ報告_2026年度.html',
      'テスト庁舎_環境省エネ報告_2026年度.xlsx',
    ]);
    for (const p of paths) expect(existsSync(p)).toBe(true);
    expect(readdirSync(out).some((f) => f.endsWith('.tmp'))).toBe(false);
    clock.set(fx.jst('2026-08-01T02:00'));
    const ytd = await s.run('monthly');
    // the monthly run writes the legal record of the two months just ended, then the year to date
    expect(ytd.map((p) => p.slice(out.length + 1))).toEqual([
      'テスト庁舎_空気環境測定記録_2026年6月-7月.xlsx',
      'テスト庁舎_空気環境測定記録_2026年6月-7月.csv',
      'テスト庁舎_空気環境測定記録_2026年6月-7月.html',
      'テスト庁舎_環境省エネ報告_2026年度_2026年7月31日まで.xlsx',
      'テスト庁舎_環境省エネ報告_2026年度_2026年7月31日まで.csv',
      'テスト庁舎_環境省エネ報告_2026年度_2026年7月31日まで.html',
    ]);
    clock.set(fx.jst('2027-04-01T02:00'));
  });
});
