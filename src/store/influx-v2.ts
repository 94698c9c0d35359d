import { HttpError, InfluxDB, RequestTimedOutError } from '@influxdata/influxdb-client';
import { errorMessage, KaitekiError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/log.js';
import type { Reading } from '../core/reading.js';
import type { InfluxConfig } from './config.js';
import {
  bucketsFlux,
  type FluxRow,
  latestFlux,
  parseFluxBuckets,
  parseFluxReadings,
  parseFluxRollups,
  rawFlux,
  rollupsFlux,
} from './flux.js';
import { bySeriesThenTime } from './influxql.js';
import { Limiter } from './limiter.js';
import { readingsBody, rollupsBody } from './line-protocol.js';
import type { RollupRow, SeriesBucket, SeriesFilter, SeriesQuery, TimeSeriesStore } from './store.js';
import { failureOf, parseRetryAfter, StoreWriteError } from './write-error.js';

/**
 * InfluxDB 2.x (org, bucket, token) through `@influxdata/influxdb-client`.
 *
 * Writes do not use the client's WriteApi: its flush()/close() resolve
 * before a failure is known (the failure only reaches the writeFailed
 * callback; DESIGN §5), which would acknowledge readings that were never
 * stored. Instead each batch is posted as line protocol to /api/v2/write
 * through the client's own transport, whose promise rejects on any
 * non-2xx answer, and the drainer owns retry. Reads are Flux via QueryApi.
 * Raw retention is the bucket's; give rollups a longer-lived `rollupBucket`.
 */
export class InfluxV2Store implements TimeSeriesStore {
  readonly kind = 'influx-v2';
  private client!: InfluxDB;
  private readonly limiter: Limiter;
  private readonly bucket: string;
  private readonly rollupBucket: string;
  private readonly org: string;
  private closed = false;
  droppedByRetention = 0;

  constructor(
    private readonly cfg: InfluxConfig,
    private readonly token: string | undefined,
    private readonly log: Logger = silentLogger,
  ) {
    if (!cfg.org || !cfg.bucket) {
      throw new KaitekiError('store.influx.org and store.influx.bucket are required for influx-v2');
    }
    this.org = cfg.org;
    this.bucket = cfg.bucket;
    this.rollupBucket = cfg.rollupBucket ?? cfg.bucket;
    this.limiter = new Limiter(cfg.maxInFlight);
  }

  async open(): Promise<void> {
    this.client = new InfluxDB({ url: this.cfg.url, token: this.token, timeout: this.cfg.timeoutMs });
  }

  async write(readings: readonly Reading[]): Promise<void> {
    if (readings.length > 0) await this.post(this.bucket, readingsBody(readings));
  }

  async writeRollups(rows: readonly RollupRow[]): Promise<void> {
    if (rows.length > 0) await this.post(this.rollupBucket, rollupsBody(rows));
  }

  private async post(bucket: string, body: string): Promise<void> {
    if (this.closed) throw new KaitekiError('influx-v2 store is closed');
    const qs = new URLSearchParams({ org: this.org, bucket, precision: 'ms' });
    await this.limiter.run(async () => {
      try {
        await this.client.transport.request(`/api/v2/write?${qs}`, body, {
          method: 'POST',
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        });
      } catch (err) {
        const e = this.classify(err);
        if (e) throw e;
      }
    });
  }

  /** undefined: the server dropped points only for being older than the bucket's retention (by design) */
  private classify(err: unknown): StoreWriteError | undefined {
    if (err instanceof HttpError) {
      const dropped = /points beyond retention policy dropped=(\d+)/.exec(err.body ?? '');
      if (err.statusCode === 422 && dropped) {
        this.droppedByRetention += Number(dropped[1]);
        this.log.warn(
          { dropped: Number(dropped[1]) },
          'InfluxDB dropped readings older than the bucket retention',
        );
        return undefined;
      }
      return new StoreWriteError(`InfluxDB write failed: HTTP ${err.statusCode} ${err.body ?? err.message}`, {
        failure: failureOf(err.statusCode),
        status: err.statusCode,
        retryAfterMs: parseRetryAfter(err.headers?.['retry-after'] as string | undefined),
        cause: err,
      });
    }
    const what = err instanceof RequestTimedOutError ? 'request timed out' : errorMessage(err);
    return new StoreWriteError(`InfluxDB unavailable: ${what}`, { failure: 'unavailable', cause: err });
  }

  private async rows(flux: string): Promise<FluxRow[]> {
    try {
      return await this.client.getQueryApi(this.org).collectRows<FluxRow>(flux);
    } catch (err) {
      const status = err instanceof HttpError ? err.statusCode : undefined;
      throw new KaitekiError(`InfluxDB query failed: ${errorMessage(err)}`, {
        cause: err,
        retryable: failureOf(status) === 'unavailable' || status === 429,
      });
    }
  }

  async latest(filter: SeriesFilter = {}): Promise<Reading[]> {
    return parseFluxReadings(await this.rows(latestFlux(this.bucket, filter))).sort(
      bySeriesThenTime((r) => r.ts),
    );
  }

  async query(q: SeriesQuery): Promise<SeriesBucket[]> {
    return parseFluxBuckets(await this.rows(bucketsFlux(this.bucket, q))).sort(bySeriesThenTime((b) => b.ts));
  }

  async raw(q: SeriesFilter & { from: number; to: number; limit?: number }): Promise<Reading[]> {
    const limit = q.limit ?? 100_000;
    const out = parseFluxReadings(await this.rows(rawFlux(this.bucket, { ...q, limit })));
    return out.sort((a, b) => a.ts - b.ts).slice(0, limit);
  }

  async rollups(q: SeriesFilter & { from: number; to: number }): Promise<RollupRow[]> {
    return parseFluxRollups(await this.rows(rollupsFlux(this.rollupBucket, q))).sort(
      bySeriesThenTime((r) => r.hour),
    );
  }

  async ping(): Promise<boolean> {
    if (!this.client) return false;
    try {
      await this.client.transport.request('/ping', '', { method: 'GET' });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.limiter.idle();
  }
}
