import { hash } from 'node:crypto';

/** Topics longer than this are keyed by their digest, so one entry never holds a 64 KB topic. */
const MAX_KEY_CHARS = 128;
/**
 * Payloads up to this size are kept as they are (a Latin-1 string: exact, and
 * 5× cheaper than hashing on the hot path); longer ones as a SHA-1 digest.
 */
const MAX_INLINE_BYTES = 96;
/**
 * Upper bound of the memory per unit of `maxEntries`, in bytes: one entry of
 * each of the two maps (last per topic; recent commits), each a key of at
 * most 128 UTF-16 characters, a digest of at most 96 one-byte characters (the
 * payload itself, or its SHA-1 in base64), the packet id, the time and the Map
 * slots. Measured on Node 20 (test/ingest/dedupe.test.ts: 10,000 topics of
 * 128 characters, ASCII or Japanese, 60 KB payloads: 730–750 B; 96-byte
 * payloads, all topics Japanese, the worst case: 855 B); 1,024 is the bound.
 */
export const DEDUPE_ENTRY_BYTES = 1024;

interface Entry {
  digest: string;
  at: number;
}

/** What `check` found out about a message, to `stage` when it is not a repeat. */
export interface Seen {
  duplicate: boolean;
  /** the topic, or its digest when long */
  key: string;
  digest: string;
  /** the MQTT packet id, part of the message's identity for redelivery */
  messageId: number | undefined;
}

/** A message's identity for redelivery: packet id, key and digest (`\u0000` occurs in neither id nor key). */
function identity(seen: Seen): string {
  return `${seen.messageId ?? ''}\u0000${seen.key}\u0000${seen.digest}`;
}

/**
 * Remembers digests of *committed* payloads (never the payloads), so that:
 * - an identical payload on the same topic within `windowMs` of the last one
 *   on that topic counts once (sensors and bridges that repeat a message
 *   several times a second);
 * - a message the broker redelivers (DUP flag, after a lost PUBACK) is not
 *   stored twice when it is one of the messages committed within
 *   `redeliveryMs`, even with `windowMs: 0`, after a longer reconnect, and
 *   when the acks of several messages on one topic were lost: a DUP is judged
 *   by membership in the set of recent commits (topic, payload digest and
 *   MQTT packet id), not against the last message on its topic. The packet id
 *   keeps a DUP whose first delivery never arrived from being taken for an
 *   earlier message with the same payload (the broker keeps a message's
 *   packet id until it is acknowledged, so an unacknowledged message's id is
 *   not reused).
 *
 * A message counts as seen only once its readings are committed: `check`
 * looks at committed entries plus those staged in the current batch, `commit`
 * moves the staged ones in, `discard` drops them (the store refused; the
 * retry of the same batch is judged afresh, never against itself).
 *
 * Bounded: the last-per-topic entries expire after `windowMs`, the recent
 * commits after `redeliveryMs` (a redelivery comes first thing after the
 * reconnect), and each holds at most `maxEntries` (the oldest go first), so
 * memory stays below `maxEntries × DEDUPE_ENTRY_BYTES` whatever the topics
 * and payloads.
 */
export class Deduper {
  /** key → last committed payload on that topic, for the window (empty when windowMs is 0) */
  private readonly last = new Map<string, Entry>();
  /** id (key, digest, packet id) → when, of every message committed within redeliveryMs, oldest first */
  private readonly recent = new Map<string, number>();
  private stagedLast = new Map<string, Entry>();
  private stagedRecent = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries = 20_000,
    private readonly redeliveryMs = 600_000,
  ) {}

  /** What is kept instead of the payload: the bytes themselves when short, else their SHA-1 (base64). */
  static digest(payload: Buffer): string {
    return payload.length <= MAX_INLINE_BYTES
      ? payload.toString('latin1')
      : `\u0100${hash('sha1', payload, 'base64')}`; // U+0100 never occurs in a Latin-1 string: no clash
  }

  /**
   * Whether the message repeats the last one on its topic within the window
   * (committed, or staged earlier in this batch), or, when the broker
   * redelivers it (`dup`), is one of the messages recently committed.
   * `messageId` = its MQTT packet id, when it has one.
   */
  check(topic: string, payload: Buffer, at: number, dup: boolean, messageId?: number): Seen {
    // `#` never occurs in a published topic name, so a digest key cannot clash with a topic.
    const key = topic.length > MAX_KEY_CHARS ? `#${hash('sha1', topic, 'base64')}` : topic;
    const digest = Deduper.digest(payload);
    const seen: Seen = { duplicate: false, key, digest, messageId };
    if (dup && this.redeliveryMs > 0) {
      const id = identity(seen);
      const when = this.stagedRecent.get(id) ?? this.recent.get(id);
      if (when !== undefined && at - when <= this.redeliveryMs) {
        seen.duplicate = true;
        return seen;
      }
    }
    const prev = this.stagedLast.get(key) ?? this.last.get(key);
    seen.duplicate =
      this.windowMs > 0 && prev !== undefined && prev.digest === digest && at - prev.at <= this.windowMs;
    return seen;
  }

  /**
   * Records a message of the current batch as seen, pending its commit.
   * `redelivery: false` for a message whose readings all carry their own
   * time: stored again, they replace themselves (same series and ts), so the
   * redelivery guard need not remember it.
   */
  stage(seen: Seen, at: number, redelivery = true): void {
    if (this.windowMs > 0) this.stagedLast.set(seen.key, { digest: seen.digest, at });
    if (redelivery && this.redeliveryMs > 0) {
      const id = identity(seen);
      this.stagedRecent.delete(id);
      this.stagedRecent.set(id, at);
    }
  }

  /** The batch committed: its staged messages now count as seen. */
  commit(now: number): void {
    // re-insert: Map order is last-seen order, oldest first
    for (const [key, e] of this.stagedLast) {
      this.last.delete(key);
      this.last.set(key, e);
    }
    for (const [id, at] of this.stagedRecent) {
      this.recent.delete(id);
      this.recent.set(id, at);
    }
    this.discard();
    expire(this.last, (e) => now - e.at > this.windowMs, this.maxEntries);
    expire(this.recent, (at) => now - at > this.redeliveryMs, this.maxEntries);
  }

  /** The batch was not committed: forget what it staged. */
  discard(): void {
    if (this.stagedLast.size > 0) this.stagedLast = new Map();
    if (this.stagedRecent.size > 0) this.stagedRecent = new Map();
  }

  /** Entries held (committed, both kinds), for /metrics. */
  get size(): number {
    return this.last.size + this.recent.size;
  }

  /** The documented memory bound in bytes. */
  get maxBytes(): number {
    return this.maxEntries * DEDUPE_ENTRY_BYTES;
  }
}

/** Drops entries from the oldest while there are too many or they are too old. */
function expire<V>(map: Map<string, V>, old: (v: V) => boolean, max: number): void {
  for (const [k, v] of map) {
    if (map.size > max || old(v)) map.delete(k);
    else break;
  }
}
