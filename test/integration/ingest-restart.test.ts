import { rmSync } from 'node:fs';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, getJson, startApp, testConfig } from '../helpers/app.js';
import { waitFor } from '../helpers/binaries.js';
import { MOSQUITTO, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';

interface LatestRow {
  sensor: string;
  quantity: string;
  value: number;
  online: boolean | null;
  stale: boolean;
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

function publish(c: MqttClient, topic: string, payload: string, retain: boolean): Promise<void> {
  return new Promise((resolve, reject) =>
    c.publish(topic, payload, { qos: 1, retain }, (err) => (err ? reject(err) : resolve())),
  );
}

/**
 * Devices publish retained values (no ts) and retained statuses, some
 * offline. Kaiteki restarts: the broker hands every retained message back,
 * which must create no reading, and the offline sensors are offline at once.
 */
describe.skipIf(!MOSQUITTO)('restarts invent nothing (real mosquitto, retained messages)', () => {
  let mosq: Mosquitto;
  let pub: MqttClient;
  const config = testConfig({});
  let cfg: ReturnType<typeof testConfig>;

  beforeAll(async () => {
    mosq = await startMosquitto();
    cfg = testConfig({ mqtt: { url: mosq.url }, store: { dataDir: config.store.dataDir } });
    pub = await connectClient(mosq.url);
  });
  afterAll(async () => {
    pub?.end(true);
    await mosq?.close();
    rmSync(config.store.dataDir, { recursive: true, force: true });
  });

  it('a restart with retained values and offline statuses creates no readings and shows those sensors offline', async () => {
    const first = await startApp({ config: cfg });
    const sensors = ['r1', 'r2', 'r3', 'r4'];
    for (const [i, s] of sensors.entries()) {
      await publish(pub, `kaiteki/rs/z1/${s}`, `{"co2":${800 + i},"temperature":${21 + i}}`, true);
      await publish(pub, `kaiteki/rs/z1/${s}/humidity`, `${50 + i}`, true);
    }
    // r1, r2 go offline (LWT style, retained); r3 says online; r4 says nothing
    await publish(pub, 'kaiteki/rs/z1/r1/status', 'offline', true);
    await publish(pub, 'kaiteki/rs/z1/r2/status', 'offline', true);
    await publish(pub, 'kaiteki/rs/z1/r3/status', 'online', true);
    const all = { site: 'rs', from: 0, to: Date.now() + 60_000 };
    await waitFor(async () => (await first.store.raw(all)).length === 12, 5000, 'live readings stored');
    await waitFor(
      async () =>
        (await getJson<LatestRow[]>(`${first.url}/api/latest?site=rs`)).body.filter((r) => r.online === false)
          .length === 6,
      5000,
      'offline seen live',
    );
    await first.stop();

    const second = await startApp({ config: cfg });
    try {
      // every retained value comes back (4 sensors × 2 messages) and is skipped, not stored
      await waitFor(
        async () => (await metric(second.url, 'kaiteki_ingest_retained_skipped_total')) >= 8,
        10_000,
        'retained values redelivered',
      );
      await waitFor(
        async () => {
          const text = await (await fetch(`${second.url}/metrics`)).text();
          return /kaiteki_ingest_messages_total\{outcome="status"\} 3/.test(text);
        },
        10_000,
        'retained statuses redelivered',
      );
      const rows = await second.store.raw({ ...all, to: Date.now() + 60_000 });
      expect(rows).toHaveLength(12);
      const latest = (await getJson<LatestRow[]>(`${second.url}/api/latest?site=rs`)).body;
      const bySensor = (s: string) => latest.filter((r) => r.sensor === s);
      for (const s of ['r1', 'r2']) {
        expect(bySensor(s)).toHaveLength(3);
        for (const r of bySensor(s)) expect(r).toMatchObject({ online: false, stale: true });
      }
      for (const r of bySensor('r3')) expect(r).toMatchObject({ online: true, stale: false });
      for (const r of bySensor('r4')) expect(r).toMatchObject({ online: null, stale: false });
      expect(await metric(second.url, 'kaiteki_sensors_offline')).toBe(2);
    } finally {
      await second.stop();
    }
    // A fresh data dir (nothing remembered): the retained statuses alone make r1, r2 offline.
    const fresh = await startApp({
      config: testConfig({ mqtt: { url: mosq.url, clientId: 'kaiteki-fresh' } }),
    });
    try {
      await waitFor(
        async () => (await metric(fresh.url, 'kaiteki_sensors_offline')) === 2,
        10_000,
        'offline from retained statuses',
      );
      await waitFor(
        async () => (await metric(fresh.url, 'kaiteki_ingest_retained_skipped_total')) >= 8,
        10_000,
        'retained values redelivered',
      );
      expect(await fresh.store.raw({ site: 'rs', from: 0, to: Date.now() + 60_000 })).toEqual([]);
    } finally {
      await fresh.cleanup();
    }
  }, 60_000);
});
