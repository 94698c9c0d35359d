import { InfluxDB, type ISingleHostConfig } from 'influx';
// The package's connection pool, used directly to post hand-built line protocol (2× writePoints' speed).
import { Pool, RequestError, ServiceNotAvailableError } from 'influx/lib/src/pool.js';
import { errorMessage, KaitekiError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/log.js';
import type { Reading } from '../core/reading.js';
import type { InfluxConfig } from './config.js';
import { InfluxWriteThread } from './influx-write-thread.js';
import {
  bucketsQuery,
  bySeriesThenTime,
  type InfluxQl,
  latestQuery,
  parseBuckets,
  parseReadings,
  parseRollups,
  quoteIdent,
  rawQuery,
  rollupsQuery,
  seriesOf,
} from './influxql.js';
import { Limiter } from './limiter.js';
import { readingsBody, rollupsBody } from './line-protocol.js';
import type { RollupRow, SeriesBucket, SeriesFilter, SeriesQuery, TimeSeriesStore } from './store.js';
import { failureOf, parseRetryAfter, StoreWriteError } from './write-error.js';

/** The retention policy raw readings go to when `retentionDays` > 0 (rollups stay in the default policy). */
export const RAW_RP = 'raw';

/** No pool-level retry or host parking: the drainer owns retry and backoff. */
const noBackoff = { getDelay: () => 0, next: () => noBackoff, reset: () => noBackoff };

/**
 * InfluxDB 1.x (and anything serving the 1.x API: 2.x's v1 compatibility
 * endpoints, InfluxDB 3's /write and /query) through the `influx` package.
 * Writes post line protocol to /write?precision=ms, at most `maxInFlight`
 * at once; reads are InfluxQL with bound parameters. See docs/influxdb.md.
 */
export class InfluxV1Store implements TimeSeriesStore {
  readonly kind = 'influx-v1';
  private influx!: InfluxDB;
  private pool!: Pool;
  private limiter: Limiter;
  private readonly auth: string | undefined;
  private readonly password: string | undefined;
  private schemaReady: Promise<void> | undefined;
  private closed = false;
  /** points InfluxDB discarded because they were older than the retention policy */
  droppedByRetention = 0;
  /** where readings are written when `writeThread` (undefined: on this thread) */
  private thread: InfluxWriteThread | undefined;

  constructor(
    private readonly cfg: InfluxConfig,
    password: string | undefined,
    private readonly log: Logger = silentLogger,
  ) {
    this.limiter = new Limiter(cfg.maxInFlight);
    this.password = password;
    this.auth = cfg.username ? `${cfg.username}:${password ?? ''}` : undefined;
  }

  /** true when raw readings are written on the write thread (`writeThread`, and it started) */
  get writesOnThread(): boolean {
    return this.thread !== undefined;
  }

  private get rp(): string | undefined {
    return this.cfg.retentionDays > 0 ? RAW_RP : undefined;
  }

  async open(): Promise<void> {
    const url = new URL(this.cfg.url);
    const pool = { maxRetries: 0, requestTimeout: this.cfg.timeoutMs, backoff: noBackoff };
    const config: ISingleHostConfig = {
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      protocol: url.protocol === 'https:' ? 'https' : 'http',
      database: this.cfg.database,
      username: this.cfg.username,
      password: this.password,
      pool,
    };
    if (url.pathname !== '/') config.path = url.pathname;
    this.influx = new InfluxDB(config);
    this.pool = new Pool(pool);
    this.pool.addHost(this.cfg.url.replace(/\/+$/, ''));
    // A server that is down at start-up is not an error: the outbox holds readings until it is back.
    await this.ensureSchema().catch((err: unknown) =>
      this.log.warn({ err: errorMessage(err) }, 'InfluxDB not ready at start-up; will retry on write'),
    );
    if (this.cfg.writeThread) {
      const thread = new InfluxWriteThread(this.cfg, this.password, this.log);
      try {
        await thread.start();
        this.thread = thread;
      } catch (err) {
        this.log.warn(
          { err: errorMessage(err) },
          'InfluxDB write thread did not start; writing on the main thread',
        );
      }
    }
  }

  /** CREATE DATABASE / RETENTION POLICY once (idempotent in InfluxQL); retried after a failure. */
  private ensureSchema(): Promise<void> {
    if (!this.cfg.createDatabase) return Promise.resolve();
    this.schemaReady ??= this.createSchema().catch((err) => {
      this.schemaReady = undefined;
      throw err;
    });
    return this.schemaReady;
  }

  private async createSchema(): Promise<void> {
    const db = this.cfg.database;
    await this.influx.createDatabase(db);
    if (this.cfg.retentionDays > 0) {
      const opts = { duration: `${this.cfg.retentionDays}d`, replication: 1, database: db };
      await this.influx
        .createRetentionPolicy(RAW_RP, opts)
        .catch(() => this.influx.alterRetentionPolicy(RAW_RP, opts));
    }
  }

  async write(readings: readonly Reading[]): Promise<void> {
    if (readings.length === 0) return;
    if (this.thread) {
      if (this.closed) throw new KaitekiError('influx-v1 store is closed');
      const dropped = await this.thread.write(readings);
      if (dropped > 0) this.retentionDropped(dropped);
      return;
    }
    await this.post(readingsBody(readings), this.rp);
  }

  /** A line-protocol body of raw readings, as the write thread builds it (its own store writes it). */
  async writeBody(body: string): Promise<void> {
    await this.post(body, this.rp);
  }

  async writeRollups(rows: readonly RollupRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.post(rollupsBody(rows), undefined);
  }

  private async post(body: string, rp: string | undefined): Promise<void> {
    if (this.closed) throw new KaitekiError('influx-v1 store is closed');
    await this.limiter.run(async () => {
      try {
        await this.ensureSchema();
        await this.pool.discard({
          method: 'POST',
          path: '/write',
          query: { db: this.cfg.database, precision: 'ms', ...(rp ? { rp } : {}) },
          body,
          auth: this.auth,
        });
      } catch (err) {
        const e = this.classify(err);
        if (e === 'retention') return;
        throw e;
      }
    });
  }

  private retentionDropped(n: number): void {
    this.droppedByRetention += n;
    this.log.warn({ dropped: n }, 'InfluxDB dropped readings older than the retention policy');
  }

  private classify(err: unknown): StoreWriteError | 'retention' {
    if (err instanceof StoreWriteError) return err;
    if (err instanceof RequestError) {
      const status = err.res.statusCode;
      // InfluxDB drops points older than the retention policy and says so with a 400; that is by design.
      const dropped = /points beyond retention policy dropped=(\d+)/.exec(err.message);
      if (status === 400 && dropped && !/field type conflict|unable to parse/.test(err.message)) {
        this.retentionDropped(Number(dropped[1]));
        return 'retention';
      }
      if (status === 404) this.schemaReady = undefined; // database dropped under us: re-create on the next try
      return new StoreWriteError(`InfluxDB write failed: ${err.message}`, {
        failure: failureOf(status),
        status,
        retryAfterMs: parseRetryAfter(err.res.headers['retry-after']),
        cause: err,
      });
    }
    // 5xx (e.g. 1.6's 500 "engine: error syncing wal"), timeouts and network errors: retry later.
    const what = err instanceof ServiceNotAvailableError ? `HTTP ${err.message}` : errorMessage(err);
    return new StoreWriteError(`InfluxDB unavailable: ${what}`, { failure: 'unavailable', cause: err });
  }

  private async select(ql: InfluxQl) {
    try {
      return seriesOf(await this.influx.queryRaw(ql.q, { precision: 'ms', placeholders: ql.params }));
    } catch (err) {
      throw new KaitekiError(`InfluxDB query failed: ${errorMessage(err)}`, {
        cause: err,
        retryable: !(err instanceof RequestError),
      });
    }
  }

  async latest(filter: SeriesFilter = {}): Promise<Reading[]> {
    const out = parseReadings(await this.select(latestQuery(filter, this.rp)));
    return out.sort(bySeriesThenTime((r) => r.ts));
  }

  async query(q: SeriesQuery): Promise<SeriesBucket[]> {
    const out = parseBuckets(await this.select(bucketsQuery(q, this.rp)));
    return out.sort(bySeriesThenTime((b) => b.ts));
  }

  async raw(q: SeriesFilter & { from: number; to: number; limit?: number }): Promise<Reading[]> {
    const limit = q.limit ?? 100_000;
    const out = parseReadings(await this.select(rawQuery({ ...q, limit }, this.rp)));
    return out.sort((a, b) => a.ts - b.ts).slice(0, limit);
  }

  async rollups(q: SeriesFilter & { from: number; to: number }): Promise<RollupRow[]> {
    const out = parseRollups(await this.select(rollupsQuery(q)));
    return out.sort(bySeriesThenTime((r) => r.hour));
  }

  async ping(): Promise<boolean> {
    if (!this.pool) return false;
    const hosts = await this.pool.ping(Math.min(this.cfg.timeoutMs, 5000), '/ping', this.auth);
    return hosts.some((h) => h.online);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.limiter.idle();
    await this.thread?.close();
  }

  /** `DROP DATABASE` helper for tests and the CLI's reset (never called by the service). */
  async dropDatabase(): Promise<void> {
    await this.influx.query(`DROP DATABASE ${quoteIdent(this.cfg.database)}`);
    this.schemaReady = undefined;
  }
}
