import type { Config } from '../config/schema.js';
import type { Bus, BusEvents } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import { errorMessage, KaitekiError } from '../core/errors.js';
import type { LatestCache } from '../core/latest.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import { type Reading, seriesKey } from '../core/reading.js';
import type { Inventory } from '../inventory/inventory.js';
import type { DurableSink } from '../store/store.js';
import type { AvailabilityStore } from './availability.js';
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
 * → normalise → sink (durable, synchronous) → latest cache and bus. Every
 * message ends as exactly one outcome (accepted = readings, status, ignored,
 * duplicate, rejected). Each message is isolated: whatever throws while it is
 * turned into readings makes it a counted rejection (`processing_error`),
 * never a failed batch. It throws only when a store cannot accept (the sink,
 * or the availability store: a retryable KaitekiError), so the caller can
 * hold the acks and retry the same messages.
 */
export class Ingestor {
  private readonly dedupe: Deduper;
  private readonly rejectedRing: RejectedMessage[] = [];
  private readonly loggedRejections = new Set<string>();
  /** unregistered series seen (stored or staged), for `ingest.maxUnregisteredSeries`; seeded lazily from the latest cache */
  private unregistered?: Set<string>;
  /** rejections counted so far (a message without values must name at least one reason) */
  private rejections = 0;
  private readonly mRejected;
  private readonly mAccepted;
  private readonly mMessages;
  private readonly mDuplicates;
  private readonly mIgnoredFields;
  private readonly mRetained;

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
      /** where availability is kept (durably); without it, statuses are only emitted */
      availability?: Pick<AvailabilityStore, 'record'>;
    },
  ) {
    const m = deps.metrics;
    const ingest = deps.config.ingest;
    const dedupe = new Deduper(ingest.dedupeWindowMs, ingest.dedupeMaxEntries);
    this.dedupe = dedupe;
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
    this.mRetained = m.counter(
      'kaiteki_ingest_retained_skipped_total',
      'Retained messages without their own timestamp, not stored again (they are not new readings)',
    );
    m.gauge(
      'kaiteki_ingest_dedupe_entries',
      'Entries held by the dedupe filter (digests: last per topic, and recent commits for redeliveries)',
      [],
      function () {
        this.set(dedupe.size);
      },
    );
    m.gauge(
      'kaiteki_ingest_dedupe_max_bytes',
      'Documented memory bound of the dedupe filter',
      [],
      function () {
        this.set(dedupe.maxBytes);
      },
    );
  }

  handle(msg: RawMessage): HandleOutcome {
    return this.handleMany([msg])[0]!;
  }

  /** readings of the messages being handled by handleMany, one array per accepted message */
  private staged?: Reading[][];

  /** Entries held by the dedupe filter (for tests and /metrics). */
  get dedupeEntries(): number {
    return this.dedupe.size;
  }

  /**
   * Several messages, one durable commit (one transaction instead of one per
   * message): their readings are accepted together, then cached and emitted
   * per message in arrival order. When the sink refuses, nothing of the batch
   * is accepted and it throws, so the caller holds every acknowledgement and
   * retries the same messages; none of them counts as seen (dedupe) until
   * the commit succeeds, so the retry is never judged against itself.
   */
  handleMany(msgs: readonly RawMessage[]): HandleOutcome[] {
    const staged: Reading[][] = [];
    this.staged = staged;
    let outcomes: HandleOutcome[];
    try {
      outcomes = msgs.map((m) => this.isolated(m));
    } catch (err) {
      this.dedupe.discard(); // a store (availability) refused: the retry is judged afresh
      throw err;
    } finally {
      this.staged = undefined;
    }
    const all = staged.length === 1 ? staged[0]! : staged.flat();
    if (all.length > 0) {
      try {
        this.deps.sink.acceptSync(all);
      } catch (err) {
        this.dedupe.discard();
        // The caller retries store errors only: whatever the sink threw, it is one.
        throw err instanceof KaitekiError
          ? err
          : new KaitekiError(`store refused readings: ${errorMessage(err)}`, { cause: err, retryable: true });
      }
    }
    this.dedupe.commit(this.deps.clock.now());
    // Counted per batch (one label lookup per quantity and outcome, not per reading: the hot path).
    const byQuantity = new Map<string, number>();
    for (const r of all) {
      byQuantity.set(r.quantity, (byQuantity.get(r.quantity) ?? 0) + 1);
      this.deps.latest.put(r);
    }
    for (const [quantity, n] of byQuantity) this.mAccepted.inc({ quantity }, n);
    // One 'readings' event for the whole commit, in arrival order (the bus contract: one batch).
    if (all.length > 0) this.emit('readings', all);
    const byOutcome = new Map<HandleOutcome, number>();
    for (const o of outcomes) byOutcome.set(o, (byOutcome.get(o) ?? 0) + 1);
    for (const [outcome, n] of byOutcome) this.mMessages.inc({ outcome }, n);
    return outcomes;
  }

  /**
   * One message; a throw anywhere in it is that message's rejection, not the
   * batch's failure, except a retryable KaitekiError (a store that refused,
   * e.g. the availability store): that fails the batch, so its acks are held
   * and it is retried, never acknowledged and lost.
   */
  private isolated(msg: RawMessage): HandleOutcome {
    const staged = this.staged!.length;
    try {
      return this.process(msg);
    } catch (err) {
      this.staged!.length = staged; // nothing of this message is committed
      if (err instanceof KaitekiError && err.retryable) throw err;
      let detail: string;
      try {
        detail = `${err instanceof Error ? err.name : 'Error'}: ${errorMessage(err)}`.slice(0, 200);
      } catch {
        detail = 'unprintable error';
      }
      this.reject(msg, 'processing_error', detail);
      return 'rejected';
    }
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
    const seen = this.dedupe.check(msg.topic, msg.payload, msg.receivedAt, msg.dup === true, msg.messageId);
    if (seen.duplicate) {
      this.mDuplicates.inc();
      return 'duplicate';
    }
    const format = this.deps.router.route(msg.topic);
    if (!format) {
      this.reject(msg, 'unmapped', 'no inventory entry or format handles this topic');
      return 'rejected';
    }
    let res = format.parse(msg);
    switch (res.kind) {
      case 'ignore':
        return 'ignored';
      case 'reject':
        this.reject(msg, res.reason, res.detail);
        return 'rejected';
      case 'status': {
        const status = { ...res.status, ts: res.status.ts ?? msg.receivedAt };
        if (this.deps.availability) this.deps.availability.record(status);
        else this.emit('status', status);
        this.dedupe.stage(seen, msg.receivedAt);
        return 'status';
      }
      case 'values':
        break;
    }
    if (msg.retain) {
      // A retained value comes back on every (re)subscription: without a time of
      // its own it is an old value, not a new reading at the time of redelivery.
      const own = res.candidates.filter((c) => c.ts !== undefined && c.ts !== null);
      if (own.length === 0) {
        this.mRetained.inc();
        return 'ignored';
      }
      res = { ...res, candidates: own };
    }
    if (res.ignoredFields) this.mIgnoredFields.inc(res.ignoredFields);
    const now = this.deps.clock.now();
    const readings: Reading[] = [];
    const rejectionsBefore = this.rejections;
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
      for (const r of out.readings) if (r.registered || this.admitUnregistered(msg, r)) readings.push(r);
    }
    if (readings.length === 0) {
      if (this.rejections === rejectionsBefore) this.reject(msg, 'no_values', 'the message holds no values');
      return 'rejected';
    }
    this.staged!.push(readings); // committed by handleMany
    // readings with their own time are idempotent in the store: only those stamped on arrival need the DUP guard
    this.dedupe.stage(seen, msg.receivedAt, !ownTime(res.candidates));
    return 'accepted';
  }

  /** At most `ingest.maxUnregisteredSeries` series from sensors not in the inventory. */
  private admitUnregistered(msg: RawMessage, r: Reading): boolean {
    if (!this.unregistered) {
      this.unregistered = new Set(
        this.deps.latest
          .all()
          .filter((x) => !x.registered)
          .map(seriesKey),
      );
    }
    const key = seriesKey(r);
    if (this.unregistered.has(key)) return true;
    const cap = this.deps.config.ingest.maxUnregisteredSeries;
    if (this.unregistered.size >= cap) {
      this.reject(
        msg,
        'too_many_unregistered',
        `${cap} unregistered series already (ingest.maxUnregisteredSeries); add the sensor to the inventory`,
      );
      return false;
    }
    this.unregistered.add(key);
    return true;
  }

  /** Bus listeners must not throw; one that does is logged, never turned into a batch retry. */
  private emit<K extends keyof BusEvents>(event: K, ...args: BusEvents[K]): void {
    try {
      this.deps.bus.emit(event, ...args);
    } catch (err) {
      this.deps.log.error({ event, err: errorMessage(err) }, 'a bus listener threw');
    }
  }

  private reject(msg: RawMessage, reason: RejectReason, fullDetail: string): void {
    const detail = fullDetail.slice(0, 256);
    this.rejections++;
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
    const key = `${msg.topic.slice(0, 256)}\u0000${reason}`;
    if (!this.loggedRejections.has(key)) {
      if (this.loggedRejections.size > 10_000) this.loggedRejections.clear();
      this.loggedRejections.add(key);
      this.deps.log.warn(
        { topic: msg.topic.slice(0, 256), reason, detail },
        'message rejected (further rejections for this topic and reason are only counted)',
      );
    }
    this.emit('rejected', { reason, topic: msg.topic.slice(0, 256), detail });
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

/** Whether every candidate carries its own timestamp (else it is stamped with the arrival time). */
function ownTime(candidates: readonly { ts?: unknown }[]): boolean {
  for (const c of candidates) if (c.ts === undefined || c.ts === null) return false;
  return true;
}
