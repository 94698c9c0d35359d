import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import * as fx from '../fixtures/report/record-2026-10.js';
import { getJson, startApp, testConfig } from '../helpers/app.js';
import { waitFor } from '../helpers/binaries.js';

/**
 * Issue 16 item 5: a sensor that drifts from the official bi-monthly
 * measurement raises ONE info alert (sensor.calibration), through the real
 * import route; a later official measurement within tolerance resolves it.
 * Fixture (test/fixtures/report/record-2026-10.ts): ロビー env-1 reads 22.0 °C
 * at 10:01 on 14 Oct 2026 and 27.5 °C at 14:59; the temperature tolerance is
 * ±1 °C (report.record.drift default).
 */
const TOKEN = 'calibration-admin-token-0123';

interface Hook {
  event: string;
  title: string;
  text: string;
  alert: { id: number; rule: string };
}
interface AlertRow {
  id: number;
  rule: string;
  kind: string;
  category: string;
  severity: string;
  state: string;
  sensor: string;
  quantity: string;
  subject?: string;
  title: { ja: string; en: string };
  advice: { ja: string; en: string };
  value: number;
  limit: { above?: number; below?: number };
  resolveReason: string | null;
  calibration: { official: number; sensorValue: number; measuredAt: string } | null;
}

describe('calibration alerts from the official measurement (POST /api/reports/record/official)', () => {
  let hook: Server;
  const received: Hook[] = [];
  let config: ReturnType<typeof testConfig>;
  const clock = new ManualClock(fx.jst('2026-12-01T11:00'));
  let app: Awaited<ReturnType<typeof startApp>>;

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString('utf8');
      });
      req.on('end', () => {
        received.push(JSON.parse(body) as Hook);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    config = testConfig(
      {
        site: { id: 'ks', name: { ja: 'テスト庁舎', en: 'Test office' } },
        zones: [
          { id: 'lobby', name: { ja: 'ロビー', en: 'Lobby' }, kind: 'lobby', floor: '1F' },
          { id: 'office', name: { ja: '事務室', en: 'Office' }, kind: 'office', floor: '2F' },
        ],
        alerts: {
          // quiet hours are tested in notifications.test.ts; this test runs at any hour
          quietHours: { enabled: false },
          groupSeconds: 0,
          retry: { attempts: 2, backoffMs: 10 },
        },
      },
      {
        KAITEKI_ADMIN_TOKEN: TOKEN,
        KAITEKI_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
      },
    );
    app = await startApp({ config, clock });
    await app.ctx.store.write(fx.readings());
    await app.ctx.store.writeRollups(fx.rows());
  });
  afterAll(async () => {
    await app?.cleanup();
    await new Promise((r) => hook?.close(r));
  });

  const importCsv = async (rows: string) => {
    const res = await fetch(`${app.url}/api/reports/record/official`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' },
      body: `date,time,zone,item,value\n${rows}\n`,
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { calibration: unknown[]; calibrated: unknown[] };
  };
  const alerts = async (state: string) =>
    (await getJson<AlertRow[]>(`${app.url}/api/alerts?state=${state}`)).body.filter(
      (a) => a.rule === 'sensor.calibration',
    );

  it('a drifting sensor → exactly one info alert with value = difference, limit = ±tolerance, and one notice', async () => {
    const body = await importCsv('2026-10-14,10:00,lobby,temperature,20.4');
    expect(body.calibration).toHaveLength(1);
    await waitFor(() => received.length >= 1, 5000, 'the firing webhook');
    const open = await alerts('active');
    expect(open).toHaveLength(1);
    const a = open[0]!;
    expect(a).toMatchObject({
      kind: 'calibration',
      category: 'sensor',
      severity: 'info',
      state: 'firing',
      sensor: 'env-1',
      quantity: 'temperature',
      limit: { above: 1, below: -1 },
      advice: { ja: 'センサーを校正するか交換してください', en: 'Calibrate or replace the sensor' },
      calibration: { official: 20.4, sensorValue: 22, measuredAt: '2026-10-14T01:00:00.000Z' },
    });
    expect(a.value).toBeCloseTo(1.6, 6);
    expect(a.title.ja).toBe('温度センサーの校正が必要です（公式測定との差 +1.6 °C、許容 ±1 °C）');
    expect(a.title.en).toContain('by +1.6 °C; tolerance ±1 °C');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ event: 'firing', alert: { id: a.id, rule: 'sensor.calibration' } });
    expect(received[0]!.title).toBe(
      '【情報】ロビー 温度センサーの校正が必要です（公式測定との差 +1.6 °C、許容 ±1 °C）',
    );
    expect(received[0]!.text).toContain('対応: センサーを校正するか交換してください');
  });

  it('importing again updates the open alert instead of opening a second one (no second notice)', async () => {
    const [before] = await alerts('active');
    await importCsv('2026-10-14,10:00,lobby,temperature,20.2');
    const open = await alerts('active');
    expect(open).toHaveLength(1);
    expect(open[0]!.id).toBe(before!.id);
    expect(open[0]!.value).toBeCloseTo(1.8, 6);
    expect(open[0]!.title.ja).toContain('+1.8 °C');
    // an acknowledgement is announced once; the firing notice was not repeated before it
    const ack = await fetch(`${app.url}/api/alerts/${before!.id}/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ by: '施設係' }),
    });
    expect(ack.status).toBe(200);
    await waitFor(() => received.length >= 2, 5000, 'the acknowledgement webhook');
    expect(received.map((h) => h.event)).toEqual(['firing', 'acknowledged']);
    expect((await alerts('active'))[0]!.state).toBe('acknowledged');
  });

  it('survives a restart (not retired as an unknown rule)', async () => {
    const [before] = await alerts('active');
    await app.stop();
    app = await startApp({ config, clock });
    const open = await alerts('active');
    expect(open.map((a) => [a.id, a.state])).toEqual([[before!.id, 'acknowledged']]);
    expect(open[0]!.resolveReason).toBeNull();
  });

  it('an older measurement within tolerance does not resolve it; a later one does', async () => {
    // 13 Oct 10:00 lies before the drifting measurement of 14 Oct 10:00: nothing changes
    const older = await importCsv('2026-10-13,10:00,lobby,temperature,21.8');
    expect(older.calibrated).toHaveLength(1);
    expect(await alerts('active')).toHaveLength(1);
    // 14 Oct 15:00: sensor 27.5, official 27.2 → +0.3, within ±1 °C
    const body = await importCsv('2026-10-14,15:00,lobby,temperature,27.2');
    expect(body.calibration).toHaveLength(0);
    expect(body.calibrated).toHaveLength(1);
    expect(await alerts('active')).toHaveLength(0);
    const resolved = await alerts('resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({ state: 'resolved', resolveReason: 'cleared' });
    expect(resolved[0]!.value).toBeCloseTo(0.3, 6);
    await waitFor(() => received.length >= 3, 5000, 'the resolved webhook');
    expect(received.map((h) => h.event)).toEqual(['firing', 'acknowledged', 'resolved']);
    expect(received[2]!.title).toContain('【解消】ロビー 温度センサーの校正 回復');
  });

  it('the old drifting file imported again does not reopen it; a newer drift does', async () => {
    const again = await importCsv('2026-10-14,10:00,lobby,temperature,20.4');
    expect(again.calibration).toHaveLength(1); // the record still marks it 要校正
    expect(await alerts('active')).toHaveLength(0);
    // 15 Oct 10:00: sensor 22.0, official 23.5 → −1.5
    await importCsv('2026-10-15,10:00,lobby,temperature,23.5');
    const open = await alerts('active');
    expect(open).toHaveLength(1);
    expect(open[0]!.value).toBeCloseTo(-1.5, 6);
    expect(open[0]!.title.ja).toBe('温度センサーの校正が必要です（公式測定との差 −1.5 °C、許容 ±1 °C）');
    expect(open[0]!.limit).toEqual({ above: 1, below: -1 });
  });
});

describe('calibration alerts at night', () => {
  let hook: Server;
  const received: Hook[] = [];
  // Tuesday 1 Dec 2026 23:00 JST: quiet hours (20:00–07:30), which hold info notices as they hold warnings
  const clock = new ManualClock(fx.jst('2026-12-01T23:00'));
  let app: Awaited<ReturnType<typeof startApp>>;

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString('utf8');
      });
      req.on('end', () => {
        received.push(JSON.parse(body) as Hook);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const config = testConfig(
      {
        site: { id: 'ks', name: { ja: 'テスト庁舎', en: 'Test office' } },
        zones: [{ id: 'lobby', name: { ja: 'ロビー', en: 'Lobby' }, kind: 'lobby', floor: '1F' }],
        alerts: { tickSeconds: 1, groupSeconds: 0, retry: { attempts: 2, backoffMs: 10 } },
      },
      {
        KAITEKI_ADMIN_TOKEN: TOKEN,
        KAITEKI_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
      },
    );
    app = await startApp({ config, clock });
    await app.ctx.store.write(fx.readings().filter((r) => r.zone === 'lobby'));
  });
  afterAll(async () => {
    await app?.cleanup();
    await new Promise((r) => hook?.close(r));
  });

  it('holds the notice until quiet hours end; a drift and a fine value of one sensor in one file keep it open', async () => {
    const res = await fetch(`${app.url}/api/reports/record/official`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' },
      // humidity: 10:00 sensor 50 vs 44 → +6 > 5 (drift); 15:00 sensor 50 vs 49 → +1 (within)
      body: '2026-10-14,10:00,ロビー,相対湿度,44\n2026-10-14,15:00,lobby,humidity,49\n',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { calibration: unknown[]; calibrated: unknown[] };
    expect(body.calibration).toHaveLength(1);
    expect(body.calibrated).toHaveLength(0);
    const open = (await getJson<(AlertRow & { heldUntil: string | null })[]>(`${app.url}/api/alerts`)).body;
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ severity: 'info', quantity: 'humidity', value: 6, state: 'firing' });
    expect(open[0]!.title.ja).toBe('湿度センサーの校正が必要です（公式測定との差 +6 %、許容 ±5 %）');
    expect(open[0]!.heldUntil).toBe('2026-12-01T22:30:00.000Z'); // 07:30 JST
    expect(received).toHaveLength(0);
    clock.set(fx.jst('2026-12-02T07:31'));
    await waitFor(() => received.length >= 1, 5000, 'the notice after quiet hours');
    expect(received.map((h) => h.event)).toEqual(['firing']);
    expect(received[0]!.title).toContain('湿度センサーの校正が必要です');
  });
});
