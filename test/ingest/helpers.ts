import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { Bus } from '../../src/core/bus.js';
import { ManualClock } from '../../src/core/clock.js';
import { LatestCache } from '../../src/core/latest.js';
import { silentLogger } from '../../src/core/log.js';
import { Metrics } from '../../src/core/metrics.js';
import type { Reading, SensorStatus } from '../../src/core/reading.js';
import { buildRouter } from '../../src/ingest/formats/registry.js';
import { Ingestor } from '../../src/ingest/ingestor.js';
import type { FormatRouter } from '../../src/ingest/router.js';
import { Inventory, type Sensor } from '../../src/inventory/inventory.js';
import { sensorSchema } from '../../src/inventory/schema.js';

export const NOW = Date.parse('2026-01-15T01:00:00Z');

export interface FixtureMessage {
  id: string;
  doc: string;
  topic: string;
  payload: string;
}

/** The documented messages of a format, by id (test/fixtures/formats/<format>/messages.json). */
export function fixtures(format: string): Record<string, FixtureMessage> {
  const url = new URL(`../fixtures/formats/${format}/messages.json`, import.meta.url);
  const file = JSON.parse(readFileSync(url, 'utf8')) as { messages: FixtureMessage[] };
  return Object.fromEntries(file.messages.map((m) => [m.id, m]));
}

/** An inventory sensor as loadInventory would make it (validated by the schema). */
export function sensor(raw: Record<string, unknown>): Sensor {
  const s = sensorSchema.parse(raw);
  return { ...s, site: s.site ?? 'default', intervalSeconds: s.intervalSeconds ?? 60, file: 'test.yaml' };
}

export function testConfig(over: Record<string, unknown> = {}): Config {
  return parseConfig(over, 'test', {});
}

/** A real Ingestor over a router built from the given inventory, collecting what comes out. */
export function harness(sensors: Sensor[], config = testConfig()) {
  const inventory = new Inventory(sensors);
  const router: FormatRouter = buildRouter(config, inventory);
  const bus = new Bus();
  const clock = new ManualClock(NOW);
  const readings: Reading[] = [];
  const statuses: SensorStatus[] = [];
  const rejected: { reason: string; detail: string; topic: string }[] = [];
  bus.on('readings', (r) => readings.push(...r));
  bus.on('status', (s) => statuses.push(s));
  bus.on('rejected', (r) => rejected.push(r));
  const metrics = new Metrics();
  const ingestor = new Ingestor({
    config,
    inventory,
    router,
    sink: { acceptSync: () => {} },
    latest: new LatestCache(),
    bus,
    clock,
    log: silentLogger,
    metrics,
  });
  let t = NOW;
  const send = (topic: string, payload: string | Buffer, at?: number) => {
    t = at ?? t + 10_000; // by default far enough apart not to be deduplicated
    return ingestor.handle({
      topic,
      payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
      receivedAt: t,
    });
  };
  return { ingestor, router, readings, statuses, rejected, send, metrics, clock, inventory };
}

/** The value of each reading by quantity (the last one wins). */
export function byQuantity(readings: readonly Reading[]): Record<string, number> {
  return Object.fromEntries(readings.map((r) => [r.quantity, r.value]));
}
