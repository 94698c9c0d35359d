import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../helpers/app.js';
import { waitFor } from '../helpers/binaries.js';
import { MOSQUITTO, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { startService } from '../helpers/service-process.js';

/**
 * kill -9 of the service mid-stream: the broker holds what Kaiteki did not
 * acknowledge, Kaiteki acknowledges only what is on disk, so after a restart
 * every reading the broker accepted is stored exactly once.
 */
describe.skipIf(!MOSQUITTO)('kill -9 of the service mid-stream (real mosquitto, embedded store)', () => {
  let mosq: Mosquitto;
  const dataDir = mkdtempSync(join(tmpdir(), 'kaiteki-crash-'));
  beforeAll(async () => {
    mosq = await startMosquitto();
  });
  afterAll(async () => {
    await mosq?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses and duplicates nothing', async () => {
    const env = {
      KAITEKI_MQTT_URL: mosq.url,
      KAITEKI_MQTT_CLIENT_ID: 'kaiteki-crash',
      KAITEKI_DATA_DIR: dataDir,
    };
    const svc = await startService(env);
    const pub = await connectClient(mosq.url, 'pub-crash');
    const N = 3000;
    const first = Date.now() - 600_000;
    let acked = 0;
    let killed = false;
    for (let i = 0; i < N; i++) {
      pub.publish(
        'kaiteki/takatsu/lobby/crash-1',
        JSON.stringify({ co2: 400 + (i % 1000), ts: first + i }),
        { qos: 1 },
        (e) => {
          if (!e) acked++;
        },
      );
      if (i % 100 === 0) await new Promise((r) => setTimeout(r, 5));
      if (i === N / 2) {
        await svc.kill9();
        killed = true;
      }
    }
    expect(killed).toBe(true);
    await waitFor(() => acked === N, 20_000, 'the broker to acknowledge every publish');
    const db = join(dataDir, 'kaiteki.db');
    // The kill landed mid-stream: some readings were stored, the rest wait at the broker.
    // (Stored = in readings or still in readings_recent, the append table merged in bulk: src/store/sqlite.ts.)
    const before = stored();
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(N);
    const again = await startService(env);
    function stored(): number {
      const d = new Database(db, { readonly: true });
      try {
        return (
          d
            .prepare(
              'SELECT count(*) AS n FROM (SELECT series_id, ts FROM readings UNION SELECT series_id, ts FROM readings_recent)',
            )
            .get() as { n: number }
        ).n;
      } finally {
        d.close();
      }
    }
    // merged into readings (the restarted service merges at open, then within 2 s of each write)
    function count() {
      const d = new Database(db, { readonly: true });
      try {
        return d.prepare('SELECT count(*) AS n, count(DISTINCT ts) AS d FROM readings').get() as {
          n: number;
          d: number;
        };
      } finally {
        d.close();
      }
    }
    await waitFor(() => count().n === N, 30_000, `${N} readings stored`).catch((err) => {
      throw new Error(`${(err as Error).message}: have ${JSON.stringify(count())}`);
    });
    expect(count()).toEqual({ n: N, d: N });
    pub.end(true);
    await again.stop();
  });
});
