import type { Worker } from 'node:worker_threads';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { type Reading, seriesKey } from '../core/reading.js';
import { startWorker } from '../core/worker.js';
import type { InfluxConfig } from './config.js';
import { checkTimestamp, checkValue, seriesHead } from './line-protocol.js';
import { StoreWriteError, type WriteFailure } from './write-error.js';

/** one batch for the write thread: numbers in typed arrays (moved, not copied), heads of series it has not seen */
export interface WriteRequest {
  id: number;
  /** forget every head first (the main thread's table was full and started again) */
  reset: boolean;
  heads: [index: number, head: string][];
  series: Int32Array;
  ts: Float64Array;
  value: Float64Array;
  registered: Uint8Array;
}

export type WriteReply =
  | { id: number; ok: true; droppedByRetention: number }
  | {
      id: number;
      ok: false;
      message: string;
      failure: WriteFailure;
      status: number | undefined;
      retryAfterMs: number | undefined;
    };

/** series heads the thread is told at most before both sides start a fresh table */
const MAX_HEADS = 100_000;

/**
 * InfluxDB 1.x writes on a worker thread (`store.influx.writeThread`, on by
 * default). Building a 5,000-point body, sending it and reading the answer
 * took about a tenth of the ingest thread's time in the bench; here the
 * ingest thread only checks each reading (the same bad-data errors as the
 * line protocol, so the drainer still splits a bad batch), looks up its
 * series' index and fills four typed arrays, which are moved to the thread.
 * The thread answers every batch; when it dies, writes in flight fail as
 * `unavailable` (the drainer retries them; rows leave the outbox only after
 * an ok) and the next write starts a new thread.
 */
export class InfluxWriteThread {
  private worker: Worker | undefined;
  private starting: Promise<Worker> | undefined;
  private readonly heads = new Map<string, number>();
  private nextHead = 0;
  /** the worker knows no heads yet (new, or restarted): the next request resets and re-sends */
  private fresh = true;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(r: WriteReply): void; reject(e: Error): void }>();
  private closed = false;

  constructor(
    private readonly cfg: InfluxConfig,
    private readonly password: string | undefined,
    private readonly log: Logger,
  ) {}

  /** Starts the thread; rejects when it cannot run (the store then writes on the calling thread). */
  async start(): Promise<void> {
    await this.ensure();
  }

  private ensure(): Promise<Worker> {
    if (this.worker) return Promise.resolve(this.worker);
    this.starting ??= this.spawn().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async spawn(): Promise<Worker> {
    const worker = await startWorker(import.meta.url, 'influx-write-worker', {
      cfg: this.cfg,
      password: this.password,
    });
    this.worker = worker;
    this.fresh = true;
    worker.on('message', (reply: WriteReply) => this.settle(reply));
    worker.on('error', (err) => this.lost(worker, `write thread failed: ${errorMessage(err)}`));
    worker.on('exit', (code) => this.lost(worker, `write thread exited with code ${code}`));
    return worker;
  }

  /** The thread is gone: everything in flight fails as retryable; the next write starts a new one. */
  private lost(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (!this.closed) this.log.error({ err: why }, 'InfluxDB write thread stopped; starting a new one');
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new StoreWriteError(why, { failure: 'unavailable' }));
  }

  private settle(reply: WriteReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    p.resolve(reply);
  }

  /**
   * Writes the readings; resolves with how many InfluxDB dropped as older
   * than the retention policy. Throws like InfluxV1Store.write: a
   * StoreWriteError from the server, or a non-retryable KaitekiError for a
   * reading line protocol cannot carry.
   */
  async write(readings: readonly Reading[]): Promise<number> {
    if (this.closed) throw new StoreWriteError('InfluxDB write thread closed', { failure: 'unavailable' });
    const worker = await this.ensure().catch((err: unknown) => {
      throw new StoreWriteError(`cannot start the InfluxDB write thread: ${errorMessage(err)}`, {
        failure: 'unavailable',
        cause: err,
      });
    });
    const req = this.encode(readings);
    // it may have died while this write waited for it
    if (this.worker !== worker)
      throw new StoreWriteError('InfluxDB write thread stopped', { failure: 'unavailable' });
    const reply = await new Promise<WriteReply>((resolve, reject) => {
      this.pending.set(req.id, { resolve, reject });
      const move = [req.series, req.ts, req.value, req.registered].map((a) => a.buffer as ArrayBuffer);
      worker.postMessage(req, move);
    });
    if (reply.ok) return reply.droppedByRetention;
    throw new StoreWriteError(reply.message, {
      failure: reply.failure,
      status: reply.status,
      retryAfterMs: reply.retryAfterMs,
    });
  }

  private encode(readings: readonly Reading[]): WriteRequest {
    const n = readings.length;
    let reset = this.fresh;
    if (reset || this.heads.size >= MAX_HEADS) {
      reset = true;
      this.heads.clear();
      this.nextHead = 0;
    }
    const req: WriteRequest = {
      id: this.nextId++,
      reset,
      heads: [],
      series: new Int32Array(n),
      ts: new Float64Array(n),
      value: new Float64Array(n),
      registered: new Uint8Array(n),
    };
    try {
      for (let i = 0; i < n; i++) {
        const r = readings[i]!;
        checkValue(r.value);
        checkTimestamp(r.ts);
        const key = seriesKey(r);
        let index = this.heads.get(key);
        if (index === undefined) {
          const head = seriesHead(r); // throws for a tag line protocol cannot carry
          index = this.nextHead++;
          this.heads.set(key, index);
          req.heads.push([index, head]);
        }
        req.series[i] = index;
        req.ts[i] = r.ts;
        req.value[i] = r.value;
        req.registered[i] = r.registered ? 1 : 0;
      }
    } catch (err) {
      // the thread never hears of this batch: forget the heads it would have learnt
      for (const [index] of req.heads) for (const [k, v] of this.heads) if (v === index) this.heads.delete(k);
      throw err;
    }
    this.fresh = false;
    return req;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}
