import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxConfigSchema } from '../../src/store/config.js';
import { InfluxV1Store } from '../../src/store/influx-v1.js';
import { INFLUXD, type Influxd, startInfluxd } from '../helpers/influxd.js';
import { reading, storeContract, T0 } from './contract.js';

if (!INFLUXD)
  console.warn(
    'influxd not installed: skipping the InfluxDB 1.x contract tests (CI=true makes this a failure)',
  );

describe.skipIf(!INFLUXD)('InfluxDB 1.x store', () => {
  let influxd: Influxd;
  beforeAll(async () => {
    influxd = await startInfluxd();
  });
  afterAll(async () => {
    await influxd?.close();
  });

  const make = (over: Record<string, unknown> = {}) =>
    new InfluxV1Store(
      influxConfigSchema.parse({ url: influxd.url, database: `t_${randomUUID().slice(0, 8)}`, ...over }),
      undefined,
    );

  storeContract('influx-v1 (real influxd 1.6.7)', () => make());
  storeContract('influx-v1 with a raw retention policy', () => make({ retentionDays: 400 }));
  storeContract('influx-v1 writing on the calling thread (writeThread: false)', () =>
    make({ writeThread: false }),
  );

  describe.each([true, false])('writeThread: %s', (writeThread) => {
    it('writes raw readings on the thread it says, with the same points either way', async () => {
      const store = make({ writeThread });
      await store.open();
      expect(store.writesOnThread).toBe(writeThread);
      const rs = [
        reading({ value: 21.5, ts: T0 }),
        reading({ value: -3, ts: T0 + 1, registered: false }),
        reading({ quantity: 'co2', zone: 'ロビー 1,2=3', value: 612, ts: T0 + 2 }),
      ];
      await store.write(rs);
      await store.write([reading({ value: 22, ts: T0 + 3 })]); // heads already known
      const back = await store.raw({ from: T0, to: T0 + 10 });
      expect(back.map((r) => [r.quantity, r.zone, r.value, r.registered, r.ts])).toEqual([
        ['temperature', 'lobby', 21.5, true, T0],
        ['temperature', 'lobby', -3, false, T0 + 1],
        ['co2', 'ロビー 1,2=3', 612, true, T0 + 2],
        ['temperature', 'lobby', 22, true, T0 + 3],
      ]);
      await store.close();
    });

    it('refuses a reading line protocol cannot carry as bad data, and writes the good ones after it', async () => {
      const store = make({ writeThread });
      await store.open();
      for (const bad of [
        reading({ value: Number.NaN, ts: T0 }),
        reading({ value: 1, ts: T0 + 0.5 }),
        reading({ sensor: 'a\nb', value: 1, ts: T0 }),
      ]) {
        // a new series' head in the same batch must not be remembered when the batch is refused
        const fresh = reading({ sensor: `new-${bad.ts}-${bad.value}`, value: 1, ts: T0 });
        const err = await store.write([fresh, bad]).catch((e: unknown) => e);
        expect(err).toMatchObject({ retryable: false });
        expect(String((err as Error).message)).toMatch(/line protocol/);
        await store.write([fresh]);
      }
      expect(await store.raw({ from: T0, to: T0 + 1 })).toHaveLength(3);
      await store.close();
    });

    it('counts readings older than the retention policy as dropped, not as a failure', async () => {
      const store = make({ writeThread, retentionDays: 1 });
      await store.open();
      await store.write([reading({ value: 1, ts: T0 })]);
      expect(store.droppedByRetention).toBe(1);
      await store.close();
    });
  });

  it('a write thread that stops fails its writes as retryable, and the next write starts a new one', async () => {
    const store = make();
    await store.open();
    await store.write([reading({ value: 1, ts: T0 })]);
    const thread = (store as unknown as { thread: { calls: { worker: { terminate(): Promise<number> } } } })
      .thread.calls;
    const writing = store.write([reading({ value: 2, ts: T0 + 1 })]).catch((e: unknown) => e);
    await thread.worker.terminate();
    const err = await writing;
    // either it was written before the thread stopped, or it failed as retryable (the drainer retries it)
    if (err !== undefined) expect(err).toMatchObject({ retryable: true, failure: 'unavailable' });
    await store.write([reading({ value: 3, ts: T0 + 2 })]);
    const back = await store.raw({ from: T0, to: T0 + 10 });
    expect(back.map((r) => r.value)).toEqual(err === undefined ? [1, 2, 3] : [1, 3]);
    await store.close();
  });

  it('rejects a write with a retryable error while the server is down, and writes once it is back', async () => {
    const store = make({ timeoutMs: 2000 });
    await store.open();
    await influxd.stop();
    try {
      const err = await store.write([reading({ value: 1, ts: T0 })]).catch((e: unknown) => e);
      expect(err).toMatchObject({ retryable: true, failure: 'unavailable' });
      expect(await store.ping()).toBe(false);
    } finally {
      await influxd.start();
    }
    await store.write([reading({ value: 1, ts: T0 })]);
    expect(await store.raw({ from: T0, to: T0 + 1 })).toHaveLength(1);
    await store.close();
  });

  it('reports a field type conflict as a non-retryable data error', async () => {
    const store = make();
    await store.open();
    await store.write([reading({ value: 1, ts: T0 })]);
    // Another writer put an integer into our float field: InfluxDB answers 400 partial write.
    const db = (store as unknown as { cfg: { database: string } }).cfg.database;
    await fetch(`${influxd.url}/write?db=${db}&precision=ms`, {
      method: 'POST',
      body: `co2,sensor=x,site=y,zone=z value=1i ${T0}`,
    });
    const err = await store
      .write([reading({ quantity: 'co2', sensor: 'x', site: 'y', zone: 'z', value: 2, ts: T0 + 1 })])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: false, failure: 'data', status: 400 });
    await store.close();
  });
});
