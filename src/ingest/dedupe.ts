import { createHash } from 'node:crypto';

/** Topics longer than this are keyed by their digest, so one entry never holds a 64 KB topic. */
const MAX_KEY_CHARS = 128;
/**
 * Upper bound of one entry's memory, in bytes: a key of at most 128 UTF-16
 * characters (256 B + string header), a 20-byte SHA-1 digest kept as a
 * 27-character base64 string, the time, and the Map slot. Measured: about
 * 420 B per entry with 128-character keys on Node 20; 512 leaves room.
 */
export const DEDUPE_ENTRY_BYTES = 512;

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

  /** Digest of a payload (SHA-1, base64): what is kept instead of the bytes. */
  static digest(payload: Buffer): string {
    return createHash('sha1').update(payload).digest('base64');
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
    const key = topic.length > MAX_KEY_CHARS ? `#${Deduper.digest(Buffer.from(topic))}` : topic;
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
