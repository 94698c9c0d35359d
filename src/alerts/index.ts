import { join } from 'node:path';
import type { AppContext } from '../core/context.js';
import type { AlertHistoryRow } from './alert.js';
import { Alerting } from './extension.js';
import { AlertStore } from './store.js';

export type { Alert, AlertFilter, AlertHistory, AlertHistoryRow, AlertJson } from './alert.js';
export { Alerting } from './extension.js';

/** The alerting extension (rules, alert lifecycle, notifications, /api/alerts). */
export function createAlerting(ctx: AppContext): Alerting {
  return new Alerting(ctx);
}

/** Alerts opened in [from, to) read straight from `<dataDir>/alerts.db` (for the report CLI, without a running app). */
export function readAlertHistory(dataDir: string, from: number, to: number): AlertHistoryRow[] {
  const store = new AlertStore(join(dataDir, 'alerts.db'));
  store.open();
  try {
    return store.history(from, to);
  } finally {
    store.close();
  }
}
