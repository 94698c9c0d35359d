import type { Quantity } from '../core/quantities.js';
import type { Reading } from '../core/reading.js';

/** Which series a query covers; an absent field matches everything. */
export interface SeriesFilter {
  site?: string;
  zone?: string;
  sensor?: string;
  quantity?: Quantity;
}

export interface SeriesQuery extends SeriesFilter {
  /** epoch ms, inclusive */
  from: number;
  /** epoch ms, exclusive */
  to: number;
  /** bucket width in ms; buckets are aligned to multiples of step from the epoch (JST-aligned for steps of a day are the caller's job) */
  step: number;
}

/** One aggregated bucket of one series. Buckets with no readings are omitted. */
export interface SeriesBucket {
  site: string;
  zone: string;
  sensor: string;
  quantity: Quantity;
  /** bucket start, epoch ms */
  ts: number;
  count: number;
  mean: number;
  min: number;
  max: number;
  /** value of the bucket's newest reading */
  last: number;
}

/**
 * Hourly aggregate of one series (rollups). `outside` holds, per limit id
 * (e.g. `comfort.temperature`, `eco.overcooling`), the milliseconds of that
 * hour the series spent outside the limit, attributing each reading's value
 * until the next reading (capped at the sensor's stale threshold).
 */
export interface RollupRow {
  site: string;
  zone: string;
  sensor: string;
  quantity: Quantity;
  /** hour start, epoch ms (UTC hour == JST hour, JST being UTC+9 whole hours) */
  hour: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  /** last value in the hour (energy meters: the reading at the end of the hour) */
  last: number;
  /** ms of this hour covered by readings (for completeness and time-weighted shares) */
  coveredMs: number;
  outside: Record<string, number>;
}

/**
 * Where readings live. Implementations: embedded SQLite (src/store/sqlite.ts),
 * InfluxDB 1.x and 2.x. Every implementation passes test/store/contract.ts.
 *
 * Guarantees:
 * - `write` is idempotent per point identity (site, zone, sensor, quantity, ts):
 *   writing the same reading twice leaves one point, the later value winning.
 * - `write` resolves only when the readings are durable in the store; it throws
 *   a KaitekiError whose `retryable` says whether the same batch may be retried.
 * - Methods may be called concurrently; `close()` waits for writes under way and
 *   may be called more than once. No method may be called before `open()`.
 */
export interface TimeSeriesStore {
  /** short name for logs and metrics: `embedded`, `influx-v1`, `influx-v2` */
  readonly kind: string;
  open(): Promise<void>;
  write(readings: readonly Reading[]): Promise<void>;
  /** newest reading per series matching the filter */
  latest(filter?: SeriesFilter): Promise<Reading[]>;
  /** aggregated buckets, ordered by series then time */
  query(q: SeriesQuery): Promise<SeriesBucket[]>;
  /** raw readings in [from, to), ordered by time (bounded by `limit`, default 100 000) */
  raw(q: SeriesFilter & { from: number; to: number; limit?: number }): Promise<Reading[]>;
  /** upsert hourly rollups (same identity: series + hour) */
  writeRollups(rows: readonly RollupRow[]): Promise<void>;
  /** rollups with hour in [from, to) */
  rollups(q: SeriesFilter & { from: number; to: number }): Promise<RollupRow[]>;
  /** cheap reachability check for /healthz */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * The synchronous, durable acceptance step of ingest. `acceptSync` returns
 * only once the readings are on disk (so an MQTT PUBACK sent afterwards never
 * acknowledges a reading a crash could lose). The embedded store is its own
 * sink; remote stores sit behind a durable outbox that drains to them.
 */
export interface DurableSink {
  acceptSync(readings: readonly Reading[]): void;
}
