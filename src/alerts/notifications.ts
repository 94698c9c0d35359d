import type { Dispatcher } from '../notify/dispatcher.js';
import { renderNotice } from '../notify/messages.js';
import { dueNotice, type NotifyPolicy, routeChannels } from '../notify/policy.js';
import type { Alert } from './alert.js';
import type { AlertBook, AlertChange } from './book.js';
import type { RouteConfig } from './config.js';

export interface NotificationDeps {
  book: AlertBook;
  dispatcher: Dispatcher;
  policy: NotifyPolicy;
  routes: readonly RouteConfig[];
  lang: 'ja' | 'en';
  publicUrl?: string;
  zoneName(zone: string): { ja: string; en: string } | undefined;
}

/**
 * Decides, on every alert change and on every tick, which notice each alert
 * is due (first notice, escalation, reminder, resolved — see dueNotice) and
 * hands it to the dispatcher. What was announced is recorded on the alert
 * and persisted, so a restart neither repeats a notice nor loses a deferred one.
 */
export class AlertNotifications {
  /** resolved alerts whose resolved notice waits for quiet hours to end */
  private readonly pendingResolved = new Map<number, Alert>();

  constructor(private readonly deps: NotificationDeps) {}

  loadPending(list: readonly Alert[]): void {
    for (const a of list) this.pendingResolved.set(a.id, a);
  }

  onChange(change: AlertChange, now: number): void {
    if (change.type === 'acknowledged') return;
    this.consider(change.alert, now);
  }

  tick(now: number): void {
    for (const a of this.deps.book.active()) this.consider(a, now);
    for (const a of [...this.pendingResolved.values()]) this.consider(a, now);
  }

  private consider(a: Alert, now: number): void {
    const { policy, dispatcher, book } = this.deps;
    const kind = dueNotice(a, now, policy);
    if (kind === undefined) {
      if (a.state !== 'resolved') return;
      const waiting = a.notifiedAt !== undefined && !a.resolvedNotified && policy.notifyResolved;
      if (waiting) this.pendingResolved.set(a.id, a);
      else this.pendingResolved.delete(a.id);
      return;
    }
    const notice = renderNotice(a, kind, {
      lang: this.deps.lang,
      now,
      ...(this.deps.publicUrl ? { publicUrl: this.deps.publicUrl } : {}),
      ...zone(this.deps.zoneName(a.zone)),
    });
    dispatcher.send(notice, routeChannels(a, this.deps.routes, dispatcher.channels()));
    if (kind === 'resolved') {
      a.resolvedNotified = true;
      this.pendingResolved.delete(a.id);
    } else {
      a.notifiedAt = now;
      a.notifiedSeverity = a.severity;
    }
    a.notifyCount++;
    book.save(a);
  }
}

function zone(name: { ja: string; en: string } | undefined) {
  return name ? { zoneName: name } : {};
}
