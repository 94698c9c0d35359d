import type Database from 'better-sqlite3';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { openSqlite } from '../core/sqlite.js';

/** What a part records: who did what to which thing, from which address. */
export interface AuditInput {
  /** who: "admin" (the token holder), a user name, or "cli" */
  actor: string;
  /** what, as a dotted verb: "alert.acknowledge", "alert.silence", "discovery.confirm", "inventory.import" … */
  action: string;
  /** the thing acted on: an alert id, a sensor id, a file name */
  target?: string;
  /** anything else worth keeping (a note, counts); stored as JSON */
  detail?: unknown;
  /** the client's address (`req.ip`); use auditFrom(req) in a route */
  ip?: string;
}

export interface AuditEntry extends Required<Pick<AuditInput, 'actor' | 'action'>> {
  id: number;
  /** ISO 8601 UTC */
  time: string;
  target: string | null;
  detail: unknown;
  ip: string | null;
}

export interface AuditQuery {
  /** epoch ms, inclusive */
  from?: number;
  /** epoch ms, exclusive */
  to?: number;
  action?: string;
  actor?: string;
  /** newest first; default 100, at most 1000 */
  limit?: number;
  /** entries with id < before (paging) */
  before?: number;
}

interface Row {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail: string | null;
  ip: string | null;
}

/**
 * The audit trail of admin actions (acknowledge, silence, discovery confirm,
 * import …): every entry is kept in SQLite (`<dataDir>/audit.db`, WAL) and
 * written as one JSON log line (`ns: "audit"`). `record` is synchronous and
 * never throws: an audit write that fails is logged as an error, the action
 * itself is not undone.
 */
export class AuditLog {
  private db?: Database.Database;
  private insert?: Database.Statement;

  constructor(
    private readonly path: string,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  /** Opens the database; called lazily by record/list, so callers need not care. */
  open(): void {
    if (this.db) return;
    this.db = openSqlite(this.path, 'the audit trail');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
        target TEXT, detail TEXT, ip TEXT);
      CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
    `);
    this.insert = this.db.prepare(
      'INSERT INTO audit (at, actor, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
    );
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
    this.insert = undefined;
  }

  record(entry: AuditInput): void {
    const at = this.clock.now();
    const detail = entry.detail === undefined ? null : safeJson(entry.detail);
    let id: number | undefined;
    try {
      this.open();
      const row = this.insert!.get(
        at,
        entry.actor,
        entry.action,
        entry.target ?? null,
        detail,
        entry.ip ?? null,
      ) as { id: number };
      id = row.id;
    } catch (err) {
      this.log.error({ err: (err as Error).message, action: entry.action }, 'audit entry not stored');
    }
    this.log.info(
      {
        audit: true,
        id,
        at: new Date(at).toISOString(),
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        ip: entry.ip,
        detail: entry.detail,
      },
      `audit: ${entry.action}`,
    );
  }

  list(q: AuditQuery = {}): AuditEntry[] {
    this.open();
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, arg: string | number): void => {
      where.push(clause);
      args.push(arg);
    };
    if (q.from !== undefined) add('at >= ?', q.from);
    if (q.to !== undefined) add('at < ?', q.to);
    if (q.action) add('action = ?', q.action);
    if (q.actor) add('actor = ?', q.actor);
    if (q.before !== undefined) add('id < ?', q.before);
    const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 100)), 1000);
    const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`;
    return (this.db!.prepare(sql).all(...args) as Row[]).map((r) => ({
      id: r.id,
      time: new Date(r.at).toISOString(),
      actor: r.actor,
      action: r.action,
      target: r.target,
      detail: r.detail === null ? null : JSON.parse(r.detail),
      ip: r.ip,
    }));
  }
}

/** The actor and address of an admin HTTP request, for `audit.record({...auditFrom(req), action, target})`. */
export function auditFrom(req: { ip?: string; get(name: string): string | undefined }): {
  actor: string;
  ip?: string;
} {
  // The admin token is one shared secret: the actor is "admin", optionally named by the client.
  const who = req
    .get('x-kaiteki-actor')
    ?.slice(0, 64)
    .replace(/[^\p{L}\p{N} ._@-]/gu, '');
  return { actor: who ? `admin:${who}` : 'admin', ...(req.ip ? { ip: req.ip } : {}) };
}

function safeJson(v: unknown): string | null {
  try {
    return JSON.stringify(v) ?? null;
  } catch {
    return JSON.stringify(String(v));
  }
}
