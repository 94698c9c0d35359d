import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { AlertBook } from './book.js';
import type { AlertNotifications } from './notifications.js';
import type { SilenceRequest, SilenceResult } from './router.js';
import { covers, type Silence, type SilenceJson, type SilenceStore, silenceJson } from './silences.js';
import type { AlertStore } from './store.js';

export interface SilenceServiceDeps {
  silences: SilenceStore;
  book: AlertBook;
  store: AlertStore;
  notifications: AlertNotifications;
  clock: Clock;
  log: Logger;
  /** the site a silence without an alert is for */
  siteId: string;
  /** alerts.maxSilenceHours */
  maxSilenceHours: number;
  zoneName: (zone: string) => { ja: string; en: string } | undefined;
  /** runs the alert tick (a silence ended early lets its overdue notices go out at once) */
  tick: () => void;
}

/**
 * Maintenance silences as the alert API sees them: set from an alert (its
 * sensor or zone) or, for the admin, named directly; listed for the page and
 * the wall; ended early by hand. Which alerts a silence covers is decided in
 * ./silences.ts (never building protection or critical alerts).
 */
export class SilenceService {
  constructor(private readonly d: SilenceServiceDeps) {}

  /** Silences in force or to come, and those that ended in the last day (for the page and the wall). */
  list(): (SilenceJson & { zoneName: { ja: string; en: string } | null })[] {
    const now = this.d.clock.now();
    return this.d.silences
      .list(now, 86_400_000)
      .reverse()
      .map((s) => ({ ...silenceJson(s, now), zoneName: this.d.zoneName(s.zone) ?? null }));
  }

  /** Silences a sensor or a zone, from an alert (its sensor/zone) or, for the admin, named directly. */
  set(req: SilenceRequest): SilenceResult {
    const { silences, book, store, notifications } = this.d;
    const now = this.d.clock.now();
    const maxMin = this.d.maxSilenceHours * 60;
    if (req.minutes > maxMin)
      return { ok: false, status: 400, error: `minutes: at most ${maxMin} (alerts.maxSilenceHours)` };
    let site = req.site ?? this.d.siteId;
    let zone = req.zone;
    let sensor = req.sensor;
    const from =
      req.alertId === undefined ? undefined : (book.findOpen(req.alertId) ?? store.get(req.alertId));
    if (req.alertId !== undefined) {
      if (!from) return { ok: false, status: 404, error: `no alert ${req.alertId}` };
      site = from.site;
      zone = from.zone;
      sensor = from.sensor;
    }
    if (!zone) return { ok: false, status: 400, error: 'zone: which zone to silence' };
    if (req.scope === 'sensor' && !sensor)
      return {
        ok: false,
        status: 400,
        error: 'this alert is about a zone, not one sensor: silence the zone',
      };
    const s: Silence = silences.add({
      scope: req.scope,
      site,
      zone,
      ...(req.scope === 'sensor' && sensor ? { sensor } : {}),
      from: now,
      until: now + Math.round(req.minutes * 60_000),
      reason: req.reason,
      by: req.by,
      ...(req.alertId === undefined ? {} : { alertId: req.alertId }),
    });
    this.d.log.info(
      { silence: s.id, zone, sensor: s.sensor, until: new Date(s.until).toISOString(), by: s.by },
      'silence set',
    );
    const covered = book.active().filter((a) => covers(s, a));
    const about = from ? [from, ...covered.filter((a) => a.id !== from.id)] : covered;
    notifications.announceSilence(s, about, now);
    return { ok: true, silence: silenceJson(s, now) };
  }

  /** Ends a silence early; a link may end only silences set from one of its alerts. */
  end(id: number, allowedAlerts?: readonly number[]): SilenceResult {
    const { silences } = this.d;
    const now = this.d.clock.now();
    const existing = silences.list(now).find((s) => s.id === id);
    if (!existing) return { ok: false, status: 404, error: `no silence ${id} in force` };
    if (allowedAlerts && (existing.alertId === undefined || !allowedAlerts.includes(existing.alertId)))
      return { ok: false, status: 403, error: 'the link does not cover this silence' };
    const ended = silences.end(id, now);
    if (!ended) return { ok: false, status: 404, error: `no silence ${id} in force` };
    this.d.log.info({ silence: id }, 'silence ended early');
    this.d.tick();
    return { ok: true, silence: silenceJson(ended, now) };
  }
}
