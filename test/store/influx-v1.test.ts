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
