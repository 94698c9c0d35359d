import type { Bus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { PartHealth } from '../core/context.js';
import { errorMessage } from '../core/errors.js';
import { DAY_MS, HOUR_MS } from '../core/jst.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import { type Reading, seriesKey } from '../core/reading.js';
import type { Service } from '../core/service.js';
import type { HourlyAggregator, OutsideCheck } from './rollup.js';
import { hourOf } from './rollup.js';
import {
  DirtyHours,
  type RawSource,
  type RebuildProgress,
  readWithLeadIn,
  reaggregateDirty,
  rebuildRange,
  rebuildSeriesTail,
  type SeriesId,
  yieldToIo,
} from './rollup-rebuild.js';
import { newAggregator, type RollupSpec } from './rollup-spec.js';
import type { RollupRow, TimeSeriesStore } from './store.js';

export type { RawSource } from './rollup-rebuild.js';

export interface RollupServiceDeps {
  bus: Bus;
  store: TimeSeriesStore;
  source: RawSource;
  checks: readonly OutsideCheck[];
  staleAfterMs: (site: string, sensor: string) => number;
  /** aggregator options (state hold, in-use time) from src/store/rollup-spec.ts */
  options?: RollupSpec['options'];
  flushIntervalMs: number;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
}

/** A restart resumes the live aggregator from raw data this far back at most; older gaps are rebuilt in the background. */
const LIVE_RESUME_MS = 48 * HOUR_MS;
/** How far back a restart looks for the newest rollup (windows searched newest first). */
const RESUME_SEARCH = [2, 14, 90, 400].map((d) => d * DAY_MS);

/**
 * Keeps hourly rollups up to date from the bus's `readings` events and
 * writes them with `store.writeRollups` every `flushIntervalMs` and whenever
 * a series enters a new hour. Rows whose write failed are kept and written
 * with the next flush.
 *
 * Late readings (not newer than their series' newest, e.g. a device that
 * buffered while offline) and imported ones are not lost to the rollups:
 * the hours they can change (their hour up to their reach) are marked and
 * re-aggregated from the store at the next flush, each (series, hour) once
 * however many readings touched it, in one raw read per series (recent
 * hours) or per day chunk (older hours).
 *
 * On start it resumes from raw data since the newest stored rollup: the
 * last 48 h feed the live aggregator (so the hour in progress is neither
 * lost nor overwritten with a partial row); an older gap (the service was
 * down for days) is rebuilt in the background, logged with its progress.
 */
export class RollupService implements Service {
  readonly name = 'rollups';
  private agg: HourlyAggregator | undefined;
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly failed = new Map<string, RollupRow>();
  private readonly dirty = new DirtyHours();
  /** series being rebuilt for adoption: their live readings wait here meanwhile */
  private readonly rebuilding = new Map<string, Reading[]>();
  private flushing: Promise<void> | undefined;
  private background: Promise<void> | undefined;
  private lastError: string | undefined;
  private readonly spec: RollupSpec;
  private readonly m;

  constructor(private readonly deps: RollupServiceDeps) {
    this.spec = { checks: deps.checks, staleAfterMs: deps.staleAfterMs, options: deps.options ?? {} };
    const mt = deps.metrics;
    this.m = {
      rows: mt.counter('kaiteki_rollup_rows_written_total', 'Hourly rollup rows written (upserts)'),
      errors: mt.counter(
        'kaiteki_rollup_write_errors_total',
        'Failed rollup writes (retried on the next flush)',
      ),
      late: mt.counter(
        'kaiteki_rollup_late_readings_total',
        'Readings not newer than their series’ newest (their hours are re-aggregated from the store)',
      ),
      reaggregated: mt.counter(
        'kaiteki_rollup_reaggregated_hours_total',
        'Series-hours re-aggregated from the store (late or imported readings, rebuilds)',
      ),
      dirty: mt.gauge('kaiteki_rollup_dirty_hours', 'Series-hours waiting to be re-aggregated'),
    };
  }

  async start(): Promise<void> {
    const { bus, clock } = this.deps;
    const queued: Reading[][] = [];
    this.unsubscribe = bus.on('readings', (rs) => {
      if (this.agg) this.feed(rs);
      else queued.push([...rs]);
    });
    const agg = await this.resume(clock.now());
    this.agg = agg;
    for (const rs of queued) this.feed(rs);
    this.timer = setInterval(() => void this.flush(), this.deps.flushIntervalMs);
    this.timer.unref();
  }

  /** Newest stored rollup hour, searching back window by window; undefined when none in 400 days. */
  private async newestRollup(now: number): Promise<number | undefined> {
    let to = now + HOUR_MS;
    for (const back of RESUME_SEARCH) {
      const from = hourOf(now - back);
      const rows = await this.deps.store.rollups({ from, to });
      if (rows.length > 0) return rows.reduce((m, r) => Math.max(m, r.hour), Number.NEGATIVE_INFINITY);
      to = from;
    }
    return undefined;
  }

  /** Rebuilds the aggregator from raw data since the newest rollup and writes those hours again. */
  private async resume(now: number): Promise<HourlyAggregator> {
    const { log } = this.deps;
    const agg = newAggregator(this.spec);
    const floor = hourOf(now - LIVE_RESUME_MS);
    let from = hourOf(now) - HOUR_MS;
    try {
      const newest = await this.newestRollup(now);
      if (newest !== undefined) from = Math.min(from, newest);
      if (from < floor) {
        this.rebuildGapInBackground(from, floor, now);
        from = floor;
      }
      const tail = await readWithLeadIn(this.deps.source, agg, {}, from, now + DAY_MS, () => true);
      for (const r of tail) agg.add(r);
      agg.late = 0;
      const again = agg.takeRows(now, from);
      if (again.length > 0) await this.deps.store.writeRollups(again);
      log.info(
        { from: new Date(from).toISOString(), readings: tail.length, rows: again.length },
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

  /** The service was down longer than the live resume covers: rebuild [from, to) without holding up the start. */
  private rebuildGapInBackground(from: number, to: number, now: number): void {
    const { log } = this.deps;
    const hours = (to - from) / HOUR_MS;
    log.warn(
      { from: new Date(from).toISOString(), to: new Date(to).toISOString(), hours },
      'rollups are more than 48 h behind: rebuilding the gap from raw data in the background',
    );
    let lastDecile = 0;
    this.background = rebuildRange(
      { store: this.deps.store, source: this.deps.source, spec: this.spec },
      { from, to },
      {
        now,
        shouldStop: () => this.stopping,
        onProgress: (done, total) => {
          const decile = Math.floor((10 * done) / total);
          if (decile > lastDecile) {
            lastDecile = decile;
            log.info({ done: `${decile * 10}%` }, 'rollup gap rebuild');
          }
        },
      },
    )
      .then((res) => {
        if (res.stoppedAt !== undefined) {
          log.warn(
            { from: new Date(res.stoppedAt).toISOString(), to: new Date(to).toISOString() },
            'rollup gap rebuild stopped with the service; run `kaiteki rollups rebuild --from … --to …` for the rest',
          );
          return;
        }
        this.m.reaggregated.inc(hours);
        log.info({ ...res, hours }, 'rollup gap rebuilt');
      })
      .catch((err) => {
        this.lastError = errorMessage(err);
        log.error(
          { err: this.lastError },
          'rollup gap rebuild failed; run `kaiteki rollups rebuild --from … --to …`',
        );
      });
  }

  private feed(rs: readonly Reading[]): void {
    const agg = this.agg!;
    // (the hot path: a series key is built only while a series is being rebuilt)
    for (const r of rs) {
      const held = this.rebuilding.size > 0 ? this.rebuilding.get(seriesKey(r)) : undefined;
      if (held) held.push(r);
      else if (!agg.add(r)) this.late(r);
    }
    if (agg.closedHour) {
      agg.closedHour = false;
      void this.flush();
    }
  }

  private late(r: Reading): void {
    this.m.late.inc();
    this.dirty.addReading(r, this.agg!.reachMs(r));
    this.m.dirty.set(this.dirty.size);
  }

  /** How far a reading of this series reaches forward (stale time or state hold): the hours it can change. */
  reachMs(r: Pick<Reading, 'site' | 'sensor' | 'quantity'>): number {
    this.reach ??= newAggregator(this.spec);
    return this.reach.reachMs(r);
  }
  private reach: HourlyAggregator | undefined;

  /**
   * These readings are durable in the store (an import, a replay), or these
   * hours changed: re-aggregate them now. Resolves once their rows are
   * written; throws when the store refuses (they stay marked for the next flush).
   */
  async touch(changed: readonly Reading[] | DirtyHours, onProgress?: RebuildProgress): Promise<void> {
    if (!this.agg) throw new Error('rollups not started');
    if (changed instanceof DirtyHours) this.dirty.merge(changed);
    else for (const r of changed) this.dirty.addReading(r, this.reachMs(r));
    this.m.dirty.set(this.dirty.size);
    while (this.flushing) await this.flushing;
    this.progress = onProgress;
    try {
      await this.flush();
    } finally {
      this.progress = undefined;
    }
    if (this.lastError !== undefined) throw new Error(`rollups not written: ${this.lastError}`);
  }

  private progress: RebuildProgress | undefined;

  /** Writes every changed row now (also called at stop). Never throws. */
  flush(): Promise<void> {
    this.flushing ??= this.doFlush().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    const agg = this.agg;
    if (!agg) return;
    const now = this.deps.clock.now();
    const rows = new Map(this.failed);
    this.failed.clear();
    for (const r of agg.takeRows(now)) rows.set(rowKey(r), r);
    let error: string | undefined;
    if (this.dirty.size > 0) {
      const dirty = this.dirty.take();
      this.m.dirty.set(0);
      try {
        await this.reaggregate(agg, dirty, now, rows);
      } catch (err) {
        error = errorMessage(err);
        this.dirty.merge(dirty); // all of it again next time: re-aggregating an hour twice is harmless
        this.m.dirty.set(this.dirty.size);
      }
    }
    if (rows.size > 0) {
      try {
        await this.deps.store.writeRollups([...rows.values()]);
        this.m.rows.inc(rows.size);
      } catch (err) {
        this.m.errors.inc();
        error ??= errorMessage(err);
        for (const [k, r] of rows) this.failed.set(k, r);
      }
    }
    this.lastError = error;
    if (error !== undefined)
      this.deps.log.warn(
        { err: error, rows: this.failed.size, dirtyHours: this.dirty.size },
        'rollup write failed; retrying on the next flush',
      );
  }

  /**
   * Dirty hours the live aggregator still holds (or the last hour, for a
   * series it does not know yet), with the run of dirty hours just before
   * them: that series is rebuilt from the run's first hour to now and the
   * live state replaced (rows go into `rows`, written with the flush). The
   * rest — hours the live aggregator will not write again — are
   * re-aggregated without touching the live state: one raw read per day
   * chunk for all series, of the dirty span only, written as they are done.
   */
  private async reaggregate(
    agg: HourlyAggregator,
    dirty: DirtyHours,
    now: number,
    rows: Map<string, RollupRow>,
  ): Promise<void> {
    const older = new DirtyHours();
    const tails: { key: string; id: SeriesId; from: number; hours: number }[] = [];
    for (const [key, e] of dirty.entries()) {
      // a series the live aggregator does not know yet (an import) may get live readings of this hour next
      const boundary = agg.heldFrom(key) ?? hourOf(now) - HOUR_MS;
      let tailFrom = Number.POSITIVE_INFINITY;
      for (const h of e.hours) if (h >= boundary) tailFrom = Math.min(tailFrom, h);
      // the whole run of consecutive dirty hours that reaches the window goes with it: one read, not two
      while (e.hours.has(tailFrom - HOUR_MS)) tailFrom -= HOUR_MS;
      let hours = 0;
      for (const h of e.hours) {
        if (h >= tailFrom) hours++;
        else older.add(e.id, h, h + 1);
      }
      if (hours > 0) tails.push({ key, id: e.id, from: tailFrom, hours });
    }
    const total = dirty.size;
    let done = 0;
    for (const t of tails) {
      await yieldToIo();
      this.rebuilding.set(t.key, []);
      const release = () => {
        const held = this.rebuilding.get(t.key) ?? [];
        this.rebuilding.delete(t.key);
        return held;
      };
      let res: Awaited<ReturnType<typeof rebuildSeriesTail>>;
      try {
        res = await rebuildSeriesTail({ source: this.deps.source, spec: this.spec }, t.id, t.from, now);
      } catch (err) {
        for (const r of release()) if (!agg.add(r)) this.late(r);
        throw err;
      }
      for (const r of res.rows) rows.set(rowKey(r), r);
      agg.adopt(res.agg, t.key);
      const seen = new Set(res.raw.map((r) => r.ts));
      // readings that arrived while the raw data was read: new ones go in, those already read are skipped
      for (const r of release()) if (!agg.add(r) && !seen.has(r.ts)) this.late(r);
      this.m.reaggregated.inc(t.hours);
      done += t.hours;
      this.progress?.(done, total);
    }
    if (older.size > 0) {
      const before = done;
      const res = await reaggregateDirty(
        { store: this.deps.store, source: this.deps.source, spec: this.spec },
        older,
        { now, onProgress: (d) => this.progress?.(before + d, total) },
      );
      this.m.reaggregated.inc(older.size);
      this.m.rows.inc(res.rows);
    }
  }

  private stopping = false;

  /** Resolves when a background gap rebuild (started by a restart) is over; at once when there is none. */
  async settled(): Promise<void> {
    await this.background;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.background;
    await this.flush();
  }

  health(): PartHealth {
    return {
      ok: this.lastError === undefined,
      required: false,
      detail: { pendingRows: this.failed.size, dirtyHours: this.dirty.size, lastError: this.lastError },
    };
  }
}

function rowKey(r: RollupRow): string {
  return `${r.site}\u0000${r.zone}\u0000${r.sensor}\u0000${r.quantity}\u0000${r.hour}`;
}
