import type { Clock } from '../core/clock.js';
import type { PartHealth } from '../core/context.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { Service } from '../core/service.js';
import type { Outbox, OutboxBatch } from './outbox.js';
import type { TimeSeriesStore } from './store.js';
import { StoreWriteError, type WriteFailure } from './write-error.js';

export interface DrainerOptions {
  batchSize: number;
  flushIntervalMs: number;
  maxInFlight: number;
  maxBackoffMs: number;
  maxReadings: number;
  warnRatio: number;
}

/** Delay before the next try after `failures` consecutive failures (exponential, ±20 % jitter, Retry-After wins). */
export function backoffMs(
  failures: number,
  maxMs: number,
  err?: StoreWriteError,
  random = Math.random,
): number {
  if (err?.failure === 'auth') return maxMs;
  const exp = Math.min(maxMs, 200 * 2 ** Math.max(0, failures - 1));
  const jittered = exp * (0.8 + 0.4 * random());
  return Math.min(maxMs, Math.max(err?.retryAfterMs ?? 0, jittered));
}

/**
 * Moves readings from the durable outbox to the remote store: batches in id
 * order (a batch goes when it is full or `flushIntervalMs` has passed), at
 * most `maxInFlight` writes at once, rows deleted only after the store
 * confirmed them. Retryable failures back off (Retry-After honoured) and
 * retry the same rows before any newer ones; auth failures retry at the
 * slowest pace and show in health; a batch the store calls bad data is
 * split until the bad reading is alone, which goes to the outbox's `dead`
 * table (counted, logged) — nothing leaves the outbox any other way. After a
 * restart (even kill -9) draining resumes from the oldest remaining row;
 * rows written just before the crash are re-sent, which the store's point
 * identity turns into a harmless overwrite.
 */
export class Drainer implements Service {
  readonly name = 'store-drainer';
  private cursor = 0;
  private readonly retry: OutboxBatch[] = [];
  private inFlight = 0;
  private lastPing = 0;
  private failures = 0;
  private backoffUntil = 0;
  private failingSince: number | undefined;
  private lastError: { message: string; failure: WriteFailure; at: number } | undefined;
  private reachable = true;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  private written = 0;
  private readonly m;

  constructor(
    private readonly outbox: Outbox,
    private readonly store: TimeSeriesStore,
    private readonly opts: DrainerOptions,
    private readonly deps: { clock: Clock; log: Logger; metrics: Metrics },
  ) {
    const mt = deps.metrics;
    const self = this;
    this.m = {
      written: mt.counter(
        'kaiteki_store_written_total',
        'Readings written to the store from the durable buffer',
      ),
      errors: mt.counter('kaiteki_store_write_errors_total', 'Failed store writes', ['retryable', 'reason']),
      dead: mt.counter(
        'kaiteki_store_dead_letters_total',
        'Readings the store refused as bad data (kept in the dead table)',
      ),
      seconds: mt.histogram('kaiteki_store_write_seconds', 'Duration of one batch write'),
    };
    mt.gauge(
      'kaiteki_store_buffer_depth',
      'Readings accepted and not yet written to the store',
      [],
      function () {
        this.set(self.outbox.depth);
      },
    );
    mt.gauge(
      'kaiteki_store_buffer_oldest_age_seconds',
      'Age of the oldest unwritten reading',
      [],
      function () {
        this.set(self.oldestAgeSeconds());
      },
    );
    mt.gauge('kaiteki_store_buffer_fill_ratio', 'Buffer depth / store.buffer.maxReadings', [], function () {
      this.set(self.outbox.depth / self.opts.maxReadings);
    });
    mt.gauge('kaiteki_store_reachable', '1 when the last write or ping reached the store', [], function () {
      this.set(self.reachable ? 1 : 0);
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.cursor = 0;
    this.outbox.onAccepted = () => {
      if (this.outbox.lastId - this.cursor >= this.opts.batchSize) this.pump(true);
    };
    this.pump(false);
  }

  /** Stops dispatching and waits for writes in flight; unwritten rows stay in the outbox. */
  async stop(): Promise<void> {
    this.running = false;
    this.outbox.onAccepted = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 10));
  }

  /** Resolves once the outbox is empty and nothing is in flight (tests, graceful shutdown with a deadline). */
  drained(): Promise<void> {
    if (this.outbox.depth === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.pump(false);
      },
      Math.max(0, delayMs),
    );
  }

  /** Dispatches batches while slots are free. `fullOnly`: leave a partial batch for the interval tick. */
  private pump(fullOnly: boolean): void {
    if (!this.running) return;
    while (this.inFlight < this.opts.maxInFlight) {
      const wait = this.backoffUntil - this.deps.clock.now();
      if (wait > 0) {
        this.schedule(wait);
        return;
      }
      let batch = this.retry.shift();
      if (!batch) {
        if (fullOnly && this.outbox.lastId - this.cursor < this.opts.batchSize) break;
        try {
          batch = this.outbox.read(this.cursor, this.opts.batchSize);
        } catch (err) {
          this.deps.log.error({ err: errorMessage(err) }, 'cannot read the durable buffer');
          this.schedule(this.opts.maxBackoffMs);
          return;
        }
        if (!batch) break;
        this.cursor = batch.lastId;
      }
      void this.send(batch);
    }
    if (this.inFlight === 0 && this.retry.length === 0) {
      this.notifyIdle();
      this.pingWhenIdle();
      this.schedule(this.opts.flushIntervalMs);
    }
  }

  private async send(batch: OutboxBatch): Promise<void> {
    this.inFlight++;
    const end = this.m.seconds.startTimer();
    try {
      await this.store.write(batch.readings);
      end();
      this.outbox.remove(batch.firstId, batch.lastId);
      this.onSuccess(batch.readings.length);
    } catch (err) {
      end();
      this.onFailure(batch, err);
    } finally {
      this.inFlight--;
    }
    this.pump(false);
  }

  private onSuccess(n: number): void {
    this.written += n;
    this.m.written.inc(n);
    if (this.failingSince !== undefined) {
      this.deps.log.info(
        { downForMs: this.deps.clock.now() - this.failingSince },
        'store writes succeed again',
      );
    }
    this.failures = 0;
    this.failingSince = undefined;
    this.reachable = true;
  }

  private onFailure(batch: OutboxBatch, err: unknown): void {
    const e =
      err instanceof StoreWriteError
        ? err
        : new StoreWriteError(errorMessage(err), {
            failure: (err as { retryable?: boolean }).retryable === false ? 'data' : 'unavailable',
            cause: err,
          });
    const now = this.deps.clock.now();
    this.m.errors.inc({ retryable: String(e.retryable), reason: e.failure });
    this.lastError = { message: e.message, failure: e.failure, at: now };
    if (e.failure === 'data') {
      this.split(batch, e);
      return;
    }
    this.reachable = e.failure !== 'unavailable';
    this.failures++;
    this.failingSince ??= now;
    this.insertRetry(batch);
    const delay = backoffMs(this.failures, this.opts.maxBackoffMs, e);
    this.backoffUntil = Math.max(this.backoffUntil, now + delay);
    const log = this.failures === 1 || e.failure === 'auth' ? this.deps.log.warn : this.deps.log.debug;
    log.call(
      this.deps.log,
      { err: e.message, failure: e.failure, retryInMs: Math.round(delay) },
      'store write failed',
    );
  }

  /** Bad data: halve the batch until the bad reading is alone, then set it aside. */
  private split(batch: OutboxBatch, e: StoreWriteError): void {
    if (batch.readings.length === 1) {
      this.outbox.deadLetter(batch.firstId, e.message);
      this.m.dead.inc();
      this.deps.log.error(
        { reading: batch.readings[0], err: e.message },
        'store refused a reading; kept in the dead table',
      );
      return;
    }
    const mid = Math.ceil(batch.readings.length / 2);
    const part = (from: number, to: number): OutboxBatch => {
      const ids = batch.ids.slice(from, to);
      return {
        firstId: ids[0]!,
        lastId: ids[ids.length - 1]!,
        ids,
        readings: batch.readings.slice(from, to),
      };
    };
    this.insertRetry(part(mid, batch.readings.length));
    this.insertRetry(part(0, mid));
  }

  private insertRetry(batch: OutboxBatch): void {
    let i = this.retry.findIndex((b) => b.firstId > batch.firstId);
    if (i < 0) i = this.retry.length;
    this.retry.splice(i, 0, batch);
  }

  /** Keeps `reachable` true to life while there is nothing to write. */
  private pingWhenIdle(): void {
    const now = this.deps.clock.now();
    if (now - this.lastPing < 15_000) return;
    this.lastPing = now;
    this.store.ping().then(
      (ok) => {
        if (this.inFlight === 0 && this.failingSince === undefined) this.reachable = ok;
      },
      () => {
        this.reachable = false;
      },
    );
  }

  private notifyIdle(): void {
    if (this.outbox.depth !== 0 || this.idleWaiters.length === 0) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  private oldestAgeSeconds(): number {
    const at = this.outbox.oldestAcceptedAt();
    return at === undefined ? 0 : Math.max(0, (this.deps.clock.now() - at) / 1000);
  }

  /**
   * Store part of /healthz. Down (ok=false) when the buffer is full (ingest
   * is refusing readings), the store rejects our credentials, or writes have
   * failed for over five minutes; `warnings` says when the buffer nears its
   * bound. Reachability and backlog are always in `detail`.
   */
  health(): PartHealth {
    const depth = this.outbox.depth;
    const fill = depth / this.opts.maxReadings;
    const now = this.deps.clock.now();
    const warnings: string[] = [];
    if (fill >= this.opts.warnRatio) warnings.push(`durable buffer ${Math.round(fill * 100)} % full`);
    if (this.failingSince !== undefined)
      warnings.push(`store writes failing for ${Math.round((now - this.failingSince) / 1000)} s`);
    const dead = this.outbox.deadCount;
    if (dead > 0) warnings.push(`${dead} readings refused by the store (outbox table "dead")`);
    const full = depth >= this.opts.maxReadings;
    const longOutage = this.failingSince !== undefined && now - this.failingSince > 300_000;
    return {
      ok: !full && !longOutage && !(this.failingSince !== undefined && this.lastError?.failure === 'auth'),
      required: true,
      detail: {
        store: this.store.kind,
        reachable: this.reachable,
        bufferDepth: depth,
        bufferMax: this.opts.maxReadings,
        oldestUnwrittenAgeSeconds: Math.round(this.oldestAgeSeconds()),
        inFlight: this.inFlight,
        written: this.written,
        deadLetters: dead,
        lastError: this.lastError
          ? { ...this.lastError, at: new Date(this.lastError.at).toISOString() }
          : undefined,
        warnings,
      },
    };
  }
}
