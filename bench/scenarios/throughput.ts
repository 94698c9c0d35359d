/**
 * Scenarios 1 and 2: the raw-subscriber ceiling and ingest into Kaiteki, run
 * in pairs (ceiling, then Kaiteki) so a noisy neighbour hits both alike; the
 * ratio is taken per pair. Throughput = messages / (last received or stored −
 * first publish), all timestamps from the same machine clock.
 */
import { influxQl } from '../../test/helpers/influxd.js';
import { Child, progress, sleep } from '../lib/child.js';
import { QUANTITIES_PER_MESSAGE, SITE } from '../lib/fleet.js';
import { publisher } from '../lib/publish.js';
import { countSqlite, type ServiceCounters, startService } from '../lib/service.js';
import type { BenchEnv } from '../lib/types.js';

export interface CeilingRun {
  /** messages per second of the measured burst (the second one when `warm`) */
  rate: number;
  /** messages per second of the first burst after the subscriber started (= rate without `warm`) */
  coldRate: number;
  received: number;
  sent: number;
  peakRss: number;
}

interface CounterStats {
  ev: string;
  tLast: number;
  count: number;
  peakRss: number;
}

/**
 * The raw subscriber's rate for `count` messages. With `warm`, it first
 * takes one burst of the same size (timed as `coldRate`) and the figure is
 * the second burst, as for Kaiteki's runs: both sides measured warm.
 */
export async function ceilingRun(
  env: BenchEnv,
  qos: 0 | 1,
  count: number,
  warm = false,
): Promise<CeilingRun> {
  const counter = new Child('ceiling', 'counter.ts');
  try {
    await counter.ask({ cmd: 'subscribe', url: env.broker.url, qos, expect: count }, 'ready', 30_000);
    const first = await counterBurst(env, counter, count);
    if (!warm) return { ...first, coldRate: first.rate };
    await counter.ask({ cmd: 'reset', expect: count }, 'reset', 10_000);
    const second = await counterBurst(env, counter, count);
    return { ...second, coldRate: first.rate, peakRss: Math.max(first.peakRss, second.peakRss) };
  } finally {
    await counter.stop();
  }
}

async function counterBurst(
  env: BenchEnv,
  counter: Child,
  count: number,
): Promise<Omit<CeilingRun, 'coldRate'>> {
  const pub = await publisher(env.broker.url, env.sizes, { mode: 'burst', count }, timeoutFor(count));
  try {
    const reached = counter.next<CounterStats>('reached', timeoutFor(count));
    const done = await pub.go();
    const r = await reached.catch(async () => {
      // not all arrived: report what did (a broker that drops is not Kaiteki's loss, but it is shown)
      await sleep(1000);
      return counter.ask<CounterStats>({ cmd: 'stats' }, 'stats', 10_000);
    });
    return {
      rate: r.count / ((r.tLast - done.t0) / 1000),
      received: r.count,
      sent: done.sent,
      peakRss: r.peakRss,
    };
  } finally {
    await pub.close();
  }
}

export interface IngestRun {
  /** messages per second of the second burst, first publish → last reading stored */
  rate: number;
  /** messages per second of the second burst, first publish → last reading durably accepted (InfluxDB: in the outbox) */
  acceptRate: number;
  /** messages per second of the first burst after the service started (cold: JIT, every series new) */
  coldRate: number;
  expected: number;
  stored: number;
  peakRss: number;
  parts: string[];
  storeKind: string;
}

interface Burst {
  rate: number;
  acceptRate: number;
}

/**
 * Kaiteki's ingest: a fresh service takes two bursts of `count` messages
 * from the same fleet, each waited for until every reading is stored. The
 * first is the cold start (V8 still compiling, every series seen for the
 * first time, here and in InfluxDB); the second is the figure, as a
 * service that has been running meets a burst. Readings of both bursts
 * are counted in the store afterwards.
 */
export async function ingestRun(
  env: BenchEnv,
  count: number,
  store: { kind: 'embedded' } | { kind: 'influx-v1'; url: string },
): Promise<IngestRun> {
  const svc = await startService(env, {
    store: store.kind,
    ...(store.kind === 'influx-v1' ? { influxUrl: store.url } : {}),
  });
  if (store.kind === 'influx-v1' && svc.ready.store !== 'influx-v1') {
    await svc.child.stop();
    throw new NotMeasured(`the App still builds the "${svc.ready.store}" store for store.kind influx-v1`);
  }
  const perBurst = count * QUANTITIES_PER_MESSAGE;
  let stored = 0;
  let cold: Burst;
  let warm: Burst;
  let peakRss = 0;
  try {
    cold = await ingestBurst(env, svc, count, perBurst, store);
    const second = await ingestBurst(env, svc, count, 2 * perBurst, store);
    warm = second;
    peakRss = second.counters.peakRss;
    stored = second.stored;
  } finally {
    await svc.child.stop(30_000);
  }
  if (store.kind === 'embedded') stored = countSqlite(svc.dataDir);
  return {
    rate: warm.rate,
    acceptRate: warm.acceptRate,
    coldRate: cold.rate,
    expected: 2 * perBurst,
    stored,
    peakRss,
    parts: svc.ready.parts,
    storeKind: svc.ready.store,
  };
}

/** One burst into a running service; `total` = readings stored once it is in (all bursts so far). */
async function ingestBurst(
  env: BenchEnv,
  svc: Awaited<ReturnType<typeof startService>>,
  count: number,
  total: number,
  store: { kind: 'embedded' } | { kind: 'influx-v1'; url: string },
): Promise<Burst & { counters: ServiceCounters; stored: number }> {
  let counters: ServiceCounters;
  let t0 = 0;
  let tEnd = 0;
  let stored = 0;
  const pub = await publisher(env.broker.url, env.sizes, { mode: 'burst', count }, timeoutFor(count));
  try {
    const reached = svc.child.ask<ServiceCounters & { ev: string }>(
      { cmd: 'wait', readings: total },
      'reached',
      timeoutFor(count),
    );
    const done = await pub.go();
    t0 = done.t0;
    counters = await reached.catch(async (err: unknown) => {
      progress(`ingest: not every reading arrived in time (${(err as Error).message})`);
      return svc.child.ask<ServiceCounters & { ev: string }>({ cmd: 'stats' }, 'stats', 10_000);
    });
    tEnd = counters.tLast;
  } finally {
    await pub.close();
  }
  if (store.kind === 'influx-v1') {
    // stored = InfluxDB confirmed the write (HTTP 204: in its WAL, visible to queries), which the drainer
    // reaches after the outbox; the count below checks it, outside the timing (a count() of the whole
    // database takes InfluxDB tens of ms)
    const drained = await svc.child
      .ask<{ ev: string; t: number }>({ cmd: 'drained' }, 'drained', timeoutFor(count))
      .catch((err: unknown) => {
        progress(`ingest: the durable buffer did not drain in time (${(err as Error).message})`);
        return { ev: 'timeout', t: Date.now() };
      });
    tEnd = drained.t;
    const deadline = Date.now() + timeoutFor(count);
    for (;;) {
      stored = await countInflux(store.url, svc.database!);
      if (stored >= total || Date.now() > deadline) break;
      await sleep(50);
    }
  }
  return {
    rate: count / ((tEnd - t0) / 1000),
    acceptRate: count / ((counters.tLast - t0) / 1000),
    counters,
    stored,
  };
}

/** readings of the bench site in an InfluxDB 1.x database (one measurement per quantity) */
export async function countInflux(url: string, db: string): Promise<number> {
  const rows = await influxQl(
    url,
    db,
    `SELECT count("value") FROM "temperature","co2" WHERE "site" = '${SITE}'`,
  ).catch(() => [] as unknown[][]);
  return rows.reduce((n, r) => n + Number(r[1] ?? 0), 0);
}

/** no scenario waits forever: at least 1,000 msg/s, plus start-up slack */
export function timeoutFor(messages: number): number {
  return 30_000 + messages;
}

/** thrown when a scenario's parts do not exist yet; the row says "not measured: <why>" */
export class NotMeasured extends Error {}
