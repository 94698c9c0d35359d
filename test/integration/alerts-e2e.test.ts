import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createAlerting } from '../../src/alerts/index.js';
import { connectClient, getJson, startApp, testConfig } from '../helpers/app.js';
import { waitFor } from '../helpers/binaries.js';
import { MOSQUITTO, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';

const TOKEN = 'e2e-admin-token-abcdef';
const skip = !MOSQUITTO && process.env.CI !== 'true'; // under CI a missing mosquitto fails in beforeAll

describe('alerts end to end: mosquitto → ingest → rules → alert → webhook', () => {
  let mosq: Mosquitto | undefined;
  let app: Awaited<ReturnType<typeof startApp>>;
  let pub: MqttClient;
  let hook: Server;
  let dir: string;
  const received: { event: string; title: string; alert: { id: number } }[] = [];

  beforeAll(async () => {
    if (skip) return;
    mosq = await startMosquitto();
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString('utf8');
      });
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    dir = mkdtempSync(join(tmpdir(), 'kaiteki-alerts-e2e-'));
    const rulesFile = join(dir, 'rules.yaml');
    writeFileSync(
      rulesFile,
      stringify({
        rules: [
          {
            id: 'comfort.co2',
            category: 'comfort',
            quantity: 'co2',
            above: 'limits.co2.max',
            clearMargin: 50,
            for: 0,
            readings: 3,
            clearFor: 0,
            when: { hours: 'any' }, // comfort rules judge only in-use hours; this test runs at any hour
          },
        ],
      }),
    );
    const config = testConfig(
      {
        mqtt: { url: mosq.url },
        zones: [{ id: 'lobby', name: { ja: '1階ロビー', en: '1F Lobby' }, kind: 'lobby' }],
        alerts: {
          rulesFile,
          quietHours: { enabled: false },
          groupSeconds: 0, // one zone: no need to wait for others (the grouping is tested in test/alerts)
          retry: { attempts: 2, backoffMs: 10 },
        },
      },
      {
        KAITEKI_ADMIN_TOKEN: TOKEN,
        KAITEKI_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
      },
    );
    app = await startApp({ config, extensions: [createAlerting] });
    pub = await connectClient(app.mqttUrl);
  });
  afterAll(async () => {
    if (skip) return;
    pub?.end(true);
    await app?.cleanup();
    await mosq?.close();
    await new Promise((r) => hook?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const publish = (co2: number, ts: number) =>
    new Promise<void>((resolve, reject) =>
      pub.publish('kaiteki/default/lobby/env-1', JSON.stringify({ co2, ts }), { qos: 1 }, (err) =>
        err ? reject(err) : resolve(),
      ),
    );

  it.skipIf(skip)(
    'a sustained breach → one firing notice, acknowledge over HTTP, one resolved notice',
    async () => {
      const t0 = Date.now() - 10_000;
      // a single spike, then a repeated burst of one reading: neither fires
      await publish(1500, t0);
      await publish(800, t0 + 1000);
      for (let i = 0; i < 3; i++) await publish(1300, t0 + 2000);
      await new Promise((r) => setTimeout(r, 300));
      expect((await getJson<unknown[]>(`${app.url}/api/alerts?state=active`)).body).toEqual([]);
      await publish(1300, t0 + 3000);
      await publish(1300, t0 + 4000);
      await waitFor(() => received.length === 1, 5000, 'firing webhook');
      expect(received[0]).toMatchObject({
        event: 'firing',
        title: expect.stringMatching(/^【警告】1階ロビー CO2 1,300 ppm（基準 1,000 ppm 以下）/),
      });
      const firing = (await getJson<{ id: number; state: string }[]>(`${app.url}/api/alerts?state=firing`))
        .body;
      expect(firing.map((a) => a.id)).toEqual([received[0]!.alert.id]);

      const unauth = await fetch(`${app.url}/api/alerts/${firing[0]!.id}/ack`, { method: 'POST' });
      expect(unauth.status).toBe(401);
      const ack = await fetch(`${app.url}/api/alerts/${firing[0]!.id}/ack`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ by: 'e2e' }),
      });
      expect(ack.status).toBe(200);

      // the acknowledgement is announced on the channel that got the alert
      await waitFor(() => received.length === 2, 5000, 'acknowledged webhook');
      expect(received[1]).toMatchObject({
        event: 'acknowledged',
        title: expect.stringContaining('e2eさんが確認しました'),
      });

      await publish(900, t0 + 5000);
      await waitFor(() => received.length === 3, 5000, 'resolved webhook');
      await new Promise((r) => setTimeout(r, 300));
      expect(received.map((r) => r.event)).toEqual(['firing', 'acknowledged', 'resolved']);
      const all = (await getJson<{ state: string; acknowledgedBy: string }[]>(`${app.url}/api/alerts`)).body;
      expect(all).toEqual([expect.objectContaining({ state: 'resolved', acknowledgedBy: 'e2e' })]);
      const metrics = await (await fetch(`${app.url}/metrics`)).text();
      expect(metrics).toMatch(/kaiteki_alerts_transitions_total\{rule="comfort.co2",type="opened"\} 1/);
      expect(metrics).toMatch(/kaiteki_alerts_eval_seconds_count \d+/);
    },
  );
});
