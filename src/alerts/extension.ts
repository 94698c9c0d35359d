import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Router } from 'express';
import type { CalibrationNeed } from '../core/bus.js';
import { Calendar } from '../core/calendar.js';
import type { AppContext, Extension, PartHealth } from '../core/context.js';
import { errorMessage } from '../core/errors.js';
import { HOUR_MS, jstDayStart } from '../core/jst.js';
import { child, type Logger } from '../core/log.js';
import { type Reading, seriesKey } from '../core/reading.js';
import { judgementOf } from '../core/status-service.js';
import { type LinkCheck, type LinkSigner, linkSigner } from '../http/links.js';
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
import { applyCalibration, CALIBRATION_RULE } from './calibration.js';
import { AlertNotifications } from './notifications.js';
import { alertRouter, type SilenceRequest, type SilenceResult } from './router.js';
import { SilenceService } from './silence-service.js';
import { SilenceStore, silenceJson } from './silences.js';
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
  private silenceStore?: SilenceStore;
  private silenceService?: SilenceService;
  private signer?: LinkSigner;
  private readonly wakers = new Set<NodeJS.Timeout>();
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
      held: mx.counter('kaiteki_notify_held_total', 'Notices held by quiet hours (once per alert)', [
        'event',
      ]),
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
      {
        list: (f) => this.listAlerts(f),
        ack: (id, by, comment) => this.ack(id, by, comment),
        silences: () => this.listSilences(),
        silence: (req) => this.silence(req),
        endSilence: (id, ids) => this.endSilence(id, ids),
        verifyLink: (token) => this.verifyLink(token),
        audit: (entry) => ctx.audit?.record(entry),
      },
      ctx.config.secrets.adminToken,
    );
  }

  async start(): Promise<void> {
    const { config, clock, inventory } = this.ctx;
    const cfg = config.alerts;
    if (!cfg.enabled) return;
    const calendar = new Calendar(config.hours);
    const judgement = judgementOf(this.ctx); // (H12) the one judgement: in use, daily mean
    const rules = loadRules(resolve(cfg.rulesFile), config, judgement, inventory.staleAfterIntervals);
    const expectedMs = (site: string, sensor: string) =>
      (inventory.get(site, sensor)?.intervalSeconds ?? config.inventory.defaultIntervalSeconds) * 1000;
    const engine = new Engine(rules, expectedMs, {
      staleAfterIntervals: inventory.staleAfterIntervals,
      judgement,
      availability: (site, sensor) => this.ctx.latest.status(site, sensor)?.online,
    });
    this.engine = engine;
    const store = new AlertStore(join(config.store.dataDir, 'alerts.db'));
    store.open();
    this.store = store;
    const silences = new SilenceStore(store.database);
    this.silenceStore = silences;
    const base = (cfg.publicUrl ?? `http://${hostname()}:${config.http.port}`).replace(/\/+$/, '');
    const expiryMs = cfg.linkExpiryDays * 86_400_000;
    const langQuery = cfg.language === 'en' ? '&lang=en' : '';
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
      zoneName: (z) => this.zoneNames.get(z),
      pageUrl: (ids, at) => `${base}/alerts?t=${this.links().sign(ids, at + expiryMs)}${langQuery}`,
      wallUrl: `${base}/${cfg.language === 'en' ? '?lang=en' : ''}`,
      silences,
      groupMs: cfg.groupSeconds * 1000,
      log: child(this.ctx.log, 'notify'),
      onHeld: (event) => this.m.held.inc({ event }),
      wake: (ms) => {
        const t = setTimeout(() => {
          this.wakers.delete(t);
          this.tick();
        }, ms + 20);
        t.unref();
        this.wakers.add(t);
      },
    });
    this.silenceService = new SilenceService({
      silences,
      book,
      store,
      notifications: this.notifications,
      clock,
      log: this.log,
      siteId: config.site.id,
      maxSilenceHours: cfg.maxSilenceHours,
      zoneName: (z) => this.zoneNames.get(z),
      tick: () => this.tick(),
    });
    const now = clock.now();
    // A restart continues open alerts (same id) instead of opening duplicates.
    const retired: AlertChange[] = [];
    for (const a of book.load()) {
      // calibration alerts are no rule's: they stay open until an official measurement within tolerance
      if (a.ruleId === CALIBRATION_RULE) continue;
      const info = { since: a.openedAt, firedAt: a.firedAt, severity: a.severity, peak: a.peak };
      if (!engine.seed(a.ruleId, subjectOf(a), info, now)) retired.push(book.retire(a, now));
    }
    this.notifications.loadPending(store.pendingNotices());
    for (const s of inventory.sensors) engine.watchSensor(s.site, s.zone, s.id, now);
    for (const r of this.ctx.latest.all()) engine.watchSensor(r.site, r.zone, r.sensor, now);
    for (const c of retired) this.announce(c, now);
    this.tick(); // resolves day-average alerts of a day that ended while we were down
    await this.restoreDayAverages(now);
    const offs = [
      this.ctx.bus.on('readings', (rs) => this.onReadings(rs)),
      this.ctx.bus.on('calibration', (n) => this.onCalibration(n, true)),
      this.ctx.bus.on('calibrated', (n) => this.onCalibration(n, false)),
    ];
    this.unsubscribe = () => {
      for (const off of offs) off();
    };
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
    for (const t of this.wakers) clearTimeout(t);
    this.wakers.clear();
    try {
      this.book?.flush();
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'could not write the last alert updates');
    }
    await this.dispatcher?.close();
    this.store?.close();
    this.book = undefined;
    this.engine = undefined;
    this.silenceService = undefined;
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
      .map((a) => {
        const json = alertJson(a, now, this.zoneNames.get(a.zone));
        // An open alert under a silence in force says so (the page and the wall show it).
        const s = a.state === 'resolved' ? undefined : this.silenceStore?.covering(a, now);
        return s ? { ...json, silence: silenceJson(s, now) } : json;
      });
  }

  /** Alerts opened in [from, to), for the report. */
  history(from: number, to: number): AlertHistoryRow[] {
    return this.store?.history(from, to) ?? [];
  }

  ack(id: number, by: string, comment?: string): AckResult | undefined {
    if (!this.book) return undefined;
    const now = this.ctx.clock.now();
    const result = this.book.ack(id, by, now, comment);
    if (result.ok && result.change) {
      this.log.info({ alert: id, by }, 'alert acknowledged');
      this.announce(result.change, now);
    }
    return result;
  }

  /** The link signer (KAITEKI_SECRET, else the key kept in the data dir). */
  links(): LinkSigner {
    this.signer ??= linkSigner(this.ctx.config.store.dataDir, this.ctx.config.secrets.linkSecret);
    return this.signer;
  }

  verifyLink(token: unknown): LinkCheck {
    return this.links().verify(token, this.ctx.clock.now());
  }

  /** Silences in force or to come, and those that ended in the last day (for the page and the wall). */
  listSilences(): ReturnType<SilenceService['list']> | undefined {
    return this.silenceService?.list();
  }

  /** Silences a sensor or a zone, from an alert (its sensor/zone) or, for the admin, named directly. */
  silence(req: SilenceRequest): SilenceResult | undefined {
    return this.silenceService?.set(req);
  }

  /** Ends a silence early; a link may end only silences set from one of its alerts. */
  endSilence(id: number, allowedAlerts?: readonly number[]): SilenceResult | undefined {
    return this.silenceService?.end(id, allowedAlerts);
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

  /** A sensor compared with the official measurement (./calibration.ts applyCalibration). */
  private onCalibration(n: CalibrationNeed, drifting: boolean): void {
    const { book, store } = this;
    if (!book || !store) return;
    try {
      applyCalibration(
        {
          book,
          store,
          log: this.log,
          announce: (change, now) => this.announce(change, now),
          updated: (a, now) =>
            this.ctx.bus.emit('alert', {
              type: 'updated',
              alert: alertJson(a, now, this.zoneNames.get(a.zone)),
            }),
        },
        n,
        drifting,
        this.ctx.clock.now(),
      );
    } catch (err) {
      this.m.errors.inc();
      this.log.error({ err: errorMessage(err) }, 'calibration alert failed');
    }
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
        // (H12) per zone and hour, as the judgement's daily mean weighs them
        const buckets = await this.ctx.store.query({ quantity, from: day, to: now + 1, step: HOUR_MS });
        for (const b of buckets)
          if (b.count > 0 && (newest.get(seriesKey(b)) ?? b.ts) >= b.ts)
            engine.restoreDayHour(quantity, b.site, b.zone, day, b.ts, b.mean * b.count, b.count, b.sensor);
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
