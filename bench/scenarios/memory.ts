/**
 * Scenario 6: memory of the service at the fleet's size. Peak RSS of the
 * max-rate ingest runs and of the steady run (without and with the HTTP
 * scenario), against the raw subscriber's peak; and the RSS trend of the
 * steady ingest: least-squares slope after the warm-up, plus the heap's
 * floor (lowest heapUsed, i.e. right after a GC) early and late, which a
 * leak raises. "Growth" = slope > 0.5 MB/min and the last third's lowest RSS
 * more than 5 % above the first third's highest.
 */
import { ratio, slope, spread } from '../lib/stats.js';
import type { BenchEnv } from '../lib/types.js';
import { ceilingPeaks, ingestPeaks, mb } from './ingest.js';

export function memoryRows(
  env: BenchEnv,
  m: {
    ingestOnlyPeak: number;
    steadyPeak: number;
    timeline: { t: number; rss: number; heap: number }[];
    tStart: number;
    tEnd: number;
    steadyRate: number;
    expected: number;
    storedCount: number;
  },
): void {
  const baseline = { name: 'raw subscriber', value: spread(ceilingPeaks.map(mb)) };
  if (ingestPeaks.length > 0) {
    const v = spread(ingestPeaks.map(mb));
    env.rows.push({
      scenario: `6 memory, ${env.sizes.sensors} sensors`,
      figure: 'peak RSS, max-rate ingest runs',
      unit: 'MB',
      value: v,
      baseline,
      ratio: spread(ingestPeaks.map((p, i) => ratio(p, ceilingPeaks[i] ?? Number.NaN))),
      target: '< 200 MB',
      verdict: v.max < 200 ? 'ok' : 'MISSED',
    });
  }
  for (const [figure, bytes] of [
    [`peak RSS, steady ${m.steadyRate} msg/s`, m.ingestOnlyPeak],
    [`peak RSS, steady ${m.steadyRate} msg/s + HTTP scenario`, m.steadyPeak],
  ] as const) {
    const peak = mb(bytes);
    env.rows.push({
      scenario: `6 memory, ${env.sizes.sensors} sensors`,
      figure,
      unit: 'MB',
      value: spread([peak]),
      baseline,
      ratio: spread([ratio(peak, baseline.value.median)]),
      target: '< 200 MB',
      verdict: peak < 200 ? 'ok' : 'MISSED',
    });
  }
  // growth: least-squares slope of the steady ingest (after the warm-up, before the HTTP scenario)
  const used = m.timeline.filter((p) => p.t >= m.tStart && p.t <= m.tEnd);
  const s = slope(used.map((p) => ({ x: (p.t - m.tStart) / 60_000, y: mb(p.rss) })));
  const minutes = used.length > 1 ? (used[used.length - 1]!.t - used[0]!.t) / 60_000 : 0;
  const third = Math.floor(used.length / 3);
  const firstThird = used.slice(0, third).map((p) => p.rss);
  const lastThird = used.slice(-third).map((p) => p.rss);
  const grew = third > 0 && mb(Math.min(...lastThird)) > mb(Math.max(...firstThird)) * 1.05 && s > 0.5;
  // the heap's floor (lowest heapUsed, i.e. after a GC) in the first and last third: a leak raises it
  const floor = (ps: { heap: number }[]) => mb(Math.min(...ps.map((p) => p.heap)));
  const heapNote =
    third > 0
      ? `heap floor ${floor(used.slice(0, third)).toFixed(0)} → ${floor(used.slice(-third)).toFixed(0)} MB; `
      : '';
  const soaked = env.opts.soakMinutes >= 10;
  env.rows.push({
    scenario: `6 memory, ${env.sizes.sensors} sensors`,
    figure: `RSS trend over ${minutes.toFixed(1)} min steady ingest`,
    unit: 'MB/min',
    value: spread([s]),
    target: 'no growth trend over a 10-min soak',
    verdict: soaked ? (grew ? 'MISSED' : 'ok') : 'info',
    note: `${soaked ? '' : 'short run, not a soak (use --soak 10); '}${heapNote}RSS ${mb(used[0]?.rss ?? 0).toFixed(0)} → ${mb(used[used.length - 1]?.rss ?? 0).toFixed(0)} MB; ${m.storedCount}/${m.expected} readings stored`,
  });
}
