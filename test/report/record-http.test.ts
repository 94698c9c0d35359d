import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus, type CalibrationNeed } from '../../src/core/bus.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { reportRouter } from '../../src/report/routes.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import * as fx from '../fixtures/report/record-2026-10.js';

const dir = mkdtempSync(join(tmpdir(), 'kaiteki-record-http-'));
const store = new SqliteStore(join(dir, 'kaiteki.db'));
const clock = new ManualClock(fx.jst('2026-12-01T02:00'));
const config = fx.recordConfig(dir);
const bus = new Bus();
let server: ReturnType<express.Express['listen']>;
let base = '';

beforeAll(async () => {
  await store.open();
  await store.write(fx.readings());
  await store.writeRollups(fx.rows());
  const app = express();
  app.use(
    '/api',
    reportRouter({ config, store, clock, sensors: [], log: silentLogger, bus, adminToken: 'secret-token' }),
  );
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

describe('the legal record over HTTP', () => {
  it('imports the official measurement (admin) and raises a calibration notice per drifting sensor', async () => {
    const seen: CalibrationNeed[] = [];
    bus.on('calibration', (n) => seen.push(n));
    const denied = await fetch(`${base}/api/reports/record/official`, {
      method: 'POST',
      body: fx.OFFICIAL_CSV,
    });
    expect(denied.status).toBe(401);
    const res = await fetch(`${base}/api/reports/record/official`, {
      method: 'POST',
      headers: { authorization: 'Bearer secret-token', 'content-type': 'text/csv' },
      body: fx.OFFICIAL_CSV,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      imported: number;
      rejected: unknown[];
      calibration: CalibrationNeed[];
    };
    expect(body.imported).toBe(4);
    expect(body.rejected).toHaveLength(1);
    expect(seen.map((n) => `${n.sensor}/${n.quantity}/${n.diff}`).sort()).toEqual([
      'env-1/co2/200',
      'env-1/humidity/6',
    ]);
  });

  it('serves GET /api/reports/record?from=2026-10&months=2 from the store, with the official values beside', async () => {
    const res = await fetch(`${base}/api/reports/record?from=2026-10&months=2&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('kaiteki-record-ks-2026-10-2m.csv');
    const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
    expect(text).toContain('11月4日(水),ロビー（1F）,15:00,—,—,,28.6,50,—');
    expect(text).toContain('10月12日(月),祝日（スポーツの日）');
    expect(text).toContain('要校正（許容 ±100）');
    const xlsx = await fetch(`${base}/api/reports/record?from=2026-10&months=2`);
    expect(
      Buffer.from(await xlsx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
  });

  it('answers 400 for a bad month, a bad count or a period not begun', async () => {
    expect((await fetch(`${base}/api/reports/record?from=2026-13`)).status).toBe(400);
    expect((await fetch(`${base}/api/reports/record?from=2026-10&months=0`)).status).toBe(400);
    expect((await fetch(`${base}/api/reports/record?from=2027-10`)).status).toBe(400);
    expect((await fetch(`${base}/api/reports/record?from=2026-10&format=pdf`)).status).toBe(400);
  });
});
