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
  rate: number;
  received: number;
  sent: number;
  peakRss: number;
}

export async function ceilingRun(env: BenchEnv, qos: 0 | 1, count: number): Promise<CeilingRun> {
  const counter = new Child('ceiling', 'counter.ts');
  try {
    await counter.ask({ cmd: 'subscribe', url: env.broker.url, qos, expect: count }, 'ready', 30_000);
    const pub = await publisher(env.broker.url, env.sizes, { mode: 'burst', count }, timeoutFor(count));
    try {
      const reached = counter.next<{ ev: string; tLast: number; count: number; peakRss: number }>(
        'reached',
        timeoutFor(count),
      );
      const done = await pub.go();
      const r = await reached.catch(async () => {
        // not all arrived: report what did (a broker that drops is not Kaiteki's loss, but it is shown)
        await sleep(1000);
        return counter.ask<{ ev: string; tLast: number; count: number; peakRss: number }>(
          { cmd: 'stats' },
          'stats',
          10_000,
        );
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
  } finally {
    await counter.stop();
  }
}

export interface IngestRun {
  /** messages per second, first publish → last reading stored */
  rate: number;
  /** messages per second, first publish → last reading durably accepted (InfluxDB: in the outbox) */
  acceptRate: number;
  expected: number;
  stored: number;
  peakRss: number;
  parts: string[];
  storeKind: string;
}

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
  const expected = count * QUANTITIES_PER_MESSAGE;
  let counters: ServiceCounters;
  let t0 = 0;
  let tEnd = 0;
  let stored = 0;
  try {
    const pub = await publisher(env.broker.url, env.sizes, { mode: 'burst', count }, timeoutFor(count));
    try {
      const reached = svc.child.ask<ServiceCounters & { ev: string }>(
        { cmd: 'wait', readings: expected },
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
      // stored = visible in InfluxDB, which the drainer reaches after the outbox
      const deadline = Date.now() + timeoutFor(count);
      for (;;) {
        stored = await countInflux(store.url, svc.database!);
        if (stored >= expected || Date.now() > deadline) break;
        await sleep(50);
      }
      tEnd = Date.now();
    }
  } finally {
    await svc.child.stop(30_000);
  }
  if (store.kind === 'embedded') stored = countSqlite(svc.dataDir);
  return {
    rate: count / ((tEnd - t0) / 1000),
    acceptRate: count / ((counters.tLast - t0) / 1000),
    expected,
    stored,
    peakRss: counters.peakRss,
    parts: svc.ready.parts,
    storeKind: svc.ready.store,
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
