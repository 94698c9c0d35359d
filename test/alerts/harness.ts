import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Alerting } from '../../src/alerts/extension.js';
import { parseConfig } from '../../src/config/load.js';
import { Bus } from '../../src/core/bus.js';
import { ManualClock } from '../../src/core/clock.js';
import type { AppContext } from '../../src/core/context.js';
import { LatestCache } from '../../src/core/latest.js';
import { silentLogger } from '../../src/core/log.js';
import { Metrics } from '../../src/core/metrics.js';
import type { Quantity } from '../../src/core/quantities.js';
import { Inventory } from '../../src/inventory/inventory.js';
import type { Notice } from '../../src/notify/notifier.js';
import { BaseNotifier } from '../../src/notify/notifier.js';
import { NotifierRegistry } from '../../src/notify/registry.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { zones } from '../rules/helpers.js';

export const TOKEN = 'test-admin-token-0123456789';

/** A CO2 rule with short periods, as a YAML-shaped object. */
export const co2Rule = {
  id: 'comfort.co2',
  category: 'comfort',
  quantity: 'co2',
  above: 'limits.co2.max',
  clearMargin: 50,
  for: '5m',
  readings: 3,
  clearFor: '5m',
};

export class Capture extends BaseNotifier {
  readonly type = 'capture';
  readonly notices: Notice[] = [];
  async send(n: Notice): Promise<void> {
    this.notices.push(n);
  }
}

export interface Harness {
  ctx: AppContext;
  clock: ManualClock;
  alerting: Alerting;
  capture: Capture;
  dataDir: string;
  read(quantity: Quantity, value: number, ts?: number, zone?: string, sensor?: string): void;
  /** advance the clock, running the tick every 15 s */
  advance(ms: number): void;
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** An Alerting extension over a temp data dir, a ManualClock and a capturing "chat" channel. */
export async function harness(
  opts: {
    rules?: unknown[];
    alerts?: Record<string, unknown>;
    start?: number;
    dataDir?: string;
    registry?: NotifierRegistry;
    env?: Record<string, string>;
  } = {},
): Promise<Harness> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'kaiteki-alerts-'));
  const rulesFile = join(dataDir, 'rules.yaml');
  writeFileSync(rulesFile, stringify({ rules: opts.rules ?? [co2Rule] }));
  const config = parseConfig(
    {
      site: { id: 'takatsu' },
      zones,
      store: { dataDir },
      alerts: {
        rulesFile,
        channels: [{ type: 'webhook', name: 'chat', url: 'http://127.0.0.1:9/' }],
        ...opts.alerts,
      },
    },
    'test',
    { KAITEKI_ADMIN_TOKEN: TOKEN, ...opts.env },
  );
  const clock = new ManualClock(opts.start ?? Date.parse('2026-11-10T01:00:00Z')); // 10:00 JST, Tuesday
  const capture = new Capture('chat');
  const store = new SqliteStore(join(dataDir, 'kaiteki.db'));
  await store.open();
  const ctx: AppContext = {
    config,
    log: silentLogger,
    metrics: new Metrics(),
    bus: new Bus(),
    clock,
    store,
    inventory: new Inventory([]),
    latest: new LatestCache(),
  };
  const make = () =>
    new Alerting(ctx, opts.registry ?? new NotifierRegistry().register('webhook', () => capture));
  const h: Harness = {
    ctx,
    clock,
    capture,
    dataDir,
    alerting: make(),
    read(quantity, value, ts = clock.now(), zone = 'lobby', sensor = 'env-1') {
      ctx.bus.emit('readings', [{ site: 'takatsu', zone, sensor, quantity, value, ts, registered: true }]);
    },
    advance(ms) {
      const end = clock.now() + ms;
      while (clock.now() + 15_000 <= end) {
        clock.advance(15_000);
        h.alerting.tick();
      }
      clock.set(end);
      h.alerting.tick();
    },
    async restart() {
      await h.alerting.stop();
      h.alerting = make();
      await h.alerting.start();
    },
    async close() {
      await h.alerting.stop();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await h.alerting.start();
  return h;
}
