import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { Bus } from '../../src/core/bus.js';
import { systemClock } from '../../src/core/clock.js';
import type { AppContext } from '../../src/core/context.js';
import { LatestCache } from '../../src/core/latest.js';
import { silentLogger } from '../../src/core/log.js';
import { Metrics } from '../../src/core/metrics.js';
import type { Reading } from '../../src/core/reading.js';
import { Ingestor } from '../../src/ingest/ingestor.js';
import { MqttSource } from '../../src/ingest/mqtt-source.js';
import { FormatRouter } from '../../src/ingest/router.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { connectClient } from '../helpers/app.js';
import { waitFor } from '../helpers/binaries.js';

/**
 * Group commit and acknowledgements, observed from the broker (aedes reports
 * every PUBACK a client sends): nothing is acknowledged before it is durable,
 * a refusing store holds every ack, and after it recovers each reading is
 * stored exactly once.
 */
describe('MqttSource acknowledges only what is durable', () => {
  let broker: Aedes;
  let server: Server;
  let url: string;
  const acksByKaiteki: number[] = [];

  beforeAll(async () => {
    broker = await Aedes.createBroker();
    broker.on('ack', (_packet, client) => {
      if (client?.id === 'kaiteki-ack-test') acksByKaiteki.push(Date.now());
    });
    server = createServer(broker.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    url = `mqtt://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => broker.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('holds every ack while the store refuses, then stores each reading once', async () => {
    const config = parseConfig({ mqtt: { clientId: 'kaiteki-ack-test' } }, 'test', {});
    const store = new SqliteStore(':memory:');
    await store.open();
    let refusing = true;
    /** commits refused so far, and the readings they held */
    let refusals = 0;
    const refused = new Set<number>();
    const sink = {
      acceptSync: (rs: readonly Reading[]) => {
        if (refusing) {
          refusals++;
          for (const r of rs) refused.add(r.value);
          throw new Error('SQLITE_FULL (test)');
        }
        store.acceptSync(rs);
      },
    };
    const ctx: AppContext = {
      config,
      log: silentLogger,
      metrics: new Metrics(),
      bus: new Bus(),
      clock: systemClock,
      store,
      inventory: new Inventory([]),
      latest: new LatestCache(),
    };
    const router = new FormatRouter('kaiteki', []);
    const ingestor = new Ingestor({ ...ctx, router, sink });
    const source = new MqttSource(ctx, url, ingestor, router);
    await source.start();
    const pub = await connectClient(url, 'pub-ack-test');
    const N = 300;
    const t0 = Date.now() - 60_000;
    for (let i = 0; i < N; i++)
      pub.publish('kaiteki/s/z/ack-1', JSON.stringify({ co2: 500 + i, ts: t0 + i }), { qos: 1 });
    // The store refuses: wait until Kaiteki has tried to commit messages and retried
    // (a retry comes after the first refusal was handled), then nothing may be acknowledged.
    await waitFor(() => refusals >= 3, 15_000, 'three refused commits');
    expect(refused.size).toBeGreaterThan(0);
    // every refused reading is held: none of them, and nothing else, acknowledged
    expect(acksByKaiteki).toEqual([]);
    refusing = false;
    await waitFor(
      async () => (await store.raw({ sensor: 'ack-1', from: 0, to: Date.now() })).length === N,
      15_000,
      `${N} stored`,
    );
    await waitFor(() => acksByKaiteki.length === N, 5000, `${N} acks`);
    const rows = await store.raw({ sensor: 'ack-1', from: 0, to: Date.now() });
    expect(new Set(rows.map((r) => r.ts)).size).toBe(N);
    expect(rows.map((r) => r.value)).toEqual(Array.from({ length: N }, (_, i) => 500 + i));
    pub.end(true);
    await source.stop();
    await store.close();
  });
});
