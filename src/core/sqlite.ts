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
