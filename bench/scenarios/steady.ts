/**
 * Scenarios 3, 4 and 6 under a steady load of `steadyRate` msg/s from the
 * fleet (plus the alarm sensor, flipping across its threshold every 250 ms):
 * publish → stored and publish → alert decision (p50 / p99 / max), HTTP
 * /api/latest and a 24-hour /api/series for one zone (p50 / p99), then RSS
 * over the steady ingest (and the --soak minutes). Baselines: the raw
 * subscriber's publish → received, subscribed beside Kaiteki in the same
 * windows; a static HTTP server serving the same bodies, in windows
 * alternating with Kaiteki's.
 */
import { Child, progress, sleep } from '../lib/child.js';
import { QUANTITIES_PER_MESSAGE, zoneOf } from '../lib/fleet.js';
import { publisher } from '../lib/publish.js';
import { countSqlite, startService } from '../lib/service.js';
import { type Percentiles, percentiles, ratio, spread } from '../lib/stats.js';
import type { BenchEnv } from '../lib/types.js';
import { ceilingPeaks } from './ingest.js';
import { memoryRows } from './memory.js';

const ALARM_EVERY_MS = 250;
const WARMUP_MS = 3000;
/** requests per URL and window at least, however slow (a p99 of one request says little) */
const MIN_REQUESTS = { quick: 3, full: 5 };

interface Stats {
  latency: Percentiles;
  alertLatency: Percentiles;
  alerts: number;
  peakRss: number;
  rssTimeline: { t: number; rss: number; heap: number }[];
}

export async function steady(env: BenchEnv): Promise<void> {
  const { runs } = env.opts;
  const { windowMs, steadyRate } = env.sizes;

  // --- Kaiteki, and the raw subscriber beside it on the same broker: both see the
  // same messages at the same moments, so a noisy neighbour hits both windows alike
  const svc = await startService(env, { store: 'embedded', seed: true });
  const counter = new Child('ceiling', 'counter.ts');
  await counter.ask({ cmd: 'subscribe', url: env.broker.url, qos: 1, latency: true }, 'ready', 30_000);
  const base: Percentiles[] = [];
  const soakMs = env.opts.soakMinutes * 60_000;
  // the HTTP windows last as long as the slowest request needs: the publisher is halted after them
  const durationMs = 30 * 60_000 + soakMs;
  progress(
    `steady: Kaiteki at ${steadyRate} msg/s (latency${soakMs ? `, soak ${env.opts.soakMinutes} min` : ''}, HTTP); parts: ${svc.ready.parts.join(', ')}`,
  );
  const pub = await publisher(
    env.broker.url,
    env.sizes,
    { mode: 'paced', rate: steadyRate, durationMs, alarmEveryMs: ALARM_EVERY_MS },
    120_000 + durationMs,
  );
  const tStart = Date.now();
  const done = pub.go();
  const ask = (cmd: Record<string, unknown>) => svc.child.ask<Stats & { ev: string }>(cmd, 'stats', 10_000);
  await sleep(WARMUP_MS);
  const stored: Percentiles[] = [];
  const alert: Percentiles[] = [];
  let alerts = 0;
  for (let i = 0; i < runs; i++) {
    await Promise.all([
      svc.child.ask({ cmd: 'reset' }, 'reset', 10_000),
      counter.ask({ cmd: 'reset' }, 'reset', 10_000),
    ]);
    await sleep(windowMs);
    const [s, c] = await Promise.all([
      ask({ cmd: 'stats' }),
      counter.ask<{ ev: string; latency: Percentiles; peakRss: number }>({ cmd: 'stats' }, 'stats', 10_000),
    ]);
    base.push(c.latency);
    stored.push(s.latency);
    alert.push(s.alertLatency);
    alerts += s.alertLatency.n;
    progress(
      `  window ${i + 1}: stored p99 ${s.latency.p99.toFixed(1)} ms (baseline ${base[i]!.p99.toFixed(1)}), alert p99 ${s.alertLatency.p99.toFixed(1)} ms (${s.alertLatency.n} decisions)`,
    );
  }

  ceilingPeaks.push(
    (await counter.ask<{ ev: string; peakRss: number }>({ cmd: 'stats' }, 'stats', 10_000)).peakRss,
  );
  await counter.stop();
  if (soakMs > 0) {
    progress(`soak: ${env.opts.soakMinutes} min at ${steadyRate} msg/s`);
    await sleep(soakMs);
  }
  const ingestOnlyPeak = (await ask({ cmd: 'stats' })).peakRss;
  const tHttp = Date.now();

  // --- HTTP under that load, paired with a static server serving the same bodies
  const latestUrl = `${svc.ready.url}/api/latest`;
  const seriesUrl = `${svc.ready.url}/api/series?zone=${zoneOf(0)}&from=-24h`;
  const bodies = { '/api/latest': await text(latestUrl), '/api/series': await text(seriesUrl) };
  const statics = new Child('static-http', 'counter.ts');
  const served = await statics.ask<{ ev: string; url: string }>({ cmd: 'serve', bodies }, 'serving', 30_000);
  const min = env.opts.quick ? MIN_REQUESTS.quick : MIN_REQUESTS.full;
  const http = {
    latest: [] as Percentiles[],
    series: [] as Percentiles[],
    bLatest: [] as Percentiles[],
    bSeries: [] as Percentiles[],
  };
  for (let i = 0; i < runs; i++) {
    const k = await httpWindow([latestUrl, seriesUrl], windowMs * 0.75, min);
    const b = await httpWindow(
      [`${served.url}/api/latest`, `${served.url}/api/series`],
      windowMs * 0.25,
      min,
    );
    http.latest.push(k[0]!);
    http.series.push(k[1]!);
    http.bLatest.push(b[0]!);
    http.bSeries.push(b[1]!);
    progress(
      `  HTTP window ${i + 1}: /api/latest p99 ${k[0]!.p99.toFixed(1)} ms, /api/series 24 h p99 ${k[1]!.p99.toFixed(1)} ms`,
    );
  }
  await statics.stop();
  pub.halt();

  const pubDone = await done;
  const final = await ask({ cmd: 'stats', timeline: true });
  await pub.close();
  await svc.child.stop(30_000);
  const storedCount = countSqlite(svc.dataDir);
  const expected = svc.ready.seeded + pubDone.sent * QUANTITIES_PER_MESSAGE + pubDone.alarms;
  if (storedCount < expected) env.failures.push(`steady run: ${expected - storedCount} readings lost`);

  // --- rows
  const pct = (ps: Percentiles[], k: keyof Percentiles) => spread(ps.map((p) => p[k]));
  const pair = (a: Percentiles[], b: Percentiles[], k: keyof Percentiles) =>
    spread(a.map((p, i) => ratio(p[k], b[i]![k])));
  const scen3 = `3 latency @ ${steadyRate} msg/s`;
  for (const k of ['p50', 'p99', 'max'] as const) {
    env.rows.push({
      scenario: scen3,
      figure: `publish → stored, ${k}`,
      unit: 'ms',
      value: pct(stored, k),
      baseline: { name: 'raw subscriber, same windows', value: pct(base, k) },
      ratio: pair(stored, base, k),
      verdict: 'info',
    });
  }
  if (alerts === 0) {
    env.rows.push({
      scenario: scen3,
      figure: 'publish → alert decision',
      unit: 'ms',
      target: 'p99 < 50 ms',
      verdict: 'not measured',
      note: `no bus 'alert' event for the alarm rule (alerts extension not running; parts: ${svc.ready.parts.join(', ')})`,
    });
  } else {
    for (const k of ['p50', 'p99', 'max'] as const) {
      const v = pct(alert, k);
      env.rows.push({
        scenario: scen3,
        figure: `publish → alert decision, ${k}`,
        unit: 'ms',
        value: v,
        baseline: { name: 'raw subscriber, same windows', value: pct(base, k) },
        ratio: pair(alert, base, k),
        ...(k === 'p99'
          ? { target: '< 50 ms', verdict: v.median < 50 ? ('ok' as const) : ('MISSED' as const) }
          : { verdict: 'info' as const }),
        ...(k === 'p50' ? { note: `${alerts} decisions` } : {}),
      });
    }
  }
  const scen4 = `4 HTTP @ ${steadyRate} msg/s ingest`;
  for (const [name, k, b] of [
    ['/api/latest (all sensors)', http.latest, http.bLatest],
    [`/api/series zone ${zoneOf(0)}, 24 h`, http.series, http.bSeries],
  ] as const) {
    for (const q of ['p50', 'p99'] as const) {
      env.rows.push({
        scenario: scen4,
        figure: `${name}, ${q}`,
        unit: 'ms',
        value: pct(k, q),
        baseline: { name: 'static server, same body', value: pct(b, q) },
        ratio: pair(k, b, q),
        verdict: 'info',
        ...(q === 'p50'
          ? {
              note: `${(Buffer.byteLength(name.startsWith('/api/latest') ? bodies['/api/latest'] : bodies['/api/series']) / 1024).toFixed(0)} KB per response, ${k.reduce((n, p) => n + p.n, 0)} requests`,
            }
          : {}),
      });
    }
  }
  memoryRows(env, {
    ingestOnlyPeak,
    steadyPeak: final.peakRss,
    timeline: final.rssTimeline,
    tStart: tStart + WARMUP_MS,
    tEnd: tHttp,
    steadyRate,
    expected,
    storedCount,
  });
}

async function text(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.text();
}

/** requests to each URL in turn, one at a time, for `ms` (and at least `min` each); percentiles per URL */
async function httpWindow(urls: string[], ms: number, min: number): Promise<Percentiles[]> {
  const samples = urls.map(() => [] as number[]);
  const end = Date.now() + ms;
  while (Date.now() < end || samples[0]!.length < min) {
    for (let i = 0; i < urls.length; i++) {
      const t = performance.now();
      const res = await fetch(urls[i]!);
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${urls[i]}: HTTP ${res.status}`);
      samples[i]!.push(performance.now() - t);
    }
  }
  return samples.map((s) => percentiles(s));
}
