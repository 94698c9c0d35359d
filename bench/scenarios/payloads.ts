/**
 * Scenario 7 (issue 11): what the service keeps after `count` messages of 60 KB, each on a topic of
 * its own. Every new topic is a new sensor, whose state (latest value, rollups, rules, zone status)
 * the service rightly keeps, so the figure is the RSS growth with 60 KB payloads MINUS the growth
 * with 200 B payloads on the same number of new topics: what the payload size alone left behind.
 * Each size gets a fresh service child; RSS is read after 4 × (gc + 400 ms) before and after.
 */
import { Child, progress } from '../lib/child.js';
import { countSqlite, startService } from '../lib/service.js';
import { spread } from '../lib/stats.js';
import type { BenchEnv } from '../lib/types.js';
import { mb } from './ingest.js';
import { timeoutFor } from './throughput.js';

const SMALL = 200;
const LARGE = 61_440;
/** the target: MB of RSS the large payloads may leave beyond the small ones */
const TARGET_MB = 20;

interface Settled {
  ev: 'settled';
  gc: boolean;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

interface PayloadRun {
  rss: number;
  heap: number;
  arrayBuffersAfter: number;
  readings: number;
  stored: number;
  publishMs: number;
}

async function payloadRun(env: BenchEnv, count: number, size: number): Promise<PayloadRun> {
  const svc = await startService(env, {
    store: 'embedded',
    // every message is a new series: admit them all (the default cap is 10,000)
    config: { ingest: { maxUnregisteredSeries: Math.max(20_000, 2 * count) } },
    execArgv: ['--expose-gc'],
  });
  let before: Settled;
  let after: Settled;
  let readings = 0;
  let publishMs = 0;
  try {
    before = await svc.child.ask<Settled>({ cmd: 'settle' }, 'settled', 30_000);
    if (!before.gc) throw new Error('the service has no global.gc (--expose-gc)');
    const pub = new Child('publisher', 'publisher.ts');
    try {
      await pub.ask(
        {
          cmd: 'run',
          url: env.broker.url,
          mode: 'distinct',
          qos: 1,
          sensors: count,
          connections: 1,
          count,
          size,
        },
        'ready',
        30_000,
      );
      const reached = svc.child.ask<{ ev: string; readings: number }>(
        { cmd: 'wait', readings: count },
        'reached',
        timeoutFor(count),
      );
      const done = pub.next<{ ev: string; t0: number; t1: number }>('done', timeoutFor(count));
      pub.send({ cmd: 'go' });
      const d = await done;
      publishMs = d.t1 - d.t0;
      const counters = await reached.catch(async (err: unknown) => {
        progress(`payloads: not every reading arrived in time (${(err as Error).message})`);
        return svc.child.ask<{ ev: string; readings: number }>({ cmd: 'stats' }, 'stats', 10_000);
      });
      readings = counters.readings;
    } finally {
      await pub.stop(5000);
    }
    after = await svc.child.ask<Settled>({ cmd: 'settle' }, 'settled', 30_000);
  } finally {
    await svc.child.stop(30_000);
  }
  return {
    rss: after.rss - before.rss,
    heap: after.heapUsed - before.heapUsed,
    arrayBuffersAfter: after.arrayBuffers,
    readings,
    stored: countSqlite(svc.dataDir),
    publishMs,
  };
}

export async function payloads(env: BenchEnv): Promise<void> {
  const count = env.sizes.payloadTopics;
  const small: PayloadRun[] = [];
  const large: PayloadRun[] = [];
  const n = env.opts.quick ? 1 : env.opts.runs; // --quick: a smoke test of the harness
  for (let i = 0; i < n; i++) {
    for (const [size, runs] of [
      [SMALL, small],
      [LARGE, large],
    ] as const) {
      progress(`payloads, run ${i + 1}/${n}: ${count} new topics × ${size} B`);
      const r = await payloadRun(env, count, size);
      runs.push(r);
      progress(
        `  RSS +${mb(r.rss).toFixed(1)} MB, heap +${mb(r.heap).toFixed(1)} MB, arrayBuffers ${mb(r.arrayBuffersAfter).toFixed(1)} MB, published in ${(r.publishMs / 1000).toFixed(1)} s, stored ${r.stored}/${count}`,
      );
      if (r.stored < count)
        env.failures.push(`payloads ${size} B run ${i + 1}: ${count - r.stored} readings lost`);
    }
  }
  const scenario = `7 payloads, ${count.toLocaleString('en-US')} new topics`;
  const label = (size: number) => (size >= 1024 ? `${size / 1024} KB` : `${size} B`);
  const note = (runs: PayloadRun[]) =>
    `heap +${spread(runs.map((r) => mb(r.heap))).median.toFixed(1)} MB; arrayBuffers after ${spread(runs.map((r) => mb(r.arrayBuffersAfter))).median.toFixed(1)} MB; ${runs.reduce((n, r) => n + r.stored, 0)}/${runs.length * count} readings stored`;
  for (const [size, runs] of [
    [SMALL, small],
    [LARGE, large],
  ] as const) {
    env.rows.push({
      scenario,
      figure: `RSS growth, ${label(size)} payloads (after gc)`,
      unit: 'MB',
      value: spread(runs.map((r) => mb(r.rss))),
      verdict: 'info',
      note: note(runs),
    });
  }
  // paired: each 60 KB run against the 200 B run just before it
  const kept = spread(large.map((r, i) => mb(r.rss - small[i]!.rss)));
  env.rows.push({
    scenario,
    figure: `RSS kept after ${count.toLocaleString('en-US')} new topics × ${label(LARGE)} payloads, beyond the same with ${label(SMALL)}`,
    unit: 'MB',
    value: kept,
    target: `≤ ${TARGET_MB} MB`,
    verdict: kept.median <= TARGET_MB ? 'ok' : 'MISSED',
    note: `heap ${signed(spread(large.map((r, i) => mb(r.heap - small[i]!.heap))).median)} MB of it; median of ${n} paired run${n === 1 ? '' : 's'}`,
  });
}

function signed(v: number): string {
  const s = v.toFixed(1);
  return s === '-0.0' ? '0.0' : v > 0 ? `+${s}` : s;
}
