import type { Logger } from '../core/log.js';
import { type Reading, seriesKey } from '../core/reading.js';
import { WorkerCalls } from '../core/worker.js';
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
  private readonly calls: WorkerCalls<WriteRequest, WriteReply>;
  private readonly heads = new Map<string, number>();
  private nextHead = 0;
  /** the worker knows no heads yet (new, or restarted): the next request resets and re-sends */
  private fresh = true;

  constructor(cfg: InfluxConfig, password: string | undefined, log: Logger) {
    this.calls = new WorkerCalls(
      import.meta.url,
      'influx-write-worker',
      { cfg, password },
      {
        lost: (why) => new StoreWriteError(`InfluxDB write thread: ${why}`, { failure: 'unavailable' }),
        started: () => {
          this.fresh = true;
        },
        died: (why) => log.error({ err: why }, 'InfluxDB write thread stopped; starting a new one'),
      },
    );
  }

  /** Starts the thread; rejects when it cannot run (the store then writes on the calling thread). */
  start(): Promise<void> {
    return this.calls.start();
  }

  /**
   * Writes the readings; resolves with how many InfluxDB dropped as older
   * than the retention policy. Throws like InfluxV1Store.write: a
   * StoreWriteError from the server, or a non-retryable KaitekiError for a
   * reading line protocol cannot carry.
   */
  async write(readings: readonly Reading[]): Promise<number> {
    const reply = await this.calls.call(
      (id) => this.encode(id, readings),
      (req) => [req.series, req.ts, req.value, req.registered].map((a) => a.buffer as ArrayBuffer),
    );
    if (reply.ok) return reply.droppedByRetention;
    throw new StoreWriteError(reply.message, {
      failure: reply.failure,
      status: reply.status,
      retryAfterMs: reply.retryAfterMs,
    });
  }

  close(): Promise<void> {
    return this.calls.close();
  }

  private encode(id: number, readings: readonly Reading[]): WriteRequest {
    const n = readings.length;
    let reset = this.fresh;
    if (reset || this.heads.size >= MAX_HEADS) {
      reset = true;
      this.heads.clear();
      this.nextHead = 0;
    }
    const req: WriteRequest = {
      id,
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
}
