import { hash } from 'node:crypto';

/** Topics longer than this are keyed by their digest, so one entry never holds a 64 KB topic. */
const MAX_KEY_CHARS = 128;
/**
 * Payloads up to this size are kept as they are (a Latin-1 string: exact, and
 * 5× cheaper than hashing on the hot path); longer ones as a SHA-1 digest.
 */
const MAX_INLINE_BYTES = 96;
/**
 * Upper bound of one entry's memory, in bytes: a key of at most 128 UTF-16
 * characters (256 B + string header), a digest of at most 96 one-byte
 * characters (the payload itself, or its SHA-1 in base64), the time, and the
 * Map slot. Measured on Node 20 with 128-character keys (ASCII or Japanese)
 * and 96-byte or longer payloads: 480–525 B per entry; 640 is the bound.
 */
export const DEDUPE_ENTRY_BYTES = 640;

interface Entry {
  digest: string;
  at: number;
}

/**
 * Remembers, per topic, a digest of the last *committed* payload (never the
 * payload) and when it was seen, so that:
 * - an identical payload on the same topic within `windowMs` counts once
 *   (sensors and bridges that repeat a message several times a second);
 * - a message the broker redelivers (DUP flag, after a lost PUBACK) that is
 *   the one last committed on its topic within `redeliveryMs` is not stored
 *   twice, even with `windowMs: 0` or after a longer reconnect.
 *
 * A message counts as seen only once its readings are committed: `check`
 * looks at committed entries plus those staged in the current batch, `commit`
 * moves the staged ones in, `discard` drops them (the store refused; the
 * retry of the same batch is judged afresh, never against itself).
 *
 * Bounded: entries expire after max(windowMs, redeliveryMs) and there are at
 * most `maxEntries` (the oldest go first), so memory stays below
 * `maxEntries × DEDUPE_ENTRY_BYTES` whatever the topics and payloads.
 */
export class Deduper {
  private readonly last = new Map<string, Entry>();
  private staged = new Map<string, Entry>();
  private readonly keepMs: number;

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries = 20_000,
    redeliveryMs = 600_000,
  ) {
    this.keepMs = Math.max(windowMs, redeliveryMs);
  }

  /** What is kept instead of the payload: the bytes themselves when short, else their SHA-1 (base64). */
  static digest(payload: Buffer): string {
    return payload.length <= MAX_INLINE_BYTES
      ? payload.toString('latin1')
      : `\u0100${hash('sha1', payload, 'base64')}`; // U+0100 never occurs in a Latin-1 string: no clash
  }

  /**
   * Whether the message repeats the last one on its topic (committed, or
   * staged earlier in this batch). `dup` = the broker's redelivery flag.
   * Returns the digest to stage when it is not a repeat.
   */
  check(
    topic: string,
    payload: Buffer,
    at: number,
    dup: boolean,
  ): { duplicate: boolean; key: string; digest: string } {
    // `#` never occurs in a published topic name, so a digest key cannot clash with a topic.
    const key = topic.length > MAX_KEY_CHARS ? `#${hash('sha1', topic, 'base64')}` : topic;
    const digest = Deduper.digest(payload);
    const prev = this.staged.get(key) ?? this.last.get(key);
    const window = dup ? this.keepMs : this.windowMs;
    const duplicate = prev !== undefined && prev.digest === digest && at - prev.at <= window && window > 0;
    return { duplicate, key, digest };
  }

  /** Records a message of the current batch as seen, pending its commit. */
  stage(key: string, digest: string, at: number): void {
    this.staged.set(key, { digest, at });
  }

  /** The batch committed: its staged messages now count as seen. */
  commit(now: number): void {
    for (const [key, e] of this.staged) {
      this.last.delete(key); // re-insert: Map order is last-seen order, oldest first
      this.last.set(key, e);
    }
    this.staged = new Map();
    this.expire(now);
  }

  /** The batch was not committed: forget what it staged. */
  discard(): void {
    this.staged = new Map();
  }

  private expire(now: number): void {
    for (const [key, e] of this.last) {
      if (this.last.size > this.maxEntries || now - e.at > this.keepMs) this.last.delete(key);
      else break;
    }
  }

  /** Entries held (committed), for /metrics. */
  get size(): number {
    return this.last.size;
  }

  /** The documented memory bound in bytes. */
  get maxBytes(): number {
    return this.maxEntries * DEDUPE_ENTRY_BYTES;
  }
}
