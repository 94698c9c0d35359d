import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { KaitekiError } from './errors.js';

/**
 * Opens (creating the folder) a local SQLite file the way every part of
 * Kaiteki keeps state: WAL with synchronous=NORMAL — a commit survives a
 * killed process; only a power cut can roll back the last transactions — and
 * a busy timeout. `what` names the file in the error ("the embedded store").
 */
export function openSqlite(path: string, what: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (err) {
    throw new KaitekiError(`cannot open ${what} at ${path}`, { cause: err });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * Appends rows with multi-row INSERTs, `chunk` rows per statement call (the
 * call, not the row, is most of the cost of an append: 1.0 → 0.6 µs per row
 * measured on the durable buffer). For append-only tables: the rowids of one
 * `run` are consecutive, so the caller can tell each row's id from the last.
 */
export class ChunkedAppend {
  private readonly many: Database.Statement;
  private readonly one: Database.Statement;
  private readonly buf: unknown[];
  private readonly single: unknown[];

  /** `insert` = `INSERT INTO table (col, …) VALUES` with `width` columns */
  constructor(
    db: Database.Database,
    insert: string,
    private readonly width: number,
    private readonly chunk = 50,
  ) {
    const row = `(${Array(width).fill('?').join(', ')})`;
    this.many = db.prepare(`${insert} ${Array(chunk).fill(row).join(', ')}`);
    this.one = db.prepare(`${insert} ${row}`);
    this.buf = new Array(width * chunk);
    this.single = new Array(width);
  }

  /** Inserts `n` rows, `fill(out, at, i)` writing row i's values at out[at…at+width); returns the last rowid. */
  run(n: number, fill: (out: unknown[], at: number, i: number) => void): number {
    let last = 0;
    let i = 0;
    for (; i + this.chunk <= n; i += this.chunk) {
      for (let k = 0; k < this.chunk; k++) fill(this.buf, k * this.width, i + k);
      last = Number(this.many.run(this.buf).lastInsertRowid);
    }
    for (; i < n; i++) {
      fill(this.single, 0, i);
      last = Number(this.one.run(this.single).lastInsertRowid);
    }
    return last;
  }
}
