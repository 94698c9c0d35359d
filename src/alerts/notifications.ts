import type { Logger } from '../core/log.js';
import type { Dispatcher } from '../notify/dispatcher.js';
import { type RenderContext, renderAck, renderNotice, renderSilence } from '../notify/messages.js';
import type { AlertNoticeKind } from '../notify/notifier.js';
import { allowedNow, type NotifyPolicy, quietEnd, routeChannels, wantedNotice } from '../notify/policy.js';
import type { Alert } from './alert.js';
import type { AlertBook, AlertChange } from './book.js';
import type { RouteConfig } from './config.js';
import type { Silence, SilenceStore } from './silences.js';

export interface NotificationDeps {
  book: AlertBook;
  dispatcher: Dispatcher;
  policy: NotifyPolicy;
  routes: readonly RouteConfig[];
  lang: 'ja' | 'en';
  zoneName(zone: string): { ja: string; en: string } | undefined;
  /** signed alert-page link for these alerts (valid from `now`), and the wall */
  pageUrl?(ids: readonly number[], now: number): string;
  wallUrl?: string;
  silences?: SilenceStore;
  /** firing (and resolved) notices of one rule within this window go out as one; 0 = at once */
  groupMs: number;
  log: Logger;
  /** counts a notice held by quiet hours (once per held alert) */
  onHeld?(kind: AlertNoticeKind): void;
  /** asks for a tick after `ms` (the end of a group window) */
  wake?(ms: number): void;
}

interface Group {
  kind: 'firing' | 'resolved';
  alerts: Alert[];
  channels: string[];
  due: number;
}

/**
 * Decides, on every alert change and on every tick, which notice each alert
 * is due (first notice, escalation, reminder, resolved — see wantedNotice)
 * and hands it to the dispatcher. Quiet hours hold a notice (logged once,
 * counted, shown as `heldUntil`); a silence suppresses it; first and resolved
 * notices of one rule wait `groupMs` so that several zones go out as one
 * notice. What was announced is recorded on the alert and persisted, so a
 * restart neither repeats a notice nor loses a deferred one. Acknowledgements
 * and silences are announced once, on the channels that got the alert.
 */
export class AlertNotifications {
  /** resolved alerts whose resolved notice waits (quiet hours, a group window) */
  private readonly pendingResolved = new Map<number, Alert>();
  private readonly groups = new Map<string, Group>();
  /** alert ids waiting in a group */
  private readonly queued = new Set<number>();

  constructor(private readonly deps: NotificationDeps) {}

  loadPending(list: readonly Alert[]): void {
    for (const a of list) this.pendingResolved.set(a.id, a);
  }

  onChange(change: AlertChange, now: number): void {
    if (change.type === 'acknowledged') this.announceAck(change.alert, now);
    else this.consider(change.alert, now);
  }

  tick(now: number): void {
    this.deps.silences?.prune(now);
    for (const a of this.deps.book.active()) this.consider(a, now);
    for (const a of [...this.pendingResolved.values()]) this.consider(a, now);
    this.flush(now);
  }

  /** Announces a new silence on the channels that got the alerts it was set from (the log only if none was notified). */
  announceSilence(s: Silence, alerts: readonly Alert[], now: number): void {
    if (alerts.length === 0) {
      this.deps.log.info({ silence: s.id, zone: s.zone, sensor: s.sensor, by: s.by }, 'silence set');
      return;
    }
    const channels = new Set<string>(['log']);
    for (const a of alerts)
      if (a.notifiedAt !== undefined) for (const c of this.channelsOf(a)) channels.add(c);
    this.deps.dispatcher.send(renderSilence(s, alerts, this.ctx(now)), [...channels]);
  }

  private announceAck(a: Alert, now: number): void {
    const channels = a.notifiedAt !== undefined ? this.channelsOf(a) : ['log'];
    this.deps.dispatcher.send(renderAck(a, this.ctx(now)), channels);
  }

  private consider(a: Alert, now: number): void {
    const { policy, book } = this.deps;
    if (this.queued.has(a.id)) return;
    const kind = wantedNotice(a, now, policy);
    if (kind === undefined) {
      if (a.heldUntil !== undefined) {
        delete a.heldUntil;
        book.save(a);
      }
      if (a.state === 'resolved') this.pendingResolved.delete(a.id);
      return;
    }
    const silence = this.deps.silences?.covering(a, now);
    if (silence) {
      if (kind === 'resolved') {
        // Maintenance: the channels were told of the silence; the end of the incident is on the page.
        a.resolvedNotified = true;
        this.pendingResolved.delete(a.id);
        book.save(a);
      }
      return;
    }
    if (!allowedNow(a, now, policy)) {
      if (kind === 'resolved') this.pendingResolved.set(a.id, a);
      if (a.heldUntil === undefined) {
        a.heldUntil = quietEnd(policy.isQuiet, now);
        book.save(a);
        this.deps.onHeld?.(kind);
        this.deps.log.info(
          {
            alert: a.id,
            rule: a.ruleId,
            zone: a.zone,
            event: kind,
            heldUntil: new Date(a.heldUntil).toISOString(),
          },
          'notice held by quiet hours',
        );
      }
      return;
    }
    // calibration alerts (one per sensor and quantity, each with its own difference) go out one by one
    if ((kind === 'firing' || kind === 'resolved') && this.deps.groupMs > 0 && a.kind !== 'calibration') {
      this.enqueue(a, kind, now);
      return;
    }
    this.send([a], kind, this.channelsOf(a), now);
  }

  private enqueue(a: Alert, kind: 'firing' | 'resolved', now: number): void {
    const channels = this.channelsOf(a);
    const key = `${a.ruleId}|${kind}|${channels.join(',')}`;
    let g = this.groups.get(key);
    if (!g) {
      g = { kind, alerts: [], channels, due: now + this.deps.groupMs };
      this.groups.set(key, g);
      this.deps.wake?.(this.deps.groupMs);
    }
    g.alerts.push(a);
    this.queued.add(a.id);
    if (kind === 'resolved') this.pendingResolved.set(a.id, a);
  }

  private flush(now: number): void {
    for (const [key, g] of this.groups) {
      if (g.due > now) continue;
      this.groups.delete(key);
      for (const a of g.alerts) this.queued.delete(a.id);
      // An alert that resolved (or was silenced) while its first notice waited is not announced.
      const list =
        g.kind === 'firing'
          ? g.alerts.filter((a) => a.state !== 'resolved' && !this.deps.silences?.covering(a, now))
          : g.alerts;
      if (list.length > 0) this.send(list, g.kind, g.channels, now);
    }
  }

  private send(list: Alert[], kind: AlertNoticeKind, channels: string[], now: number): void {
    const notice = renderNotice(
      [...list].sort((x, y) => x.zone.localeCompare(y.zone)),
      kind,
      this.ctx(now),
    );
    this.deps.dispatcher.send(notice, channels);
    for (const a of list) {
      if (kind === 'resolved') {
        a.resolvedNotified = true;
        this.pendingResolved.delete(a.id);
      } else {
        a.notifiedAt = now;
        a.notifiedSeverity = a.severity;
      }
      delete a.heldUntil;
      a.notifyCount++;
      this.deps.book.save(a);
    }
  }

  private channelsOf(a: Alert): string[] {
    return routeChannels(a, this.deps.routes, this.deps.dispatcher.channels()).sort();
  }

  private ctx(now: number): RenderContext {
    const { pageUrl, wallUrl } = this.deps;
    return {
      lang: this.deps.lang,
      now,
      zoneName: (z) => this.deps.zoneName(z),
      ...(pageUrl ? { pageUrl: (ids: readonly number[]) => pageUrl(ids, now) } : {}),
      ...(wallUrl ? { wallUrl } : {}),
    };
  }
}
