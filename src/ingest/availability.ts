import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Bus } from '../core/bus.js';
import { errorMessage, KaitekiError } from '../core/errors.js';
import type { LatestCache, SensorAvailability } from '../core/latest.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { SensorStatus } from '../core/reading.js';
import type { Service } from '../core/service.js';
import { openSqlite } from '../core/sqlite.js';

/**
 * Availability is state, not an event: every format's online/offline
 * (native `…/status`, zigbee2mqtt `availability`, ESPHome `status`, Homie
 * `$state`, Tasmota `LWT`, Home Assistant `avty_t`) ends here. It is kept in
 * SQLite in the data dir (survives a restart, so a sensor whose last word
 * was "offline" is offline before the broker says anything), mirrored in the
 * LatestCache (`ctx.latest.status()`, `/api/latest` `online`), and a change
 * is emitted on the bus as `status` (once per change, `ts` = when it changed).
 */
export class AvailabilityStore implements Service {
  readonly name = 'availability';
  private db?: Database.Database;
  private upsert?: Database.Statement;

  constructor(
    private readonly deps: {
      /** folder of the file (`store.dataDir`); ':memory:' keeps it in memory (tests) */
      dataDir: string;
      latest: LatestCache;
      bus: Bus;
      log: Logger;
      metrics: Metrics;
    },
  ) {}

  async start(): Promise<void> {
    const path = this.deps.dataDir === ':memory:' ? ':memory:' : join(this.deps.dataDir, 'availability.db');
    const db = openSqlite(path, 'the availability store');
    db.exec(`CREATE TABLE IF NOT EXISTS availability (
      site TEXT NOT NULL, sensor TEXT NOT NULL, zone TEXT NOT NULL,
      online INTEGER NOT NULL, since INTEGER NOT NULL, ts INTEGER NOT NULL,
      PRIMARY KEY (site, sensor))`);
    this.upsert = db.prepare(
      `INSERT OR REPLACE INTO availability (site, sensor, zone, online, since, ts) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.db = db;
    const rows = db.prepare('SELECT site, sensor, zone, online, since, ts FROM availability').all() as {
      site: string;
      sensor: string;
      zone: string;
      online: number;
      since: number;
      ts: number;
    }[];
    for (const r of rows) this.deps.latest.setStatus({ ...r, online: r.online === 1 });
    const latest = this.deps.latest;
    this.deps.metrics.gauge(
      'kaiteki_sensors_offline',
      'Sensors whose last availability message said offline',
      [],
      function () {
        this.set(latest.statuses().filter((s) => !s.online).length);
      },
    );
    if (rows.length > 0) this.deps.log.info({ sensors: rows.length }, 'availability restored');
  }

  /**
   * Records one availability message. Returns true when the sensor's state
   * changed (then it is stored and emitted); a repeat (a retained status
   * redelivered after a restart) keeps the original `since`. Throws a
   * retryable KaitekiError when the change cannot be stored (then nothing
   * changed: the caller holds the ack and retries).
   */
  record(s: SensorStatus): boolean {
    const prev = this.deps.latest.status(s.site, s.sensor);
    const changed = prev === undefined || prev.online !== s.online || prev.zone !== s.zone;
    const a: SensorAvailability = {
      site: s.site,
      zone: s.zone,
      sensor: s.sensor,
      online: s.online,
      since: changed ? s.ts : prev.since,
      ts: Math.max(s.ts, prev?.ts ?? 0),
    };
    if (!changed) {
      this.deps.latest.setStatus(a); // only ts moves; not worth a disk write
      return false;
    }
    try {
      this.upsert?.run(a.site, a.sensor, a.zone, a.online ? 1 : 0, a.since, a.ts);
    } catch (err) {
      throw new KaitekiError(`availability store refused a status: ${errorMessage(err)}`, {
        cause: err,
        retryable: true,
      });
    }
    this.deps.latest.setStatus(a);
    try {
      this.deps.bus.emit('status', {
        site: a.site,
        zone: a.zone,
        sensor: a.sensor,
        online: a.online,
        ts: a.since,
      });
    } catch (err) {
      this.deps.log.error({ err: errorMessage(err) }, 'a status listener threw');
    }
    return true;
  }

  async stop(): Promise<void> {
    this.db?.close();
    this.db = undefined;
    this.upsert = undefined;
  }
}
