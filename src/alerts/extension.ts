import { join, resolve } from 'node:path';
import type { Router } from 'express';
import { Calendar } from '../core/calendar.js';
import type { AppContext, Extension, PartHealth } from '../core/context.js';
import { errorMessage } from '../core/errors.js';
import { HOUR_MS, jstDayStart } from '../core/jst.js';
import { child, type Logger } from '../core/log.js';
import { type Reading, seriesKey } from '../core/reading.js';
import { Dispatcher } from '../notify/dispatcher.js';
import { quietHours } from '../notify/policy.js';
import { defaultRegistry, type NotifierRegistry } from '../notify/registry.js';
import { type CompiledRule, loadRules } from '../rules/compile.js';
import { Engine } from '../rules/engine.js';
import type { RuleEvent, Subject } from '../rules/types.js';
import {
  type Alert,
  type AlertFilter,
  type AlertHistoryRow,
  type AlertJson,
  type AlertLimit,
  alertJson,
} from './alert.js';
import { type AckResult, AlertBook, type AlertChange } from './book.js';
import { AlertNotifications } from './notifications.js';
import { alertRouter } from './router.js';
import { AlertStore } from './store.js';

/**
 * Rules → alerts → notifications, as one extension. Subscribes to the bus's
 * 'readings', runs a tick (every alerts.tickSeconds) for time-based
 * transitions, persists alert changes in `<dataDir>/alerts.db`, emits every
 * change as an 'alert' bus event and serves /api/alerts.
 */
export class Alerting implements Extension {
  readonly name = 'alerts';
  readonly router: Router;
  private readonly log: Logger;
  private store?: AlertStore;
  private book?: AlertBook;
  private engine?: Engine;
  private notifications?: AlertNotifications;
  private dispatcher?: Dispatcher;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private readonly out: RuleEvent[] = [];
  private readonly zoneNames: Map<string, { ja: string; en: string }>;
  private readonly m;

  constructor(
    private readonly ctx: AppContext,
    private readonly registry: NotifierRegistry = defaultRegistry(),
  ) {
    this.log = child(ctx.log, 'alerts');
    this.zoneNames = new Map(ctx.config.zones.map((z) => [z.id, z.name]));
    const mx = ctx.metrics;
    this.m = {
      readings: mx.counter('kaiteki_alerts_readings_total', 'Readings evaluated by the alert rules'),
      transitions: mx.counter('kaiteki_alerts_transitions_total', 'Alert changes by rule and type', [
        'rule',
        'type',
      ]),
      errors: mx.counter('kaiteki_alerts_errors_total', 'Errors while evaluating rules or handling alerts'),
      evalSeconds: mx.histogram(
        'kaiteki_alerts_eval_seconds',
        'Time from a batch of readings reaching the rules to the alert decision',
        [],
        [0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      ),
      lag: mx.histogram(
        'kaiteki_alerts_decision_lag_seconds',
        'Reading timestamp to alert change, for changes decided on a reading',
      ),
    };
    const book = () => this.book?.active() ?? [];
    mx.gauge(
      'kaiteki_alerts_open',
      'Open alerts by state and severity',
      ['state', 'severity'],
      function (this) {
        this.reset();
        for (const a of book()) this.inc({ state: a.state, severity: a.severity });
      },
    );
    this.router = alertRouter(
      { list: (f) => this.listAlerts(f), ack: (id, by) => this.ack(id, by) },
      ctx.config.secrets.adminToken,
      ctx.audit,
    );
  }

  async start(): Promise<void> {
    const { config, clock, inventory } = this.ctx;
    const cfg = config.alerts;
    if (!cfg.enabled) return;
    const calendar = new Calendar(config.hours);
    const rules = loadRules(resolve(cfg.rulesFile), config, calendar, inventory.staleAfterIntervals);
    const expectedMs = (site: string, sensor: string) =>
      (inventory.get(site, sensor)?.intervalSeconds ?? config.inventory.defaultIntervalSeconds) * 1000;
    const engine = new Engine(rules, expectedMs, inventory.staleAfterIntervals);
    this.engine = engine;
    const store = new AlertStore(join(config.store.dataDir, 'alerts.db'));
    store.open();
    this.store = store;
    const book = new AlertBook(store, (rule, ev) => limitOf(rule, ev, expectedMs));
    this.book = book;
    const notifiers = this.registry.build(cfg.channels, {
      secrets: config.secrets,
      log: this.ctx.log,
      timeoutMs: cfg.retry.timeoutMs,
    });
    this.dispatcher = new Dispatcher(notifiers, cfg.retry, child(this.ctx.log, 'notify'), this.ctx.metrics);
    this.notifications = new AlertNotifications({
      book,
      dispatcher: this.dispatcher,
      policy: {
        isQuiet: quietHours(cfg.quietHours, calendar),
        quietMinSeverity: cfg.quietHours.minSeverity,
        repeatMs: cfg.repeatMinutes * 60_000,
        notifyResolved: cfg.notifyResolved,
      },
      routes: cfg.routes,
      lang: cfg.language,
      ...(cfg.publicUrl ? { publicUrl: cfg.publicUrl } : {}),
      zoneName: (z) => this.zoneNames.get(z),
    });
    const now = clock.now();
    // A restart continues open alerts (same id) instead of opening duplicates.
    const retired: AlertChange[] = [];
    for (const a of book.load()) {
      const info = { since: a.openedAt, firedAt: a.firedAt, severity: a.severity, peak: a.peak };
      if (!engine.seed(a.ruleId, subjectOf(a), info, now)) retired.push(book.retire(a, now));
    }
    this.notifications.loadPending(store.pendingNotices());
    for (const s of inventory.sensors) engine.watchSensor(s.site, s.zone, s.id, now);
    for (const r of this.ctx.latest.all()) engine.watchSensor(r.site, r.zone, r.sensor, now);
    for (const c of retired) this.announce(c, now);
    this.tick(); // resolves day-average alerts of a day that ended while we were down
    await this.restoreDayAverages(now);
    this.unsubscribe = this.ctx.bus.on('readings', (rs) => this.onReadings(rs));
    this.timer = setInterval(() => this.tick(), cfg.tickSeconds * 1000);
    this.timer.unref();
    this.log.info(
      { rules: rules.length, open: book.active().length, channels: this.dispatcher.channels() },
      'alerting started',
    );
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    try {
      this.book?.flush();
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'could not write the last alert updates');
    }
    await this.dispatcher?.close();
    this.store?.close();
    this.book = undefined;
    this.engine = undefined;
  }

  health(): PartHealth {
    const active = this.book?.active() ?? [];
    return {
      ok: this.store?.isOpen ?? false,
      required: false,
      detail: {
        firing: active.filter((a) => a.state === 'firing').length,
        acknowledged: active.filter((a) => a.state === 'acknowledged').length,
      },
    };
  }

  /** Alerts for the dashboard and the API, newest first; open alerts with their live value and peak. */
  listAlerts(filter: AlertFilter = {}): AlertJson[] | undefined {
    if (!this.store || !this.book) return undefined;
    const now = this.ctx.clock.now();
    return this.store
      .list(filter)
      .map((a) => this.book?.findOpen(a.id) ?? a)
      .map((a) => alertJson(a, now, this.zoneNames.get(a.zone)));
  }

  /** Alerts opened in [from, to), for the report. */
  history(from: number, to: number): AlertHistoryRow[] {
    return this.store?.history(from, to) ?? [];
  }

  ack(id: number, by: string): AckResult | undefined {
    if (!this.book) return undefined;
    const now = this.ctx.clock.now();
    const result = this.book.ack(id, by, now);
    if (result.ok && result.change) {
      this.log.info({ alert: id, by }, 'alert acknowledged');
      this.announce(result.change, now);
    }
    return result;
  }

  /** Runs time-based transitions and due notices (exposed for tests driving a ManualClock). */
  tick(): void {
    const { engine, book, notifications } = this;
    if (!engine || !book || !notifications) return;
    try {
      const now = this.ctx.clock.now();
      this.out.length = 0;
      engine.tick(now, this.out);
      this.handle(now, false);
      notifications.tick(now);
      book.flush();
    } catch (err) {
      this.m.errors.inc();
      this.log.error({ err: errorMessage(err) }, 'alert tick failed');
    }
  }

  /** Waits for notices under way (tests, shutdown). */
  async drain(): Promise<void> {
    await this.dispatcher?.drain();
  }

  private onReadings(rs: readonly Reading[]): void {
    const engine = this.engine;
    if (!engine) return;
    const t0 = performance.now();
    try {
      const now = this.ctx.clock.now();
      this.out.length = 0;
      for (let i = 0; i < rs.length; i++) engine.onReading(rs[i]!, now, this.out);
      if (this.out.length > 0) this.handle(now, true);
    } catch (err) {
      this.m.errors.inc();
      this.log.error({ err: errorMessage(err) }, 'rule evaluation failed');
    }
    this.m.readings.inc(rs.length);
    this.m.evalSeconds.observe((performance.now() - t0) / 1000);
  }

  private handle(now: number, fromReadings: boolean): void {
    const events = this.out.splice(0);
    for (const ev of events) {
      const rule = this.engine!.rule(ev.ruleId)!;
      const change = this.book!.apply(ev, rule);
      if (!change) continue;
      if (fromReadings) this.m.lag.observe(Math.max(0, now - ev.ts) / 1000);
      this.announce(change, now);
    }
  }

  private announce(change: AlertChange, now: number): void {
    this.m.transitions.inc({ rule: change.alert.ruleId, type: change.type });
    this.ctx.bus.emit('alert', {
      type: change.type,
      alert: alertJson(change.alert, now, this.zoneNames.get(change.alert.zone)),
    });
    this.notifications?.onChange(change, now);
  }

  /** Rebuilds today's running means (day-average rules) from the store after a restart. */
  private async restoreDayAverages(now: number): Promise<void> {
    const engine = this.engine!;
    const day = jstDayStart(now);
    const newest = new Map(this.ctx.latest.all().map((r) => [seriesKey(r), r.ts]));
    for (const quantity of new Set(engine.rules.map((r) => r.quantity))) {
      if (!quantity || !engine.hasDayAverage(quantity)) continue;
      try {
        const buckets = await this.ctx.store.query({ quantity, from: day, to: now + 1, step: HOUR_MS });
        const sums = new Map<string, { subject: Subject; sum: number; n: number; last: number }>();
        for (const b of buckets) {
          const key = seriesKey(b);
          const s = sums.get(key) ?? {
            subject: { key, site: b.site, zone: b.zone, sensor: b.sensor, quantity },
            sum: 0,
            n: 0,
            last: b.ts,
          };
          s.sum += b.mean * b.count;
          s.n += b.count;
          s.last = Math.max(s.last, b.ts);
          sums.set(key, s);
        }
        for (const [key, s] of sums)
          engine.restoreDay(quantity, s.subject, day, s.sum, s.n, newest.get(key) ?? s.last);
      } catch (err) {
        this.log.warn({ quantity, err: errorMessage(err) }, 'could not restore day averages from the store');
      }
    }
  }
}

function subjectOf(a: Alert): Subject {
  return {
    key: a.subject,
    site: a.site,
    zone: a.zone,
    ...(a.sensor === undefined ? {} : { sensor: a.sensor }),
    ...(a.quantity === undefined ? {} : { quantity: a.quantity }),
  };
}

function limitOf(
  rule: CompiledRule,
  ev: RuleEvent,
  expectedMs: (site: string, sensor: string) => number,
): AlertLimit {
  if (rule.kind === 'stale')
    return { staleMs: expectedMs(ev.subject.site, ev.subject.sensor ?? '') * rule.intervals };
  if (rule.kind === 'empty_zone') return {};
  const th = rule.thresholds(ev.subject.zone);
  return {
    ...(Number.isNaN(th.above) ? {} : { above: th.above }),
    ...(Number.isNaN(th.below) ? {} : { below: th.below }),
    ...(rule.inclusive ? { inclusive: true } : {}),
  };
}
