import type Database from 'better-sqlite3';
import { type Clock, systemClock } from '../core/clock.js';
import { KaitekiError } from '../core/errors.js';
import type { Quantity } from '../core/quantities.js';
import { IngestedReading, type Reading, sensorKey, seriesKey } from '../core/reading.js';
import { ChunkedAppend, openSqlite } from '../core/sqlite.js';
import type { DurableSink, SeriesFilter } from './store.js';

/** A contiguous run of outbox rows, oldest first. */
export interface OutboxBatch {
  firstId: number;
  lastId: number;
  /** row id of each reading (same order) */
  ids: number[];
  readings: Reading[];
}

/** readings the tail holds at most (beyond, the drainer reads from SQLite until it catches up) */
const TAIL_MAX = 50_000;

interface SeriesRow {
  id: number;
  site: string;
  zone: string;
  sensor: string;
  quantity: Quantity;
}

/** a series with its keys built once (every reading read back from the buffer carries them) */
interface KnownSeries extends SeriesRow {
  key: string;
  sensorKey: string;
}

/**
 * The durable buffer in front of a remote store: an SQLite file (WAL,
 * synchronous=NORMAL — a commit survives kill -9; only a power cut can roll
 * back the last transactions, as with the embedded store). Rows are ordered
 * by an AUTOINCREMENT id, so ids only grow and a range of ids read once
 * never gains rows later; rows leave only through `remove()` (after the
 * remote store confirmed them) or `deadLetter()` (kept for a person).
 */
export class Outbox implements DurableSink {
  private db!: Database.Database;
  private stmts!: ReturnType<Outbox['prepare']>;
  private readonly series = new Map<string, KnownSeries>();
  private readonly seriesById = new Map<number, KnownSeries>();
  private insertMany!: (readings: readonly Reading[], at: number, ids: number[]) => void;
  private count = 0;
  private maxId = 0;
  /** called after every accepted batch (the drainer wakes when a full batch waits) */
  onAccepted: (() => void) | undefined;
  /**
   * The rows accepted since the drainer last read, in id order, so that a
   * drain reads them from memory instead of SQLite (~10 % of ingest on the
   * InfluxDB path). Valid while it holds every row with id > tailFloor; the
   * file stays the truth (a read below the floor, or after an overflow, goes
   * to SQLite).
   */
  private tailIds: number[] = [];
  private tailReadings: Reading[] = [];
  private tailStart = 0;
  private tailFloor = 0;
  private tailValid = false;

  constructor(
    readonly path: string,
    private readonly maxReadings: number,
    private readonly clock: Clock = systemClock,
  ) {}

  open(): void {
    this.db = openSqlite(this.path, 'the durable buffer');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS series (
        id INTEGER PRIMARY KEY, site TEXT NOT NULL, zone TEXT NOT NULL, sensor TEXT NOT NULL, quantity TEXT NOT NULL,
        UNIQUE (site, zone, sensor, quantity));
      CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, series_id INTEGER NOT NULL,
        ts INTEGER NOT NULL, value REAL NOT NULL, registered INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS dead (
        id INTEGER PRIMARY KEY, at INTEGER NOT NULL, failed_at INTEGER NOT NULL, series_id INTEGER NOT NULL,
        ts INTEGER NOT NULL, value REAL NOT NULL, registered INTEGER NOT NULL, reason TEXT NOT NULL);
    `);
    this.stmts = this.prepare();
    for (const row of this.stmts.allSeries.all() as SeriesRow[]) this.remember(row);
    this.count = (this.stmts.count.get() as { n: number }).n;
    this.maxId = (this.stmts.maxId.get() as { m: number | null }).m ?? 0;
    const append = new ChunkedAppend(
      this.db,
      'INSERT INTO outbox (at, series_id, ts, value, registered) VALUES',
      5,
    );
    this.insertMany = this.db.transaction((readings: readonly Reading[], at: number, ids: number[]) => {
      const last = append.run(readings.length, (out, o, i) => {
        const r = readings[i]!;
        out[o] = at;
        out[o + 1] = this.seriesId(r);
        out[o + 2] = r.ts;
        out[o + 3] = r.value;
        out[o + 4] = r.registered ? 1 : 0;
      });
      // AUTOINCREMENT ids of one transaction are consecutive (it holds the write lock)
      for (let id = last - readings.length + 1; id <= last; id++) ids.push(id);
    });
    // an empty buffer: every row from now on is in the tail
    this.tailValid = this.count === 0;
    this.tailFloor = this.maxId;
  }

  private prepare() {
    const db = this.db;
    return {
      allSeries: db.prepare('SELECT id, site, zone, sensor, quantity FROM series'),
      // another process (the CLI) may have added the same series since we read the table: take its id
      insertSeries: db.prepare(
        `INSERT INTO series (site, zone, sensor, quantity) VALUES (?, ?, ?, ?)
         ON CONFLICT (site, zone, sensor, quantity) DO UPDATE SET site = excluded.site RETURNING id`,
      ),
      count: db.prepare('SELECT count(*) AS n FROM outbox'),
      maxId: db.prepare("SELECT max(seq) AS m FROM sqlite_sequence WHERE name = 'outbox'"),
      // array rows: a drain batch is thousands of rows
      read: db
        .prepare('SELECT id, series_id, ts, value, registered FROM outbox WHERE id > ? ORDER BY id LIMIT ?')
        .raw(true),
      remove: db.prepare('DELETE FROM outbox WHERE id >= ? AND id <= ?'),
      oldest: db.prepare('SELECT at FROM outbox ORDER BY id LIMIT 1'),
      pending: db.prepare(
        'SELECT series_id, ts, value, registered FROM outbox WHERE ts >= ? AND ts < ? ORDER BY id',
      ),
      toDead: db.prepare(
        'INSERT OR REPLACE INTO dead SELECT id, at, ?, series_id, ts, value, registered, ? FROM outbox WHERE id = ?',
      ),
      deadCount: db.prepare('SELECT count(*) AS n FROM dead'),
    };
  }

  private remember(row: SeriesRow): void {
    const known = { ...row, key: seriesKey(row), sensorKey: sensorKey(row) };
    this.series.set(known.key, known);
    this.seriesById.set(row.id, known);
  }

  /** A series another process (the CLI) added to the same file since we read the table. */
  private learnSeries(id: number): KnownSeries {
    for (const row of this.stmts.allSeries.all() as SeriesRow[])
      if (!this.seriesById.has(row.id)) this.remember(row);
    const s = this.seriesById.get(id);
    if (!s) throw new KaitekiError(`durable buffer: row of unknown series ${id}`);
    return s;
  }

  private seriesId(r: Reading): number {
    const known = this.series.get(seriesKey(r));
    if (known) return known.id;
    const { id } = this.stmts.insertSeries.get(r.site, r.zone, r.sensor, r.quantity) as { id: number };
    this.remember({ id, site: r.site, zone: r.zone, sensor: r.sensor, quantity: r.quantity });
    return id;
  }

  /**
   * Appends the readings in one transaction and returns once committed.
   * Throws a retryable KaitekiError when the buffer is at its bound (the
   * caller withholds the MQTT ack, so the broker keeps the message) or the
   * disk refuses; never drops a reading silently.
   */
  acceptSync(readings: readonly Reading[]): void {
    if (readings.length === 0) return;
    if (this.count + readings.length > this.maxReadings) {
      throw new KaitekiError(
        `durable buffer full (${this.count} of ${this.maxReadings} readings): is the store down?`,
        {
          retryable: true,
        },
      );
    }
    const ids: number[] = [];
    try {
      this.insertMany(readings, this.clock.now(), ids);
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      throw new KaitekiError(`durable buffer write failed (${code})`, {
        cause: err,
        retryable: code === 'SQLITE_BUSY' || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL',
      });
    }
    this.count += readings.length;
    // another process (a CLI writing to the same buffer) added rows since ours: they are not in the tail
    if (this.tailValid && ids[0] !== this.maxId + 1) this.dropTail();
    this.maxId = ids[ids.length - 1] ?? this.maxId;
    if (this.tailValid) {
      if (this.tailIds.length - this.tailStart + ids.length > TAIL_MAX) this.dropTail();
      else {
        for (let i = 0; i < ids.length; i++) {
          this.tailIds.push(ids[i]!);
          this.tailReadings.push(readings[i]!);
        }
      }
    }
    this.onAccepted?.();
  }

  /** The drainer fell far behind: reads go to SQLite until it catches up. */
  private dropTail(): void {
    this.tailIds = [];
    this.tailReadings = [];
    this.tailStart = 0;
    this.tailValid = false;
  }

  /** Up to `limit` rows after `afterId` from the tail; undefined when the tail cannot answer. */
  private readTail(afterId: number, limit: number): OutboxBatch | undefined {
    if (!this.tailValid || afterId < this.tailFloor) return undefined;
    const ids = this.tailIds;
    let i = this.tailStart;
    while (i < ids.length && ids[i]! <= afterId) i++;
    const end = Math.min(ids.length, i + limit);
    const batch =
      end > i
        ? {
            firstId: ids[i]!,
            lastId: ids[end - 1]!,
            ids: ids.slice(i, end),
            readings: this.tailReadings.slice(i, end),
          }
        : undefined;
    // rows up to here are read: the drainer never reads below its cursor again (a restart reads from SQLite)
    this.tailStart = end;
    this.tailFloor = batch ? batch.lastId : afterId;
    if (this.tailStart > 4096 && this.tailStart * 2 > ids.length) {
      this.tailIds = ids.slice(this.tailStart);
      this.tailReadings = this.tailReadings.slice(this.tailStart);
      this.tailStart = 0;
    }
    return batch;
  }

  /** Up to `limit` rows after `afterId`, in id order (undefined when there are none). */
  read(afterId: number, limit: number): OutboxBatch | undefined {
    const fromTail = this.readTail(afterId, limit);
    if (fromTail || (this.tailValid && afterId >= this.tailFloor)) return fromTail;
    const rows = this.stmts.read.all(afterId, limit) as [
      id: number,
      seriesId: number,
      ts: number,
      value: number,
      registered: number,
    ][];
    if (rows.length === 0) return undefined;
    const readings: Reading[] = [];
    const ids: number[] = [];
    for (const [id, seriesId, ts, value, registered] of rows) {
      const s = this.seriesById.get(seriesId) ?? this.learnSeries(seriesId);
      ids.push(id);
      readings.push(
        new IngestedReading(
          s.site,
          s.zone,
          s.sensor,
          s.quantity,
          value,
          ts,
          registered === 1,
          s.sensorKey,
          s.key,
        ),
      );
    }
    const last = ids[ids.length - 1]!;
    if (!this.tailValid && last >= this.maxId) {
      // caught up: every later row goes to the tail again
      this.tailValid = true;
      this.tailFloor = last;
      this.tailIds = [];
      this.tailReadings = [];
      this.tailStart = 0;
    }
    return { firstId: ids[0]!, lastId: last, ids, readings };
  }

  /** Deletes rows with id in [firstId, lastId] (written to the store). */
  remove(firstId: number, lastId: number): number {
    const n = this.stmts.remove.run(firstId, lastId).changes;
    this.count -= n;
    return n;
  }

  /** Moves one row to the `dead` table with the reason the store refused it. */
  deadLetter(id: number, reason: string): void {
    this.db.transaction(() => {
      this.stmts.toDead.run(this.clock.now(), reason, id);
      this.count -= this.stmts.remove.run(id, id).changes;
    })();
  }

  /** readings accepted and not yet written */
  get depth(): number {
    return this.count;
  }

  /** id of the newest row ever accepted (rows after a cursor = lastId − cursor, ids being dense when appended) */
  get lastId(): number {
    return this.maxId;
  }

  get deadCount(): number {
    return (this.stmts.deadCount.get() as { n: number }).n;
  }

  /** acceptance time (epoch ms) of the oldest unwritten reading */
  oldestAcceptedAt(): number | undefined {
    return (this.stmts.oldest.get() as { at: number } | undefined)?.at;
  }

  /** Unwritten readings with ts in [from, to) matching the filter (rollup rebuilds; a full scan of the buffer). */
  pending(q: SeriesFilter & { from: number; to: number }): Reading[] {
    const out: Reading[] = [];
    for (const r of this.stmts.pending.iterate(q.from, q.to) as Iterable<{
      series_id: number;
      ts: number;
      value: number;
      registered: number;
    }>) {
      const s = this.seriesById.get(r.series_id) ?? this.learnSeries(r.series_id);
      if (q.site !== undefined && s.site !== q.site) continue;
      if (q.zone !== undefined && s.zone !== q.zone) continue;
      if (q.sensor !== undefined && s.sensor !== q.sensor) continue;
      if (q.quantity !== undefined && s.quantity !== q.quantity) continue;
      out.push({
        site: s.site,
        zone: s.zone,
        sensor: s.sensor,
        quantity: s.quantity,
        value: r.value,
        ts: r.ts,
        registered: r.registered === 1,
      });
    }
    return out;
  }

  close(): void {
    if (this.db?.open) this.db.close();
  }
}
