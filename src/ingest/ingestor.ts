import type { Config } from '../config/schema.js';
import type { Bus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { LatestCache } from '../core/latest.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { Reading } from '../core/reading.js';
import type { Inventory } from '../inventory/inventory.js';
import type { DurableSink } from '../store/store.js';
import { Deduper } from './dedupe.js';
import type { RawMessage, RejectReason } from './format.js';
import { normalise } from './normalise.js';
import type { FormatRouter } from './router.js';

export interface RejectedMessage {
  at: number;
  topic: string;
  reason: RejectReason;
  detail: string;
  /** first 256 bytes, for a person to inspect (as UTF-8 with replacement, or hex when binary) */
  sample: string;
}

export type HandleOutcome = 'accepted' | 'rejected' | 'duplicate' | 'status' | 'ignored';

/**
 * Turns one MQTT message into durable readings: size limit → dedupe → format
 * → normalise → sink (durable, synchronous) → latest cache and bus. Pure
 * except for the sink; never throws for bad input (it is counted, logged
 * once per topic and reason, and kept in a small ring for inspection). It
 * throws only when the sink cannot accept, so the caller can hold the ack.
 */
export class Ingestor {
  private readonly dedupe: Deduper;
  private readonly rejectedRing: RejectedMessage[] = [];
  private readonly loggedRejections = new Set<string>();
  private readonly mRejected;
  private readonly mAccepted;
  private readonly mMessages;
  private readonly mDuplicates;
  private readonly mIgnoredFields;

  constructor(
    private readonly deps: {
      config: Config;
      inventory: Inventory;
      router: FormatRouter;
      sink: DurableSink;
      latest: LatestCache;
      bus: Bus;
      clock: Clock;
      log: Logger;
      metrics: Metrics;
    },
  ) {
    const m = deps.metrics;
    this.dedupe = new Deduper(deps.config.ingest.dedupeWindowMs);
    this.mMessages = m.counter('kaiteki_ingest_messages_total', 'MQTT messages received', ['outcome']);
    this.mRejected = m.counter('kaiteki_ingest_rejected_total', 'Messages or fields rejected, by reason', [
      'reason',
    ]);
    this.mAccepted = m.counter('kaiteki_ingest_readings_total', 'Readings accepted (durable)', ['quantity']);
    this.mDuplicates = m.counter(
      'kaiteki_ingest_duplicates_total',
      'Identical repeated payloads counted once',
    );
    this.mIgnoredFields = m.counter(
      'kaiteki_ingest_ignored_fields_total',
      'Payload fields that are not quantities',
    );
  }

  handle(msg: RawMessage): HandleOutcome {
    return this.handleMany([msg])[0]!;
  }

  /** readings of the messages being handled by handleMany, one array per accepted message */
  private staged?: Reading[][];

  /**
   * Several messages, one durable commit (one transaction instead of one per
   * message): their readings are accepted together, then cached and emitted
   * per message in arrival order. When the sink refuses, nothing of the batch
   * is accepted and it throws, so the caller holds every acknowledgement and
   * retries the same messages (dedupe state is rolled back for them).
   */
  handleMany(msgs: readonly RawMessage[]): HandleOutcome[] {
    const staged: Reading[][] = [];
    this.staged = staged;
    let outcomes: HandleOutcome[];
    try {
      outcomes = msgs.map((m) => this.process(m));
    } finally {
      this.staged = undefined;
    }
    if (staged.length > 0) {
      try {
        this.deps.sink.acceptSync(staged.length === 1 ? staged[0]! : staged.flat());
      } catch (err) {
        for (const m of msgs) this.dedupe.forget(m.topic);
        throw err;
      }
    }
    for (const readings of staged) {
      for (const r of readings) {
        this.mAccepted.inc({ quantity: r.quantity });
        this.deps.latest.put(r);
      }
      this.deps.bus.emit('readings', readings);
    }
    for (const o of outcomes) this.mMessages.inc({ outcome: o });
    return outcomes;
  }

  private process(msg: RawMessage): HandleOutcome {
    const { config } = this.deps;
    if (msg.payload.length > config.ingest.maxPayloadBytes) {
      this.reject(
        msg,
        'payload_too_large',
        `${msg.payload.length} bytes > limit ${config.ingest.maxPayloadBytes}`,
      );
      return 'rejected';
    }
    if (this.dedupe.isDuplicate(msg.topic, msg.payload, msg.receivedAt)) {
      this.mDuplicates.inc();
      return 'duplicate';
    }
    const format = this.deps.router.route(msg.topic);
    if (!format) {
      this.reject(msg, 'unmapped', 'no inventory entry or format handles this topic');
      return 'rejected';
    }
    const res = format.parse(msg);
    switch (res.kind) {
      case 'ignore':
        return 'ignored';
      case 'reject':
        this.reject(msg, res.reason, res.detail);
        return 'rejected';
      case 'status':
        this.deps.bus.emit('status', {
          ...res.status,
          ts: res.status.ts ?? msg.receivedAt,
        });
        return 'status';
      case 'values':
        break;
    }
    if (res.ignoredFields) this.mIgnoredFields.inc(res.ignoredFields);
    const now = this.deps.clock.now();
    const readings: Reading[] = [];
    for (const c of res.candidates) {
      const out = normalise(c, {
        now,
        receivedAt: msg.receivedAt,
        maxFutureSkewMs: config.ingest.maxFutureSkewSeconds * 1000,
        maxAgeMs: config.ingest.maxAgeDays * 86_400_000,
        unregistered: config.ingest.unregistered,
        inventory: this.deps.inventory,
      });
      for (const r of out.rejections) this.reject(msg, r.reason, r.detail);
      readings.push(...out.readings);
    }
    if (readings.length === 0) return 'rejected';
    this.staged!.push(readings); // committed by handleMany
    return 'accepted';
  }

  private reject(msg: RawMessage, reason: RejectReason, detail: string): void {
    this.mRejected.inc({ reason });
    const keep = this.deps.config.ingest.keepRejected;
    if (keep > 0) {
      if (this.rejectedRing.length >= keep) this.rejectedRing.shift();
      this.rejectedRing.push({
        at: msg.receivedAt,
        topic: msg.topic.slice(0, 256),
        reason,
        detail,
        sample: sample(msg.payload),
      });
    }
    // Log once per topic and reason: a sensor stuck sending junk must not flood the log.
    const key = `${msg.topic}\u0000${reason}`;
    if (!this.loggedRejections.has(key)) {
      if (this.loggedRejections.size > 10_000) this.loggedRejections.clear();
      this.loggedRejections.add(key);
      this.deps.log.warn(
        { topic: msg.topic.slice(0, 256), reason, detail },
        'message rejected (further rejections for this topic and reason are only counted)',
      );
    }
    this.deps.bus.emit('rejected', { reason, topic: msg.topic, detail });
  }

  /** The most recent rejected messages, newest last. */
  rejected(): readonly RejectedMessage[] {
    return this.rejectedRing;
  }
}

function sample(payload: Buffer): string {
  const head = payload.subarray(0, 256);
  const text = head.toString('utf8');
  return text.includes('\uFFFD') ? `hex:${head.toString('hex')}` : text;
}
