import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ServiceSpec } from '../service.js';
import { Child, COMPILED_BENCH_DIR } from './child.js';
import { ALARM, SENSORS_PER_ZONE, SITE, zoneOf } from './fleet.js';
import type { BenchEnv } from './types.js';

export interface ServiceReady {
  ev: 'ready';
  url: string;
  store: string;
  parts: string[];
  seeded: number;
  pid: number;
}

export interface ServiceCounters {
  readings: number;
  events: number;
  tFirst: number;
  tLast: number;
  rss: number;
  peakRss: number;
  alerts: number;
}

/**
 * Node flags of `npm start` (package.json) and the systemd unit: a 1 GiB old-space limit. Below
 * 2 GiB V8 grows the heap less eagerly before a full collection, which is what kept steady ingest's
 * RSS above 200 MB (garbage waiting for the next mark-compact, not live data).
 */
export const SERVICE_NODE_FLAGS = ['--max-old-space-size=1024'];

/**
 * Environment of the service as the systemd unit sets it. glibc's malloc serves allocations from
 * 32 KB up with mmap, so a freed large message buffer (mqtt.js keeps one per packet) goes back to
 * the OS instead of staying in the heap arena: without it, 10,000 messages of 60 KB left 18–28 MB
 * of RSS that nothing in the process used (scenario `payloads`; 2–4 MB with it). Other C libraries
 * ignore it.
 */
export const SERVICE_ENV: Record<string, string> = { MALLOC_MMAP_THRESHOLD_: '32768' };

let serial = 0;

/**
 * A realistic rule set, so ingest runs "with rules on": comfort limits on
 * every zone (the fleet's values stay inside them), the day-average CO2
 * rule, staleness, plus the alarm rule the latency scenario drives (no
 * pending period, no clear hold).
 */
export function writeRules(dir: string): string {
  const file = join(dir, 'rules.yaml');
  // JSON is YAML.
  const rules = {
    rules: [
      {
        id: 'comfort.temperature.high',
        category: 'comfort',
        quantity: 'temperature',
        above: 'limits.temperature.max',
      },
      {
        id: 'comfort.temperature.low',
        category: 'comfort',
        quantity: 'temperature',
        below: 'limits.temperature.min',
      },
      {
        id: 'comfort.co2.day',
        kind: 'day_average',
        category: 'comfort',
        quantity: 'co2',
        above: 'limits.co2.max',
      },
      { id: 'sensor.stale', kind: 'stale', category: 'sensor' },
      {
        id: 'bench.alarm',
        category: 'comfort',
        severity: 'critical',
        quantity: ALARM.quantity,
        above: ALARM.above,
        zones: [ALARM.zone],
        for: 0,
        readings: 1,
        clearFor: 0,
      },
    ],
  };
  writeFileSync(file, JSON.stringify(rules, null, 2));
  return file;
}

/** The service config for the bench: site `bench`, the fleet's zones, ephemeral ports, quiet logs. */
export function serviceConfig(
  env: BenchEnv,
  opts: ServiceOptions,
): { config: Record<string, unknown>; dataDir: string } {
  const n = ++serial;
  const dataDir = join(env.tmp, `service-${n}`);
  mkdirSync(dataDir, { recursive: true });
  const zones = [...new Set(Array.from({ length: env.sizes.sensors }, (_, i) => zoneOf(i))), ALARM.zone];
  const config: Record<string, unknown> = {
    site: { id: SITE, name: { ja: 'ベンチ', en: 'Bench' } },
    // in use at every hour: the rules do the same work whatever time of day the bench runs
    zones: zones.map((id) => ({ id, name: { ja: id, en: id }, kind: 'office', inUse: 'always' })),
    http: { host: '127.0.0.1', port: 0 },
    inventory: { files: [] },
    mqtt: {
      url: env.broker.url,
      clientId: `kaiteki-bench-${process.pid}-${n}`,
      embedded: { host: '127.0.0.1', port: 0 },
    },
    store: {
      kind: opts.store,
      dataDir,
      ...(opts.influxUrl ? { influx: { url: opts.influxUrl, database: `bench${n}` } } : {}),
    },
    log: { level: 'warn' },
    alerts: { rulesFile: writeRules(dataDir), quietHours: { enabled: false }, tickSeconds: 1 },
    report: { schedule: { enabled: false } },
  };
  for (const [section, values] of Object.entries(opts.config ?? {})) {
    config[section] = { ...(config[section] as Record<string, unknown> | undefined), ...values };
  }
  return { dataDir, config };
}

/** What a scenario may set for its service child. */
export interface ServiceOptions {
  store: 'embedded' | 'influx-v1';
  influxUrl?: string;
  /** config sections merged over the bench's (one level deep), e.g. `{ ingest: { maxUnregisteredSeries: 20_000 } }` */
  config?: Record<string, Record<string, unknown>>;
}

/** Starts the service child and waits for it to be ready (subscribed, HTTP listening). */
export async function startService(
  env: BenchEnv,
  opts: ServiceOptions & {
    seed?: boolean;
    /** Node flags added to the service's (e.g. `--expose-gc`) */
    execArgv?: string[];
  },
): Promise<{ child: Child; ready: ServiceReady; dataDir: string; database?: string }> {
  const { config, dataDir } = serviceConfig(env, opts);
  const spec: ServiceSpec = { config };
  if (opts.seed) {
    spec.seedZone = {
      zone: zoneOf(0),
      sensors: Array.from(
        { length: Math.min(SENSORS_PER_ZONE, env.sizes.sensors) },
        (_, i) => `s${String(i + 1).padStart(4, '0')}`,
      ),
    };
  }
  // The service runs compiled (npm run build) with the heap flag, as `npm start` runs it in production.
  const child = new Child('service', 'service.ts', {
    compiled: existsSync(`${COMPILED_BENCH_DIR}service.js`),
    env: { ...SERVICE_ENV, BENCH_SERVICE: JSON.stringify(spec) },
    execArgv: [
      ...SERVICE_NODE_FLAGS,
      ...(opts.execArgv ?? []),
      ...(env.opts.profile ? ['--cpu-prof', '--cpu-prof-dir', env.profileDir] : []),
    ],
  });
  const ready = await child.next<ServiceReady>('ready', 60_000);
  const store = config.store as { influx?: { database: string } };
  return { child, ready, dataDir, ...(store.influx ? { database: store.influx.database } : {}) };
}

/** Readings in the embedded store, counted from the database file itself (read-only). */
export function countSqlite(dataDir: string): number {
  const db = new Database(join(dataDir, 'kaiteki.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
