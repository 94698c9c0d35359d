import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { DEDUPE_ENTRY_BYTES, Deduper } from '../../src/ingest/dedupe.js';

/** check + stage + commit: one message committed alone. */
function commit(d: Deduper, topic: string, payload: string | Buffer, at: number, dup = false, id?: number) {
  const c = d.check(topic, typeof payload === 'string' ? Buffer.from(payload) : payload, at, dup, id);
  if (!c.duplicate) d.stage(c, at);
  d.commit(at);
  return c.duplicate;
}

describe('dedupe keeps digests, bounded in time and count', () => {
  it('judges a repeat by digest within the window, not after it', () => {
    const d = new Deduper(2000);
    const p = Buffer.from('{"co2": 1}');
    let c = d.check('t', p, 0, false);
    expect(c.duplicate).toBe(false);
    d.stage(c, 0);
    d.commit(0);
    expect(d.check('t', Buffer.from('{"co2": 1}'), 1500, false).duplicate).toBe(true);
    expect(d.check('t', Buffer.from('{"co2": 2}'), 1500, false).duplicate).toBe(false);
    expect(d.check('t', p, 2500, false).duplicate).toBe(false);
    // a staged but discarded message is not remembered
    c = d.check('u', p, 0, false);
    d.stage(c, 0);
    d.discard();
    expect(d.check('u', p, 1, false).duplicate).toBe(false);
  });

  it('the window compares with the last message on the topic (on, off, on are three changes)', () => {
    const d = new Deduper(2000);
    expect(commit(d, 't', 'on', 0)).toBe(false);
    expect(commit(d, 't', 'off', 100)).toBe(false);
    expect(commit(d, 't', 'on', 200)).toBe(false);
  });

  it('forgets entries past their expiry', () => {
    const d = new Deduper(2000, 1000, 10_000);
    for (let i = 0; i < 50; i++) {
      const c = d.check(`t${i}`, Buffer.from('x'), i, false);
      d.stage(c, i);
    }
    d.commit(50);
    expect(d.size).toBeGreaterThanOrEqual(50);
    d.commit(20_000);
    expect(d.size).toBe(0);
  });

  it('two redeliveries on one topic (both acks lost) are both recognised, in any order', () => {
    const d = new Deduper(0); // no window: only redelivery matters
    // A1 and A2 committed on one topic; the reconnect dropped both acks
    expect(commit(d, 'kaiteki/s/z/a', '{"co2": 501}', 1000, false, 11)).toBe(false);
    expect(commit(d, 'kaiteki/s/z/a', '{"co2": 502}', 1001, false, 12)).toBe(false);
    // the broker redelivers both, with DUP and their packet ids, after the reconnect
    expect(commit(d, 'kaiteki/s/z/a', '{"co2": 501}', 30_000, true, 11)).toBe(true);
    expect(commit(d, 'kaiteki/s/z/a', '{"co2": 502}', 30_001, true, 12)).toBe(true);
    // and again, in the other order (a second reconnect)
    expect(commit(d, 'kaiteki/s/z/a', '{"co2": 502}', 60_000, true, 12)).toBe(true);
    expect(commit(d, 'kaiteki/s/z/a', '{"co2": 501}', 60_001, true, 11)).toBe(true);
  });

  it('a DUP whose first delivery never arrived is stored, even with the payload of an earlier message', () => {
    const d = new Deduper(0);
    expect(commit(d, 'kaiteki/s/z/b', '21.5', 1000, false, 7)).toBe(false); // A, acked
    // B (same payload, another packet id) was lost on the way in; its redelivery is new
    expect(commit(d, 'kaiteki/s/z/b', '21.5', 5000, true, 8)).toBe(false);
    // and B's own redelivery after that is a duplicate
    expect(commit(d, 'kaiteki/s/z/b', '21.5', 9000, true, 8)).toBe(true);
    // a DUP of another topic with the same payload and id is not one
    expect(commit(d, 'kaiteki/s/z/c', '21.5', 9001, true, 8)).toBe(false);
  });

  it('a redelivery is recognised only within redeliveryMs, and only once committed', () => {
    const d = new Deduper(0, 1000, 60_000);
    expect(commit(d, 't', 'x', 0, false, 1)).toBe(false);
    expect(commit(d, 't', 'x', 59_000, true, 1)).toBe(true);
    expect(commit(d, 't', 'x', 200_000, true, 1)).toBe(false);
    // staged then discarded (the store refused): the retried message is not its own duplicate
    const c = d.check('v', Buffer.from('y'), 0, false, 2);
    d.stage(c, 0);
    d.discard();
    expect(d.check('v', Buffer.from('y'), 1, true, 2).duplicate).toBe(false);
  });

  it.each([
    ['60 KB payloads (kept as digests)', 60 * 1024],
    ['96-byte payloads (kept as they are: the largest entries)', 96],
  ])('10,000 distinct topics × %s: heap growth stays under the documented bound', (_name, size) => {
    // Measured, not restated: the heap (and Buffer memory) the filter holds after 10,000
    // messages that fill both of its maps, compared with maxEntries × DEDUPE_ENTRY_BYTES.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const used = () => {
      gc();
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.external;
    };
    const maxEntries = 5000;
    // topics of 128 characters, the longest kept as they are; a third in Japanese (two-byte strings)
    const ascii = (i: number) => `kaiteki/site/zone/${String(i).padStart(6, '0')}`.padEnd(128, 'x');
    const japanese = (i: number) => `kaiteki/現場/会議室/${String(i).padStart(6, '0')}`.padEnd(128, '温');
    const payload = Buffer.alloc(size, 0x20);
    const before = used();
    // window and redelivery long enough that nothing expires by time: the count bound must hold
    const d = new Deduper(3_600_000, maxEntries, 3_600_000);
    for (let i = 0; i < 10_000; i++) {
      const topic =
        i % 100 === 0 ? `kaiteki/s/z/${'y'.repeat(60_000)}${i}` : i % 3 === 0 ? japanese(i) : ascii(i);
      payload.writeUInt32BE(i, 0); // every payload differs: every digest is kept
      const c = d.check(topic, payload, i, false, (i % 65_535) + 1);
      expect(c.duplicate).toBe(false);
      d.stage(c, i);
      d.commit(i);
    }
    const grown = used() - before;
    expect(d.size).toBe(2 * maxEntries); // both maps full, none beyond
    expect(grown).toBeGreaterThan(0);
    // per unit of maxEntries (one entry in each map), as measured: under the documented bound
    expect(grown / maxEntries).toBeLessThan(DEDUPE_ENTRY_BYTES);
    expect(grown).toBeLessThan(d.maxBytes);
  });
});
