import type Database from 'better-sqlite3';
import type { Alert } from './alert.js';

/** A maintenance silence: no notices for one sensor or one zone until `until`. */
export interface Silence {
  id: number;
  scope: 'sensor' | 'zone';
  site: string;
  zone: string;
  /** set when scope = sensor */
  sensor?: string;
  /** epoch ms */
  from: number;
  until: number;
  reason: string;
  by: string;
  /** the alert it was set from, if any (its channels hear about it) */
  alertId?: number;
  /** set when ended early by hand */
  endedAt?: number;
}

export type SilenceDraft = Omit<Silence, 'id' | 'endedAt'>;

/** Alert fields a silence is judged against. */
export type Silenceable = Pick<Alert, 'site' | 'zone' | 'sensor' | 'category' | 'severity'>;

/**
 * Alerts no silence mutes: building protection (frozen pipes, condensation)
 * and anything critical. A silence is for maintenance noise; it is set from a
 * notice link (anyone holding it, up to alerts.maxSilenceHours), so it must
 * never stop the page that protects the building at night.
 */
export function unsilenceable(a: Pick<Alert, 'category' | 'severity'>): boolean {
  return a.category === 'protection' || a.severity === 'critical';
}

/**
 * Whether a silence covers an alert (same site and zone; a sensor silence
 * only that sensor's alerts; never a building-protection or critical alert).
 */
export function covers(s: Silence, a: Silenceable): boolean {
  if (unsilenceable(a)) return false;
  if (s.site !== a.site || s.zone !== a.zone) return false;
  return s.scope === 'zone' || (a.sensor !== undefined && a.sensor === s.sensor);
}

/** A silence is in force from `from` until `until` (exclusive) unless ended early. */
export function inForce(s: Silence, now: number): boolean {
  return s.from <= now && now < (s.endedAt ?? s.until);
}

export function silenceJson(s: Silence, now: number) {
  return {
    id: s.id,
    scope: s.scope,
    site: s.site,
    zone: s.zone,
    sensor: s.sensor ?? null,
    from: new Date(s.from).toISOString(),
    until: new Date(s.endedAt ?? s.until).toISOString(),
    reason: s.reason,
    by: s.by,
    alertId: s.alertId ?? null,
    active: inForce(s, now),
    endedEarly: s.endedAt !== undefined,
  };
}
export type SilenceJson = ReturnType<typeof silenceJson>;

/**
 * Silences in the alert store's SQLite file (table `silences`). They end by
 * themselves: "in force" is judged against the clock, nothing has to run at
 * the end. The in-force set is cached in memory (it is read on every notice
 * decision) and refreshed on every change.
 */
export class SilenceStore {
  private cache: Silence[] = [];
  private readonly stmts;

  constructor(db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS silences (
      id INTEGER PRIMARY KEY AUTOINCREMENT, until INTEGER NOT NULL, data TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS silences_until ON silences (until);`);
    this.stmts = {
      insert: db.prepare('INSERT INTO silences (until, data) VALUES (?, ?) RETURNING id'),
      update: db.prepare('UPDATE silences SET until = ?, data = ? WHERE id = ?'),
      since: db.prepare('SELECT id, data FROM silences WHERE until > ? ORDER BY id'),
      get: db.prepare('SELECT id, data FROM silences WHERE id = ?'),
    };
    this.reload(0);
  }

  add(draft: SilenceDraft): Silence {
    const row = this.stmts.insert.get(draft.until, JSON.stringify(draft)) as { id: number };
    const s: Silence = { ...draft, id: row.id };
    this.cache.push(s);
    return s;
  }

  /** Ends a silence now; undefined when there is no such silence or it is over already. */
  end(id: number, now: number): Silence | undefined {
    const row = this.stmts.get.get(id) as { id: number; data: string } | undefined;
    if (!row) return undefined;
    const s: Silence = { ...(JSON.parse(row.data) as SilenceDraft), id: row.id };
    if (!inForce(s, now) && s.from <= now) return undefined;
    s.endedAt = now;
    const { id: _id, ...rest } = s;
    this.stmts.update.run(now, JSON.stringify(rest), id);
    this.reload(now);
    return s;
  }

  /** Silences in force at `now` that cover the alert. */
  covering(a: Silenceable, now: number): Silence | undefined {
    return this.cache.find((s) => inForce(s, now) && covers(s, a));
  }

  /** Silences in force or still to come, plus those that ended in the last `recentMs`. */
  list(now: number, recentMs = 0): Silence[] {
    return (this.stmts.since.all(now - recentMs) as { id: number; data: string }[]).map((r) => ({
      ...(JSON.parse(r.data) as SilenceDraft),
      id: r.id,
    }));
  }

  /** Forgets silences that are over (called on the tick; keeps the in-memory set small). */
  prune(now: number): void {
    if (this.cache.some((s) => (s.endedAt ?? s.until) <= now)) this.reload(now);
  }

  private reload(now: number): void {
    this.cache = this.list(now);
  }
}
