import type { Router } from 'express';
import type { AuditLog } from '../audit/audit.js';
import type { Config } from '../config/schema.js';
import type { Inventory } from '../inventory/inventory.js';
import type { TimeSeriesStore } from '../store/store.js';
import type { Bus } from './bus.js';
import type { Clock } from './clock.js';
import type { Judgement } from './judgement.js';
import type { LatestCache } from './latest.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { Service } from './service.js';

/** What every part of the running app is given. */
export interface AppContext {
  config: Config;
  log: Logger;
  metrics: Metrics;
  bus: Bus;
  clock: Clock;
  store: TimeSeriesStore;
  inventory: Inventory;
  latest: LatestCache;
  /** the audit trail of admin actions: `ctx.audit?.record({ ...auditFrom(req), action, target })` (src/audit) */
  audit?: AuditLog;
  /** the one judgement (in use, limits, stale, daily mean): get it with judgementOf(ctx) (src/core/status-service.ts) */
  judgement?: Judgement;
}

/** Health of one part, merged into /healthz. `required` parts being down make it 503. */
export interface PartHealth {
  ok: boolean;
  required: boolean;
  detail?: Record<string, unknown>;
}

/**
 * A feature plugged into the app (rules, alerts, reports …), zigbee2mqtt-style:
 * started in its own try/catch so a failing one is logged and the rest run.
 */
export interface Extension extends Service {
  /** HTTP routes, mounted under /api */
  readonly router?: Router;
  health?(): PartHealth;
}

export type ExtensionFactory = (ctx: AppContext) => Extension;
