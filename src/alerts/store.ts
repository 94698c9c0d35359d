import type Database from 'better-sqlite3';
import { openSqlite } from '../core/sqlite.js';
import type { Alert, AlertFilter, AlertHistoryRow } from './alert.js';

interface Row {
  id: number;
  data: string;
}

/**
 * Alerts in SQLite (`<dataDir>/alerts.db`, WAL). Written only when an alert
 * changes (fires, escalates, is acknowledged, resolves, is notified) or on the
 * evaluator's tick for peak updates — never per reading. A unique index on
 * (rule, subject) over open alerts makes a duplicate open alert impossible,
 * also across restarts. All methods are synchronous (better-sqlite3).
 */
export class AlertStore {
  private db?: Database.Database;
  private stmts!: ReturnType<AlertStore['prepare']>;

  constructor(private readonly path: string) {}

  open(): void {
    this.db = openSqlite(this.path, 'the alert store');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS alerts (
        id INTEGER PRIMARY KEY AUTOINCREMENT, rule_id TEXT NOT NULL, subject TEXT NOT NULL, state TEXT NOT NULL,
        category TEXT NOT NULL, zone TEXT NOT NULL, opened_at INTEGER NOT NULL, resolved_at INTEGER,
        pending_notice INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL);
      CREATE UNIQUE INDEX IF NOT EXISTS alerts_one_open ON alerts (rule_id, subject) WHERE state != 'resolved';
      CREATE INDEX IF NOT EXISTS alerts_opened ON alerts (opened_at);
    `);
    this.stmts = this.prepare();
  }

  private prepare() {
    const db = this.db!;
    return {
      insert: db.prepare(
        `INSERT INTO alerts (rule_id, subject, state, category, zone, opened_at, resolved_at, pending_notice, data)
         VALUES (@ruleId, @subject, @state, @category, @zone, @openedAt, @resolvedAt, @pending, @data) RETURNING id`,
      ),
      update: db.prepare(
        `UPDATE alerts SET state = @state, resolved_at = @resolvedAt, pending_notice = @pending, data = @data WHERE id = @id`,
      ),
      open: db.prepare(`SELECT id, data FROM alerts WHERE state != 'resolved' ORDER BY id`),
      openFor: db.prepare(
        `SELECT id, data FROM alerts WHERE state != 'resolved' AND rule_id = ? AND subject = ?`,
      ),
      pending: db.prepare(
        `SELECT id, data FROM alerts WHERE state = 'resolved' AND pending_notice = 1 ORDER BY id`,
      ),
      get: db.prepare('SELECT id, data FROM alerts WHERE id = ?'),
      history: db.prepare(
        'SELECT id, data FROM alerts WHERE opened_at >= ? AND opened_at < ? ORDER BY opened_at, id',
      ),
    };
  }

  /** Inserts a new open alert and returns its id; if one is already open for (rule, subject), returns that one's id. */
  insert(a: Omit<Alert, 'id'>): number {
    try {
      const row = this.stmts.insert.get(params({ ...a, id: 0 })) as { id: number };
      return row.id;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err;
      const row = this.stmts.openFor.get(a.ruleId, a.subject) as Row;
      return row.id;
    }
  }

  update(a: Alert): void {
    this.stmts.update.run(params(a));
  }

  /** Writes many alerts in one transaction (peak updates on the tick). */
  updateMany(list: Iterable<Alert>): void {
    this.db!.transaction((items: Iterable<Alert>) => {
      for (const a of items) this.stmts.update.run(params(a));
    })(list);
  }

  /** Alerts not yet resolved (to continue after a restart). */
  openAlerts(): Alert[] {
    return (this.stmts.open.all() as Row[]).map(fromRow);
  }

  /** Resolved alerts whose resolved notice is still due (deferred by quiet hours). */
  pendingNotices(): Alert[] {
    return (this.stmts.pending.all() as Row[]).map(fromRow);
  }

  /** The newest alert (open or resolved) of this rule and subject. */
  latestFor(ruleId: string, subject: string): Alert | undefined {
    const row = this.db!.prepare(
      'SELECT id, data FROM alerts WHERE rule_id = ? AND subject = ? ORDER BY id DESC LIMIT 1',
    ).get(ruleId, subject) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  get(id: number): Alert | undefined {
    const row = this.stmts.get.get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  list(f: AlertFilter = {}): Alert[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (f.state === 'active') where.push(`state != 'resolved'`);
    else if (f.state) {
      where.push('state = ?');
      args.push(f.state);
    }
    if (f.zone) {
      where.push('zone = ?');
      args.push(f.zone);
    }
    if (f.category) {
      where.push('category = ?');
      args.push(f.category);
    }
    if (f.ids?.length) {
      where.push(`id IN (${f.ids.map(() => '?').join(',')})`);
      args.push(...f.ids);
    }
    const sql = `SELECT id, data FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db!.prepare(sql).all(...args, f.limit ?? 200) as Row[]).map(fromRow);
  }

  history(from: number, to: number): AlertHistoryRow[] {
    return (this.stmts.history.all(from, to) as Row[]).map(fromRow).map((a) => ({
      id: a.id,
      ruleId: a.ruleId,
      category: a.category,
      severity: a.severity,
      zone: a.zone,
      openedAt: a.openedAt,
      ...(a.ackedAt === undefined ? {} : { ackedAt: a.ackedAt }),
      ...(a.resolvedAt === undefined ? {} : { resolvedAt: a.resolvedAt }),
    }));
  }

  /** The open database, for the silences kept next to the alerts. */
  get database(): Database.Database {
    if (!this.db) throw new Error('the alert store is not open');
    return this.db;
  }

  get isOpen(): boolean {
    return this.db?.open ?? false;
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }
}

function params(a: Alert) {
  const { id, ...rest } = a;
  return {
    id,
    ruleId: a.ruleId,
    subject: a.subject,
    state: a.state,
    category: a.category,
    zone: a.zone,
    openedAt: a.openedAt,
    resolvedAt: a.resolvedAt ?? null,
    pending: a.state === 'resolved' && a.notifiedAt !== undefined && !a.resolvedNotified ? 1 : 0,
    data: JSON.stringify(rest),
  };
}

function fromRow(row: Row): Alert {
  return { ...(JSON.parse(row.data) as Omit<Alert, 'id'>), id: row.id };
}
