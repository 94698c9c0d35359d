import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../helpers/app.js';
import { waitFor } from '../helpers/binaries.js';
import { INFLUXD, type Influxd, influxQl, startInfluxd } from '../helpers/influxd.js';
import { MOSQUITTO, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { type ServiceProcess, startService } from '../helpers/service-process.js';

/**
 * The whole service as operators run it (child process, real mosquitto, real
 * influxd 1.6.7), readings published over MQTT: an InfluxDB outage and a
 * kill -9 of the service lose nothing and duplicate nothing in InfluxDB.
 */
describe.skipIf(!MOSQUITTO || !INFLUXD)('service → InfluxDB 1.x under faults', () => {
  let mosq: Mosquitto;
  let influx: Influxd;
  const dirs: string[] = [];
  beforeAll(async () => {
    [mosq, influx] = await Promise.all([startMosquitto(), startInfluxd()]);
  });
  afterAll(async () => {
    await Promise.all([mosq?.close(), influx?.close()]);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function env(db: string, clientId: string) {
    const dataDir = mkdtempSync(join(tmpdir(), 'kaiteki-influx-fault-'));
    dirs.push(dataDir);
    return {
      KAITEKI_MQTT_URL: mosq.url,
      KAITEKI_MQTT_CLIENT_ID: clientId,
      KAITEKI_INFLUX_URL: influx.url,
      KAITEKI_INFLUX_DB: db,
      KAITEKI_DATA_DIR: dataDir,
    };
  }

  async function countInflux(db: string, sensor: string): Promise<{ n: number; distinct: number }> {
    const rows = await influxQl(
      influx.url,
      db,
      `SELECT count("value") FROM "co2" WHERE "sensor" = '${sensor}'`,
    ).catch(() => []);
    const n = Number(rows[0]?.[1] ?? 0);
    const d = await influxQl(
      influx.url,
      db,
      `SELECT count(distinct("value")) FROM "co2" WHERE "sensor" = '${sensor}'`,
    ).catch(() => []);
    return { n, distinct: Number(d[0]?.[1] ?? 0) };
  }

  /** publishes N readings, value i at ts first+i, so "exactly once" = N points with N distinct values */
  async function publishSteadily(
    pub: MqttClient,
    sensor: string,
    n: number,
    during: (i: number) => Promise<void>,
  ) {
    const first = Date.now() - 3_600_000;
    let acked = 0;
    for (let i = 0; i < n; i++) {
      pub.publish(
        `kaiteki/takatsu/lobby/${sensor}`,
        JSON.stringify({ co2: i, ts: first + i }),
        { qos: 1 },
        (e) => {
          if (!e) acked++;
        },
      );
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 10));
      await during(i);
    }
    await waitFor(() => acked === n, 20_000, 'the broker to acknowledge every publish');
  }

  it('(a) InfluxDB stopped mid-stream: ingest goes on, the buffer drains when it is back, exactly once', async () => {
    let svc: ServiceProcess | undefined;
    try {
      svc = await startService(env('fault_a', 'kaiteki-fault-a'));
      const pub = await connectClient(mosq.url, 'pub-fault-a');
      const N = 2000;
      let sawBuffer = false;
      await publishSteadily(pub, 'outage-1', N, async (i) => {
        if (i === 500) await influx.stop();
        if (i === 1000) await new Promise((r) => setTimeout(r, 3000)); // InfluxDB stays down a while
        if (i === 1500) {
          // While InfluxDB is down the service stays up and the buffer holds the readings.
          const m = await (await fetch(`${svc!.url}/metrics`)).text();
          sawBuffer = Number(/^kaiteki_store_buffer_depth (\d+)/m.exec(m)?.[1] ?? 0) > 0;
          expect((await fetch(`${svc!.url}/api/latest?sensor=outage-1`)).status).toBe(200);
          await influx.start();
        }
      });
      expect(sawBuffer).toBe(true);
      await waitFor(
        async () => (await countInflux('fault_a', 'outage-1')).n === N,
        30_000,
        `${N} points in InfluxDB`,
      );
      expect(await countInflux('fault_a', 'outage-1')).toEqual({ n: N, distinct: N });
      pub.end(true);
    } finally {
      await svc?.stop();
    }
  });

  it('(b) kill -9 of the service mid-stream: after a restart, exactly once', async () => {
    const e = env('fault_b', 'kaiteki-fault-b');
    const svc = await startService(e);
    const pub = await connectClient(mosq.url, 'pub-fault-b');
    const N = 3000;
    await publishSteadily(pub, 'crash-2', N, async (i) => {
      if (i === N / 2) await svc.kill9();
    });
    const again = await startService(e);
    try {
      await waitFor(
        async () => (await countInflux('fault_b', 'crash-2')).n === N,
        30_000,
        `${N} points in InfluxDB`,
      ).catch(async (err) => {
        throw new Error(
          `${(err as Error).message}: have ${JSON.stringify(await countInflux('fault_b', 'crash-2'))}`,
        );
      });
      expect(await countInflux('fault_b', 'crash-2')).toEqual({ n: N, distinct: N });
    } finally {
      pub.end(true);
      await again.stop();
    }
  });
});
