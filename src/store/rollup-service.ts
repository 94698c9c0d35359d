import type { Bus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { PartHealth } from '../core/context.js';
import { errorMessage } from '../core/errors.js';
import { HOUR_MS } from '../core/jst.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { Reading } from '../core/reading.js';
import type { Service } from '../core/service.js';
import { HourlyAggregator, hourOf, type OutsideCheck } from './rollup.js';
import type { RollupRow, SeriesFilter, TimeSeriesStore } from './store.js';

/** Raw readings in [from, to): the store's, plus (remote stores) those still waiting in the outbox. */
export type RawSource = (q: SeriesFilter & { from: number; to: number }) => Promise<Reading[]>;

export interface RollupServiceDeps {
  bus: Bus;
  store: TimeSeriesStore;
  source: RawSource;
  checks: readonly OutsideCheck[];
  staleAfterMs: (site: string, sensor: string) => number;
  flushIntervalMs: number;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
}

/** How far back a restart re-reads raw data to resume the rollups. */
const MAX_RESUME_MS = 48 * HOUR_MS;

/**
 * Keeps hourly rollups up to date from the bus's `readings` events and
 * writes them with `store.writeRollups` every `flushIntervalMs` and whenever
 * a series enters a new hour. On start it rebuilds from raw data every hour
 * since the newest stored rollup (at most 48 h back), so a restart neither
 * loses the hour in progress nor overwrites it with a partial one. Rows whose
 * write failed are kept and written with the next flush.
 */
export class RollupService implements Service {
  readonly name = 'rollups';
  private agg: HourlyAggregator | undefined;
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly failed = new Map<string, RollupRow>();
  private flushing: Promise<void> | undefined;
  private lastError: string | undefined;
  private readonly m;

  constructor(private readonly deps: RollupServiceDeps) {
    const mt = deps.metrics;
    this.m = {
      rows: mt.counter('kaiteki_rollup_rows_written_total', 'Hourly rollup rows written (upserts)'),
      errors: mt.counter(
        'kaiteki_rollup_write_errors_total',
        'Failed rollup writes (retried on the next flush)',
      ),
      late: mt.counter(
        'kaiteki_rollup_late_readings_total',
        'Readings not newer than their series’ newest (left out of live rollups)',
      ),
    };
  }

  async start(): Promise<void> {
    const { bus, clock } = this.deps;
    const queued: Reading[][] = [];
    this.unsubscribe = bus.on('readings', (rs) => {
      if (this.agg) this.feed(rs);
      else queued.push([...rs]);
    });
    const agg = await this.rebuild(clock.now());
    this.agg = agg;
    for (const rs of queued) this.feed(rs);
    this.timer = setInterval(() => void this.flush(), this.deps.flushIntervalMs);
    this.timer.unref();
  }

  /** Rebuilds the aggregator from raw data since the newest rollup and writes those hours again. */
  private async rebuild(now: number): Promise<HourlyAggregator> {
    const { store, source, log } = this.deps;
    const agg = new HourlyAggregator(this.deps.checks, this.deps.staleAfterMs);
    const floor = hourOf(now - MAX_RESUME_MS);
    let from = hourOf(now) - HOUR_MS;
    try {
      const rows = await store.rollups({ from: floor, to: now + HOUR_MS });
      const newest = rows.reduce((m, r) => Math.max(m, r.hour), Number.NEGATIVE_INFINITY);
      if (rows.length > 0) from = Math.max(floor, Math.min(from, newest));
      const raw = await source({ from: from - HOUR_MS, to: now + HOUR_MS });
      raw.sort((a, b) => a.ts - b.ts);
      for (const r of raw) agg.add(r);
      agg.late = 0;
      const again = agg.takeRows(now, from);
      if (again.length > 0) await store.writeRollups(again);
      log.info(
        { from: new Date(from).toISOString(), readings: raw.length, rows: again.length },
        'rollups resumed',
      );
    } catch (err) {
      log.warn(
        { err: errorMessage(err) },
        'could not rebuild rollups at start; continuing from live readings',
      );
    }
    return agg;
  }

  private feed(rs: readonly Reading[]): void {
    const agg = this.agg!;
    for (const r of rs) if (!agg.add(r)) this.m.late.inc();
    if (agg.closedHour) {
      agg.closedHour = false;
      void this.flush();
    }
  }

  /** Writes every changed row now (also called at stop). Never throws. */
  flush(): Promise<void> {
    this.flushing ??= this.doFlush().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    if (!this.agg) return;
    const rows = new Map(this.failed);
    this.failed.clear();
    for (const r of this.agg.takeRows(this.deps.clock.now())) rows.set(rowKey(r), r);
    if (rows.size === 0) return;
    try {
      await this.deps.store.writeRollups([...rows.values()]);
      this.m.rows.inc(rows.size);
      this.lastError = undefined;
    } catch (err) {
      this.m.errors.inc();
      this.lastError = errorMessage(err);
      for (const [k, r] of rows) this.failed.set(k, r);
      this.deps.log.warn(
        { err: this.lastError, rows: rows.size },
        'rollup write failed; retrying on the next flush',
      );
    }
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  health(): PartHealth {
    return {
      ok: this.lastError === undefined,
      required: false,
      detail: { pendingRows: this.failed.size, lastError: this.lastError },
    };
  }
}

function rowKey(r: RollupRow): string {
  return `${r.site}\u0000${r.zone}\u0000${r.sensor}\u0000${r.quantity}\u0000${r.hour}`;
}
