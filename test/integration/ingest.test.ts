import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { connectClient, getJson, startApp, testConfig } from '../helpers/app.js';
import { waitFor } from '../helpers/binaries.js';
import { MOSQUITTO, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';

interface LatestRow {
  site: string;
  zone: string;
  sensor: string;
  quantity: string;
  value: number;
  unit: string;
  ts: string;
  registered: boolean;
}

async function metric(app: App, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

function publish(c: MqttClient, topic: string, payload: string): Promise<void> {
  return new Promise((resolve, reject) =>
    c.publish(topic, payload, { qos: 1 }, (err) => (err ? reject(err) : resolve())),
  );
}

/** The same scenario against a real mosquitto and against the embedded aedes broker. */
describe.each([
  { broker: 'mosquitto', real: true },
  { broker: 'embedded aedes', real: false },
])('ingest end to end through $broker', ({ real }) => {
  const skip = real && !MOSQUITTO;
  let mosq: Mosquitto | undefined;
  let app: Awaited<ReturnType<typeof startApp>>;
  let pub: MqttClient;

  beforeAll(async () => {
    if (skip) return;
    if (real) mosq = await startMosquitto();
    app = await startApp({ config: testConfig(mosq ? { mqtt: { url: mosq.url } } : {}) });
    pub = await connectClient(app.mqttUrl);
  });
  afterAll(async () => {
    if (skip) return;
    pub?.end(true);
    await app?.cleanup();
    await mosq?.close();
  });

  it.skipIf(skip)('a published JSON object appears in /api/latest within 2 s', async () => {
    const t0 = Date.now();
    await publish(pub, 'kaiteki/anysite/anyzone/anysensor', '{"co2":1234,"temperature":22.5}');
    let rows: LatestRow[] = [];
    await waitFor(
      async () => {
        rows = (await getJson<LatestRow[]>(`${app.url}/api/latest`)).body;
        return rows.length === 2;
      },
      2000,
      'readings in /api/latest',
    );
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(rows).toEqual([
      expect.objectContaining({
        site: 'anysite',
        zone: 'anyzone',
        sensor: 'anysensor',
        quantity: 'co2',
        value: 1234,
        unit: 'ppm',
        registered: false,
      }),
      expect.objectContaining({ quantity: 'temperature', value: 22.5, unit: '°C' }),
    ]);
    expect(rows[0]!.ts).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it.skipIf(skip)('plain values and a payload timestamp are honoured', async () => {
    const ts = Date.now() - 10_000;
    await publish(pub, 'kaiteki/anysite/anyzone/lux-1/illuminance', '512');
    await publish(
      pub,
      'kaiteki/anysite/anyzone/th-1',
      JSON.stringify({ humidity: 48, ts: new Date(ts).toISOString() }),
    );
    await waitFor(
      async () => (await getJson<LatestRow[]>(`${app.url}/api/latest?zone=anyzone`)).body.length === 4,
      2000,
      'four series',
    );
    const rows = (await getJson<LatestRow[]>(`${app.url}/api/latest?zone=anyzone`)).body;
    expect(rows.find((r) => r.sensor === 'lux-1')?.value).toBe(512);
    expect(rows.find((r) => r.sensor === 'th-1')?.ts).toBe(new Date(ts).toISOString());
  });

  it.skipIf(skip)('a malformed payload is a counted rejection and the service keeps running', async () => {
    await publish(pub, 'kaiteki/anysite/anyzone/anysensor', '{"co2": oops');
    await waitFor(
      async () => (await metric(app, 'kaiteki_ingest_rejected_total', 'reason="invalid_json"')) === 1,
      2000,
      'rejection counted',
    );
    await publish(pub, 'kaiteki/anysite/anyzone/anysensor', '{"co2": 999}');
    await waitFor(
      async () =>
        (await getJson<LatestRow[]>(`${app.url}/api/latest?quantity=co2&sensor=anysensor`)).body[0]?.value ===
        999,
      2000,
      'next reading accepted',
    );
    const rejected = (await getJson<{ reason: string; topic: string }[]>(`${app.url}/api/rejected`)).body;
    expect(rejected.at(-1)).toMatchObject({
      reason: 'invalid_json',
      topic: 'kaiteki/anysite/anyzone/anysensor',
    });
    expect((await getJson<{ status: string }>(`${app.url}/healthz`)).body.status).toBe('ok');
  });

  it.skipIf(skip)('/api/series returns aggregated buckets', async () => {
    const base = Date.now() - 120_000;
    for (let i = 0; i < 6; i++) {
      await publish(
        pub,
        'kaiteki/anysite/series-zone/s1',
        JSON.stringify({ co2: 500 + i * 100, ts: base + i * 10_000 }),
      );
    }
    await waitFor(
      async () =>
        (await getJson<LatestRow[]>(`${app.url}/api/latest?zone=series-zone`)).body[0]?.value === 1000,
      2000,
      'series data',
    );
    const res = await getJson<{
      series: { quantity: string; points: { mean: number; min: number; max: number; count: number }[] }[];
    }>(`${app.url}/api/series?zone=series-zone&quantity=co2&from=${base}&to=${base + 60_000}&step=1m`);
    expect(res.status).toBe(200);
    const pts = res.body.series[0]!.points;
    expect(pts.reduce((n, p) => n + p.count, 0)).toBe(6);
    expect(Math.min(...pts.map((p) => p.min))).toBe(500);
    expect(Math.max(...pts.map((p) => p.max))).toBe(1000);
    const bad = await getJson<{ problems: string[] }>(`${app.url}/api/series?step=1ms&quantity=radon`);
    expect(bad.status).toBe(400);
    expect(bad.body.problems.join(' ')).toMatch(/step.*quantity: unknown "radon"/);
  });
});

describe.skipIf(!MOSQUITTO)(
  'no reading lost across a broker restart or a service restart (real mosquitto)',
  () => {
    let mosq: Mosquitto;
    beforeAll(async () => {
      mosq = await startMosquitto();
    });
    afterAll(async () => {
      await mosq?.close();
    });

    async function countStored(app: App, sensor: string): Promise<number> {
      const rows = await app.store.raw({ sensor, from: 0, to: Date.now() + 86_400_000, limit: 1_000_000 });
      expect(new Set(rows.map((r) => r.ts)).size).toBe(rows.length);
      return rows.length;
    }

    // mosquitto 2.0.11 itself can lose a QoS 1 message it has already acknowledged to the publisher when it is
    // stopped mid-stream (measured with a bare mqtt.js subscriber, no Kaiteki involved: 0–1 of 600 per restart).
    // So the assertion is the issue's: every reading the broker *delivered* is stored exactly once, and what the
    // broker lost stays within that measured bound.
    it('every reading the broker delivered is stored exactly once after the broker restarts mid-stream', async () => {
      const app = await startApp({
        config: testConfig({ mqtt: { url: mosq.url, clientId: 'kaiteki-broker-restart' } }),
      });
      const delivered = new Set<number>();
      app.ctx.bus.on('readings', (rs) => {
        for (const r of rs) if (r.sensor === 'restart-1') delivered.add(r.ts);
      });
      const pub = await connectClient(mosq.url, 'pub-broker-restart');
      let acked = 0;
      const first = Date.now() - 60_000;
      const publishing = (async () => {
        for (let i = 0; i < 600; i++) {
          // mqtt.js keeps unacknowledged QoS 1 messages and resends them after reconnecting.
          pub.publish(
            'kaiteki/s/z/restart-1',
            JSON.stringify({ co2: 400 + (i % 500), ts: first + i }),
            { qos: 1 },
            (err) => {
              if (!err) acked++;
            },
          );
          if (i % 20 === 0) await new Promise((r) => setTimeout(r, 10));
        }
      })();
      await new Promise((r) => setTimeout(r, 100));
      await mosq.stop();
      await new Promise((r) => setTimeout(r, 500));
      await mosq.start();
      await publishing;
      await waitFor(() => acked === 600, 20_000, 'all publishes acknowledged');
      // Quiet period: nothing more arrives once the broker has redelivered what it kept. Judged only while
      // Kaiteki is connected again (it reconnects on its own schedule), over a second of polls, so a loaded
      // machine's slow reconnect is not taken for the end of the redelivery.
      let last = -1;
      let quietSince = Number.POSITIVE_INFINITY;
      await waitFor(
        async () => {
          const connected = (await app.health()).mqtt?.ok === true;
          const n = await countStored(app, 'restart-1');
          if (!connected || n !== last || n !== delivered.size) quietSince = Date.now();
          last = n;
          return Date.now() - quietSince >= 1000;
        },
        20_000,
        'ingest to settle',
      );
      const stored = await app.store.raw({ sensor: 'restart-1', from: 0, to: Date.now() + 86_400_000 });
      expect(stored.map((r) => r.ts).sort((a, b) => a - b)).toEqual([...delivered].sort((a, b) => a - b));
      expect(stored.length).toBeGreaterThanOrEqual(600 - 3);
      pub.end(true);
      await app.cleanup();
    });

    it('readings published while Kaiteki is down are delivered when it comes back (persistent session)', async () => {
      const config = testConfig({ mqtt: { url: mosq.url, clientId: 'kaiteki-session' } });
      const first = await startApp({ config });
      const pub = await connectClient(mosq.url, 'pub-session');
      await first.stop(); // keeps the data dir
      const base = Date.now() - 30_000;
      for (let i = 0; i < 50; i++) {
        await new Promise<void>((resolve, reject) =>
          pub.publish(
            'kaiteki/s/z/offline-1',
            JSON.stringify({ temperature: 20 + i / 10, ts: base + i }),
            { qos: 1 },
            (e) => (e ? reject(e) : resolve()),
          ),
        );
      }
      const second = await startApp({ config });
      await waitFor(
        async () => (await countStored(second, 'offline-1')) === 50,
        10_000,
        '50 queued readings',
      );
      pub.end(true);
      await second.cleanup();
    });

    // The held PUBACKs go to the broker as raw bytes (src/ingest/puback-hold.ts): mosquitto must take them
    // as acknowledgements in MQTT 3.1.1 and 5 alike, or it would redeliver (or drop the connection).
    it.each([
      ['MQTT 3.1.1', {}],
      ['MQTT 5 (shared subscription)', { sharedGroup: 'kaiteki' }],
    ])('%s: every message is acknowledged; a restart gets no redelivery', async (_name, extra) => {
      const clientId = `kaiteki-acks-${'sharedGroup' in extra ? 5 : 4}`;
      const sensor = `acks-${'sharedGroup' in extra ? 5 : 4}`;
      const config = testConfig({ mqtt: { url: mosq.url, clientId, ...extra } });
      const first = await startApp({ config });
      const pub = await connectClient(mosq.url, `pub-${clientId}`);
      const base = Date.now() - 60_000;
      const publish = (i: number) =>
        new Promise<void>((resolve, reject) =>
          pub.publish(`kaiteki/s/z/${sensor}`, JSON.stringify({ co2: 500, ts: base + i }), { qos: 1 }, (e) =>
            e ? reject(e) : resolve(),
          ),
        );
      await Promise.all(Array.from({ length: 300 }, (_, i) => publish(i)));
      await waitFor(async () => (await countStored(first, sensor)) === 300, 10_000, '300 readings');
      await first.stop(); // keeps the data dir and the broker session
      const second = await startApp({ config });
      let arrived = 0;
      second.ctx.bus.on('readings', (rs) => {
        arrived += rs.filter((r) => r.sensor === sensor).length;
      });
      // a marker published now arrives after anything the broker still held for this session
      await publish(1000);
      await waitFor(async () => (await countStored(second, sensor)) === 301, 10_000, 'the marker');
      expect(arrived).toBe(1);
      pub.end(true);
      await second.cleanup();
    });

    it('/healthz is 503 while the broker is down and recovers by itself', async () => {
      const app = await startApp({
        config: testConfig({ mqtt: { url: mosq.url, clientId: 'kaiteki-health' } }),
      });
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
      await mosq.stop();
      await waitFor(async () => (await fetch(`${app.url}/healthz`)).status === 503, 5000, 'healthz 503');
      const body = (await getJson<{ parts: { mqtt: { ok: boolean } } }>(`${app.url}/healthz`)).body;
      expect(body.parts.mqtt.ok).toBe(false);
      await mosq.start();
      await waitFor(
        async () => (await fetch(`${app.url}/healthz`)).status === 200,
        10_000,
        'healthz 200 again',
      );
      await app.cleanup();
    });
  },
);
