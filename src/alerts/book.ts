import type { CompiledRule } from '../rules/compile.js';
import type { RuleEvent } from '../rules/types.js';
import type { Alert, AlertLimit } from './alert.js';
import type { AlertStore } from './store.js';

/** An alert that changed state: what the bus, the notifications and the metrics see. */
export interface AlertChange {
  type: 'opened' | 'escalated' | 'acknowledged' | 'resolved';
  alert: Alert;
}

export type AckResult =
  | { ok: true; change?: AlertChange; alert: Alert }
  | { ok: false; reason: 'not_found' | 'resolved' };

/**
 * The alert lifecycle: turns the evaluator's transitions into alert records
 * (one open alert per rule and subject), acknowledgements, and resolutions,
 * and persists every state change at once. Peak and value updates are kept
 * in memory and written by `flush()` (the evaluator's tick), so nothing is
 * written per reading.
 */
export class AlertBook {
  private readonly open = new Map<string, Alert>();
  private readonly dirty = new Set<Alert>();

  constructor(
    private readonly store: AlertStore,
    private readonly limitOf: (rule: CompiledRule, ev: RuleEvent) => AlertLimit,
  ) {}

  /** Loads the alerts that were open before a restart. */
  load(): Alert[] {
    const list = this.store.openAlerts();
    for (const a of list) this.open.set(keyOf(a.ruleId, a.subject), a);
    return list;
  }

  /** Applies one evaluator transition; returns the change to announce, if any. */
  apply(ev: RuleEvent, rule: CompiledRule): AlertChange | undefined {
    const key = keyOf(ev.ruleId, ev.subject.key);
    const cur = this.open.get(key);
    switch (ev.type) {
      case 'fired': {
        if (cur) return this.raise(cur, ev);
        const draft: Omit<Alert, 'id'> = {
          ruleId: rule.id,
          kind: rule.kind,
          category: rule.category,
          severity: ev.severity,
          state: 'firing',
          subject: ev.subject.key,
          site: ev.subject.site,
          zone: ev.subject.zone,
          ...(ev.subject.sensor === undefined ? {} : { sensor: ev.subject.sensor }),
          ...(ev.subject.quantity === undefined ? {} : { quantity: ev.subject.quantity }),
          ...(rule.title ? { title: rule.title } : {}),
          ...(rule.advice ? { advice: rule.advice } : {}),
          openedAt: ev.since,
          firedAt: ev.ts,
          value: ev.value,
          peak: ev.peak,
          limit: this.limitOf(rule, ev),
          notifyCount: 0,
          resolvedNotified: false,
        };
        const alert: Alert = { ...draft, id: this.store.insert(draft) };
        this.open.set(key, alert);
        return { type: 'opened', alert };
      }
      case 'escalated':
        return cur ? this.raise(cur, ev) : undefined;
      case 'peak':
        if (cur) {
          cur.value = ev.value;
          cur.peak = ev.peak;
          this.dirty.add(cur);
        }
        return undefined;
      case 'resolved': {
        if (!cur) return undefined;
        cur.state = 'resolved';
        cur.resolvedAt = ev.ts;
        cur.resolveReason = ev.reason ?? 'cleared';
        cur.value = ev.value;
        if (!Number.isNaN(ev.peak)) cur.peak = ev.peak;
        this.store.update(cur);
        this.dirty.delete(cur);
        this.open.delete(key);
        return { type: 'resolved', alert: cur };
      }
    }
  }

  /** The open alert of this rule and subject, if any. */
  openFor(ruleId: string, subject: string): Alert | undefined {
    return this.open.get(keyOf(ruleId, subject));
  }

  /**
   * Opens an alert raised outside the rules engine (a calibration need), or
   * updates the open one of the same rule and subject in place (value, peak,
   * limit, title, advice, calibration; its state, acknowledgement and notices
   * stay). Returns 'opened' for a new alert, nothing for an update.
   */
  openOrUpdate(draft: Omit<Alert, 'id'>): AlertChange | undefined {
    const key = keyOf(draft.ruleId, draft.subject);
    const cur = this.open.get(key);
    if (cur) {
      cur.value = draft.value;
      cur.peak = draft.peak;
      cur.limit = draft.limit;
      if (draft.title) cur.title = draft.title;
      if (draft.advice) cur.advice = draft.advice;
      if (draft.calibration) cur.calibration = draft.calibration;
      this.store.update(cur);
      this.dirty.delete(cur);
      return undefined;
    }
    const alert: Alert = { ...draft, id: this.store.insert(draft) };
    this.open.set(key, alert);
    return { type: 'opened', alert };
  }

  /** Resolves an open alert raised outside the rules engine ('cleared'); nothing if none is open. */
  resolveOpen(
    ruleId: string,
    subject: string,
    ts: number,
    patch: Partial<Alert> = {},
  ): AlertChange | undefined {
    const key = keyOf(ruleId, subject);
    const cur = this.open.get(key);
    if (!cur) return undefined;
    Object.assign(cur, patch);
    cur.state = 'resolved';
    cur.resolvedAt = ts;
    cur.resolveReason = 'cleared';
    this.store.update(cur);
    this.dirty.delete(cur);
    this.open.delete(key);
    return { type: 'resolved', alert: cur };
  }

  /** Resolves an open alert whose rule no longer exists (rules file changed across a restart). */
  retire(alert: Alert, now: number): AlertChange {
    alert.state = 'resolved';
    alert.resolvedAt = now;
    alert.resolveReason = 'rule_removed';
    this.store.update(alert);
    this.open.delete(keyOf(alert.ruleId, alert.subject));
    return { type: 'resolved', alert };
  }

  /** Acknowledges an open alert (idempotent: acknowledging twice keeps the first who and when). */
  ack(id: number, by: string, now: number, comment?: string): AckResult {
    const alert = this.findOpen(id);
    if (!alert)
      return this.store.get(id) ? { ok: false, reason: 'resolved' } : { ok: false, reason: 'not_found' };
    if (alert.state === 'acknowledged') return { ok: true, alert };
    alert.state = 'acknowledged';
    alert.ackedAt = now;
    alert.ackedBy = by;
    if (comment) alert.ackComment = comment;
    this.store.update(alert);
    return { ok: true, alert, change: { type: 'acknowledged', alert } };
  }

  /** Persists notification bookkeeping or other in-place edits of an alert. */
  save(alert: Alert): void {
    this.store.update(alert);
    this.dirty.delete(alert);
  }

  /** Writes pending peak/value updates in one transaction. */
  flush(): void {
    if (this.dirty.size === 0) return;
    this.store.updateMany(this.dirty);
    this.dirty.clear();
  }

  active(): Alert[] {
    return [...this.open.values()];
  }

  findOpen(id: number): Alert | undefined {
    for (const a of this.open.values()) if (a.id === id) return a;
    return undefined;
  }

  private raise(cur: Alert, ev: RuleEvent): AlertChange | undefined {
    cur.value = ev.value;
    if (!Number.isNaN(ev.peak)) cur.peak = ev.peak;
    if (ev.severity === cur.severity) {
      this.dirty.add(cur);
      return undefined;
    }
    cur.severity = ev.severity;
    this.store.update(cur);
    return { type: 'escalated', alert: cur };
  }
}

function keyOf(ruleId: string, subject: string): string {
  return `${ruleId}|${subject}`;
}
