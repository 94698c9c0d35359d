import { z } from 'zod';

/**
 * `store.influx:` — connection and write tuning for InfluxDB (1.x through
 * `influx`, 2.x through `@influxdata/influxdb-client`). Secrets come from the
 * environment: KAITEKI_INFLUX_PASSWORD (1.x) and KAITEKI_INFLUX_TOKEN (2.x).
 */
export const influxConfigSchema = z.strictObject({
  /** server URL, e.g. http://localhost:8086 (KAITEKI_INFLUX_URL) */
  url: z.string().url().default('http://localhost:8086'),
  /** 1.x database (also the v1-compatibility database/DBRP on 2.x and 3.x) */
  database: z.string().min(1).default('kaiteki'),
  /** 1.x user (KAITEKI_INFLUX_USERNAME); the password is KAITEKI_INFLUX_PASSWORD */
  username: z.string().min(1).optional(),
  /** 2.x organisation (KAITEKI_INFLUX_ORG) */
  org: z.string().min(1).optional(),
  /** 2.x bucket for raw readings (KAITEKI_INFLUX_BUCKET) */
  bucket: z.string().min(1).optional(),
  /** 2.x bucket for hourly rollups (default: the raw bucket); give it a longer retention than the raw bucket */
  rollupBucket: z.string().min(1).optional(),
  /** points per write request */
  batchSize: z.number().int().min(1).max(100_000).default(5000),
  /** a partial batch is written after at most this long */
  flushIntervalMs: z.number().int().min(10).default(1000),
  /** write requests in flight at once (InfluxDB 1.6 answers 500 "error syncing wal" when too many wait) */
  maxInFlight: z.number().int().min(1).max(8).default(2),
  /** per-request timeout */
  timeoutMs: z.number().int().min(100).default(30_000),
  /** longest pause between retries of a failing write */
  maxBackoffMs: z.number().int().min(100).default(30_000),
  /** raw readings older than this are deleted by InfluxDB (1.x: retention policy "raw"); 0 = keep forever. Rollups are kept. */
  retentionDays: z.number().int().min(0).default(0),
  /** 1.x: create the database (and retention policy) at start-up when missing; needs admin rights */
  createDatabase: z.boolean().default(true),
  /** 1.x: build and send write requests on a worker thread, off the thread that takes MQTT messages */
  writeThread: z.boolean().default(true),
});
export type InfluxConfig = z.infer<typeof influxConfigSchema>;

/** `store.buffer:` — the durable outbox between MQTT and a remote store. */
export const bufferConfigSchema = z.strictObject({
  /** readings held at most; at the bound ingest stops acknowledging (MQTT keeps the messages), nothing is dropped */
  maxReadings: z.number().int().min(1000).default(5_000_000),
  /** depth / maxReadings above which health warns */
  warnRatio: z.number().gt(0).lt(1).default(0.8),
});
export type BufferConfig = z.infer<typeof bufferConfigSchema>;

/** `store.rollups:` — hourly aggregates kept next to the raw data. */
export const rollupConfigSchema = z.strictObject({
  /** the current hour's rows are rewritten this often (and every time an hour closes) */
  flushIntervalSeconds: z.number().int().min(1).default(60),
});

/** `store:` — where readings live. */
export const storeConfigSchema = z
  .strictObject({
    /** embedded = SQLite under dataDir, no server needed */
    kind: z.enum(['embedded', 'influx-v1', 'influx-v2']).default('embedded'),
    /** local state (embedded store, durable buffer, alert state) lives here */
    dataDir: z.string().default('./data'),
    influx: influxConfigSchema.default(influxConfigSchema.parse({})),
    buffer: bufferConfigSchema.default(bufferConfigSchema.parse({})),
    rollups: rollupConfigSchema.default(rollupConfigSchema.parse({})),
  })
  .default(() => ({
    kind: 'embedded' as const,
    dataDir: './data',
    influx: influxConfigSchema.parse({}),
    buffer: bufferConfigSchema.parse({}),
    rollups: rollupConfigSchema.parse({}),
  }));
export type StoreConfig = z.infer<typeof storeConfigSchema>;
