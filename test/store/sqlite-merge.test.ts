import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reading } from '../../src/core/reading.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { waitFor } from '../helpers/binaries.js';

/**
 * The embedded store's write path: readings are committed to the append-only
 * `readings_recent` and merged into `readings` in bulk (src/store/sqlite.ts).
 * Whatever the merge state, reads see every committed reading, a later
 * rewrite of the same series and ts wins, and nothing waits unmerged for long.
 */
describe('embedded store: readings_recent merged into readings', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kaiteki-merge-'));
    file = join(dir, 'kaiteki.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const reading = (sensor: string, ts: number, value: number): Reading => ({
    site: 's',
    zone: 'z',
    sensor,
    quantity: 'co2',
    value,
    ts,
    registered: true,
  });
  /** rows per table, read from the file by another connection (as an operator's sqlite3 would) */
  const tables = (): { readings: number; recent: number } => {
    const db = new Database(file, { readonly: true });
    try {
      const n = (t: string) => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
      return { readings: n('readings'), recent: n('readings_recent') };
    } finally {
      db.close();
    }
  };

  it('reads see readings not yet merged, and the last write of a series and ts wins', async () => {
    const store = new SqliteStore(file, { rows: 1_000_000, ms: 3_600_000 });
    await store.open();
    try {
      store.acceptSync([reading('a', 1000, 400), reading('a', 2000, 500)]);
      store.acceptSync([reading('a', 2000, 900), reading('b', 1000, 600), reading('b', 1000, 700)]);
      expect(tables()).toEqual({ readings: 0, recent: 5 });
      const raw = await store.raw({ from: 0, to: 10_000 });
      expect(raw.map((r) => [r.sensor, r.ts, r.value])).toEqual([
        ['a', 1000, 400],
        ['b', 1000, 700],
        ['a', 2000, 900],
      ]);
      expect(tables()).toEqual({ readings: 3, recent: 0 });
      // a rewrite after the merge replaces the merged row
      store.acceptSync([reading('a', 1000, 410)]);
      const latest = await store.latest({ sensor: 'a' });
      expect(latest.map((r) => [r.ts, r.value])).toEqual([[2000, 900]]);
      const buckets = await store.query({ sensor: 'a', from: 0, to: 10_000, step: 10_000 });
      expect(buckets.map((b) => [b.count, b.min, b.max])).toEqual([[2, 410, 900]]);
    } finally {
      await store.close();
    }
  });

  it('merges when enough rows have gathered, and within the time limit otherwise', async () => {
    const store = new SqliteStore(file, { rows: 100, ms: 50 });
    await store.open();
    try {
      store.acceptSync(Array.from({ length: 99 }, (_, i) => reading('a', i, 1)));
      expect(tables().recent).toBe(99);
      store.acceptSync([reading('a', 99, 1)]);
      expect(tables()).toEqual({ readings: 100, recent: 0 });
      store.acceptSync([reading('a', 100, 1)]);
      await waitFor(() => tables().recent === 0, 5000, 'the timed merge');
      expect(tables()).toEqual({ readings: 101, recent: 0 });
    } finally {
      await store.close();
    }
  });

  it('what a killed process left in readings_recent is merged by the next open', async () => {
    const crashed = new SqliteStore(file, { rows: 1_000_000, ms: 3_600_000 });
    await crashed.open();
    crashed.acceptSync([reading('a', 1000, 400), reading('b', 1000, 500)]);
    expect(tables()).toEqual({ readings: 0, recent: 2 });
    // (crashed is never closed: its process "died"; the file holds the committed rows)
    const next = new SqliteStore(file);
    await next.open();
    try {
      expect(tables()).toEqual({ readings: 2, recent: 0 });
      expect((await next.raw({ from: 0, to: 10_000 })).length).toBe(2);
    } finally {
      await next.close();
      await crashed.close(); // (only to release the file handle; nothing is left to merge)
    }
  });

  it('two processes writing the same file (the service and a CLI) may both add a series', async () => {
    const a = new SqliteStore(file);
    const b = new SqliteStore(file);
    await a.open();
    await b.open();
    try {
      b.acceptSync([reading('new', 1000, 1)]);
      a.acceptSync([reading('new', 2000, 2)]); // a has not seen b's new series: it takes its id
      expect((await a.raw({ from: 0, to: 10_000 })).map((r) => r.value)).toEqual([1, 2]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a full disk: reads still answer from readings, and the rest appears once the merge can be written', async () => {
    const store = new SqliteStore(file, { rows: 1_000_000, ms: 3_600_000 });
    await store.open();
    try {
      store.acceptSync([reading('a', 1000, 400)]);
      await store.raw({ from: 0, to: 10_000 }); // merged
      // committed, not yet merged: enough rows that merging them needs new pages in `readings`
      store.acceptSync(Array.from({ length: 2000 }, (_, i) => reading(`n${i % 50}`, 2000 + i, i)));
      const db = (store as unknown as { db: Database.Database }).db;
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages}`); // the database may not grow by a single page
      const during = await store.raw({ from: 0, to: 100_000, limit: 10_000 });
      expect(during.map((r) => r.value)).toEqual([400]);
      expect(tables().recent).toBe(2000);
      db.pragma(`max_page_count = ${pages * 100}`);
      const after = await store.raw({ from: 0, to: 100_000, limit: 10_000 });
      expect(after).toHaveLength(2001);
      expect(tables().recent).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('close merges', async () => {
    const store = new SqliteStore(file, { rows: 1_000_000, ms: 3_600_000 });
    await store.open();
    store.acceptSync([reading('a', 1000, 400)]);
    await store.close();
    expect(tables()).toEqual({ readings: 1, recent: 0 });
  });
});
