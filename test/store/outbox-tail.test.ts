import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reading } from '../../src/core/reading.js';
import { Outbox, type OutboxBatch } from '../../src/store/outbox.js';

/**
 * The durable buffer serves a drain from memory (the rows accepted since the
 * last read) when it can, and from the file otherwise. Either way a read
 * returns exactly what the file holds after the cursor, in id order.
 */
describe('durable buffer: reads from the in-memory tail agree with the file', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kaiteki-tail-'));
    path = join(dir, 'outbox.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const reading = (i: number): Reading => ({
    site: 's',
    zone: 'z',
    sensor: `n${i % 7}`,
    quantity: i % 2 ? 'co2' : 'temperature',
    value: i,
    ts: 1_000_000 + i,
    registered: i % 3 !== 0,
  });
  const plain = (b: OutboxBatch | undefined) =>
    b && {
      firstId: b.firstId,
      lastId: b.lastId,
      ids: b.ids,
      readings: b.readings.map((r) => ({ ...r })),
    };
  /** what a fresh process reading the file returns (no tail) */
  const fromFile = (afterId: number, limit: number) => {
    const other = new Outbox(path, 1_000_000);
    other.open();
    try {
      return plain(other.read(afterId, limit));
    } finally {
      other.close();
    }
  };

  it('sequential drains, a read from an earlier cursor and an empty read', () => {
    const box = new Outbox(path, 1_000_000);
    box.open();
    try {
      let n = 0;
      const accept = (k: number) => box.acceptSync(Array.from({ length: k }, () => reading(n++)));
      accept(5);
      accept(3);
      let cursor = 0;
      // the first read after open: the cursor (0) is below the floor only when the file had rows; here it is empty
      for (const limit of [4, 10]) {
        const want = fromFile(cursor, limit);
        const got = plain(box.read(cursor, limit));
        expect(got).toEqual(want);
        cursor = got!.lastId;
      }
      expect(box.read(cursor, 10)).toBeUndefined();
      accept(6);
      const want = fromFile(cursor, 4);
      expect(plain(box.read(cursor, 4))).toEqual(want);
      // a drainer restarted at cursor 0 reads everything again, from the file
      expect(plain(box.read(0, 100))).toEqual(fromFile(0, 100));
      expect(box.read(0, 100)!.readings).toHaveLength(14);
    } finally {
      box.close();
    }
  });

  it('a drainer far behind reads from the file, and from memory again once it caught up', () => {
    const box = new Outbox(path, 1_000_000);
    box.open();
    try {
      let n = 0;
      const accept = (k: number) => box.acceptSync(Array.from({ length: k }, () => reading(n++)));
      for (let i = 0; i < 11; i++) accept(5_000); // 55,000 > the tail's 50,000: it is dropped
      let cursor = 0;
      let seen = 0;
      for (;;) {
        const want = fromFile(cursor, 20_000);
        const got = plain(box.read(cursor, 20_000));
        expect(got).toEqual(want);
        if (!got) break;
        seen += got.readings.length;
        box.remove(got.firstId, got.lastId);
        cursor = got.lastId;
      }
      expect(seen).toBe(55_000);
      expect(box.depth).toBe(0);
      accept(10);
      const want = fromFile(cursor, 100);
      expect(want!.readings).toHaveLength(10);
      expect(plain(box.read(cursor, 100))).toEqual(want);
    } finally {
      box.close();
    }
  });

  it('rows another process adds to the same file are not missed', () => {
    const box = new Outbox(path, 1_000_000);
    box.open();
    const other = new Outbox(path, 1_000_000);
    other.open();
    try {
      box.acceptSync([reading(1)]);
      const a = box.read(0, 10)!;
      other.acceptSync([reading(2)]); // e.g. a CLI import writing to the same buffer
      box.acceptSync([reading(3)]);
      const b = box.read(a.lastId, 10);
      expect(b!.readings.map((r) => r.value)).toEqual([2, 3]);
      expect(plain(b)).toEqual(fromFile(a.lastId, 10));
    } finally {
      other.close();
      box.close();
    }
  });

  it('rows left in the file by an earlier process are read from the file', () => {
    const first = new Outbox(path, 1_000_000);
    first.open();
    first.acceptSync([reading(1), reading(2)]);
    first.close();
    const box = new Outbox(path, 1_000_000);
    box.open();
    try {
      box.acceptSync([reading(3)]);
      const got = box.read(0, 10);
      expect(got!.readings.map((r) => r.value)).toEqual([1, 2, 3]);
      expect(box.read(got!.lastId, 10)).toBeUndefined();
    } finally {
      box.close();
    }
  });
});
