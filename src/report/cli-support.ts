import type { Config } from '../config/schema.js';
import { createLogger } from '../core/log.js';
import { Metrics } from '../core/metrics.js';
import { createStore } from '../store/factory.js';
import type { TimeSeriesStore } from '../store/store.js';

/** A command-line mistake (exit code 2), as opposed to a failure while running. */
export class UsageError extends Error {}

/** Opens the configured store (embedded or InfluxDB) for a CLI command; logs go to stderr. */
export async function openStore(config: Config): Promise<{ store: TimeSeriesStore; close(): Promise<void> }> {
  const bundle = createStore(
    config,
    createLogger(config.log.level === 'info' ? 'warn' : config.log.level, 2),
    new Metrics(),
  );
  await bundle.open();
  return { store: bundle.store, close: () => bundle.close() };
}
