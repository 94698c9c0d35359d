import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { influxConfigSchema } from '../../src/store/config.js';
import { InfluxV1Store } from '../../src/store/influx-v1.js';
import { INFLUXD, type Influxd, startInfluxd } from '../helpers/influxd.js';
import { lateReadingSuite } from './rollup-late-scenarios.js';

describe.skipIf(!INFLUXD)('late readings on InfluxDB 1.x', () => {
  let influxd: Influxd;
  beforeAll(async () => {
    influxd = await startInfluxd();
  });
  afterAll(async () => {
    await influxd?.close();
  });
  lateReadingSuite(
    'influx-v1, real influxd',
    () =>
      new InfluxV1Store(
        influxConfigSchema.parse({ url: influxd.url, database: `t_${randomUUID().slice(0, 8)}` }),
        undefined,
      ),
  );
});
