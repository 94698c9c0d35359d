import type { Router } from 'express';
import type { AppContext, Extension, PartHealth } from '../core/context.js';
import { child } from '../core/log.js';
import { judgementOf } from '../core/status-service.js';
import { type ReportSources, sensorsOf } from './generate.js';
import { reportRouter } from './routes.js';
import { ReportSchedule } from './schedule.js';
import type { AlertFactSource } from './types.js';

export type { AlertFact, AlertFactSource, Report } from './types.js';

/**
 * The eco report as an app extension: `GET /api/reports/eco` and, when
 * `report.schedule.enabled`, the yearly and monthly cron jobs writing into
 * `report.dir`. `alertFacts` is the alerts part's adapter (none: no alerts).
 */
export function createReports(
  ctx: AppContext,
  alertFacts?: AlertFactSource,
): Extension & { schedule?: ReportSchedule } {
  const log = child(ctx.log, 'report');
  const cfg = ctx.config.report;
  const src: ReportSources = {
    config: ctx.config,
    store: ctx.store,
    clock: ctx.clock,
    sensors: sensorsOf(ctx.inventory),
    alertFacts,
    judgement: judgementOf(ctx),
  };
  const runs = ctx.metrics.counter('kaiteki_report_runs_total', 'scheduled eco report runs', [
    'kind',
    'result',
  ]);
  const router: Router = reportRouter({
    ...src,
    log,
    bus: ctx.bus,
    adminToken: ctx.config.secrets.adminToken,
  });
  let schedule: ReportSchedule | undefined;
  let lastError: string | undefined;
  return {
    name: 'reports',
    router,
    get schedule() {
      return schedule;
    },
    async start() {
      if (!cfg.schedule.enabled) return;
      schedule = new ReportSchedule(src, {
        dir: cfg.dir,
        yearly: cfg.schedule.yearly,
        monthly: cfg.schedule.monthly,
        formats: cfg.schedule.formats,
        log,
        onRun: (kind, ok) => {
          runs.inc({ kind, result: ok ? 'ok' : 'error' });
          lastError = ok ? undefined : `${kind} report failed (see logs)`;
        },
      });
      schedule.start();
    },
    async stop() {
      await schedule?.stop();
      schedule = undefined;
    },
    health(): PartHealth {
      const next = schedule?.nextRuns();
      return {
        ok: lastError === undefined,
        required: false,
        detail: { scheduled: schedule !== undefined, next, ...(lastError ? { error: lastError } : {}) },
      };
    },
  };
}
