/** Scenarios 1 (ceiling) and 2 (ingest): paired runs, rows for the table. */
import { INFLUXD, startInfluxd } from '../../test/helpers/influxd.js';
import { progress } from '../lib/child.js';
import { ratio, spread } from '../lib/stats.js';
import type { BenchEnv } from '../lib/types.js';
import { type CeilingRun, ceilingRun, type IngestRun, ingestRun, NotMeasured } from './throughput.js';

const MB = 1024 * 1024;

/** peak RSS of every embedded ingest run, for the memory rows */
export const ingestPeaks: number[] = [];
/** peak RSS of the raw subscriber runs (the memory baseline) */
export const ceilingPeaks: number[] = [];

export async function ceilingQos0(env: BenchEnv): Promise<void> {
  const runs: CeilingRun[] = [];
  const n = env.opts.quick ? 1 : env.opts.runs; // a reference figure, not a target
  for (let i = 0; i < n; i++) {
    progress(`ceiling QoS 0, run ${i + 1}/${n} (${env.sizes.ceilingMessages} messages)`);
    runs.push(await ceilingRun(env, 0, env.sizes.ceilingMessages));
  }
  const lost = runs.reduce((n, r) => n + (r.sent - r.received), 0);
  env.rows.push({
    scenario: '1 ceiling',
    figure: 'raw subscriber, QoS 0 (reference)',
    unit: 'msg/s',
    value: spread(runs.map((r) => r.rate)),
    verdict: 'info',
    ...(lost > 0 ? { note: `the broker delivered ${lost} fewer messages than were published` } : {}),
  });
}

/** Ceiling (QoS 1) and Kaiteki ingest in pairs, for one store. */
export async function ingestPairs(env: BenchEnv, storeKind: 'embedded' | 'influx-v1'): Promise<void> {
  const label = storeKind === 'embedded' ? 'embedded store (SQLite)' : 'InfluxDB 1.x';
  let influx: Awaited<ReturnType<typeof startInfluxd>> | undefined;
  if (storeKind === 'influx-v1') {
    if (!INFLUXD) return notMeasured(env, label, 'influxd is not installed');
    influx = await startInfluxd();
  }
  try {
    const ceilings: CeilingRun[] = [];
    const ingests: IngestRun[] = [];
    for (let i = 0; i < env.opts.runs; i++) {
      const n = env.sizes.ingestMessages;
      progress(
        `ingest ${label}, run ${i + 1}/${env.opts.runs}: ceiling (QoS 1, 2 bursts of ${env.sizes.ceilingMessages} messages)`,
      );
      const c = await ceilingRun(env, 1, env.sizes.ceilingMessages, true);
      ceilings.push(c);
      ceilingPeaks.push(c.peakRss);
      progress(
        `ingest ${label}, run ${i + 1}/${env.opts.runs}: Kaiteki (2 bursts of ${n} messages, ${n * 2} readings each)`,
      );
      const k = await ingestRun(
        env,
        n,
        influx ? { kind: 'influx-v1', url: influx.url } : { kind: 'embedded' },
      );
      ingests.push(k);
      if (storeKind === 'embedded') ingestPeaks.push(k.peakRss);
      progress(
        `  first burst: ceiling ${c.coldRate.toFixed(0)}, Kaiteki ${k.coldRate.toFixed(0)} msg/s; ` +
          `second: ceiling ${c.rate.toFixed(0)}, Kaiteki ${k.rate.toFixed(0)} msg/s; stored ${k.stored}/${k.expected}`,
      );
      if (k.stored < k.expected)
        env.failures.push(`${label} run ${i + 1}: ${k.expected - k.stored} readings lost`);
    }
    const ceiling = spread(ceilings.map((c) => c.rate));
    const ratios = spread(ingests.map((k, i) => ratio(k.rate, ceilings[i]!.rate)));
    const lost = ingests.reduce((n, k) => n + (k.expected - k.stored), 0);
    const parts = ingests[0]?.parts.join(', ') ?? '';
    if (storeKind === 'embedded') {
      env.rows.push({
        scenario: '1 ceiling',
        figure: 'raw subscriber, QoS 1 (the fair ceiling), second burst',
        unit: 'msg/s',
        value: ceiling,
        verdict: 'info',
      });
    }
    env.rows.push({
      scenario: '2 ingest',
      figure: `Kaiteki → ${label}, rules on (second burst)`,
      unit: 'msg/s',
      value: spread(ingests.map((k) => k.rate)),
      baseline: { name: 'ceiling QoS 1 (paired runs)', value: ceiling },
      ratio: ratios,
      target: '≥ 50 % of ceiling',
      verdict: ratios.median >= 0.5 ? 'ok' : 'MISSED',
      note: `${QUANT_NOTE}; parts: ${parts}`,
    });
    env.rows.push({
      scenario: '2 ingest',
      figure: `Kaiteki → ${label}: first burst after start`,
      unit: 'msg/s',
      value: spread(ingests.map((k) => k.coldRate)),
      baseline: { name: 'ceiling QoS 1, its first burst', value: spread(ceilings.map((c) => c.coldRate)) },
      ratio: spread(ingests.map((k, i) => ratio(k.coldRate, ceilings[i]!.coldRate))),
      verdict: 'info',
      note: 'a fresh process: V8 still compiling, every series new (here and in the store)',
    });
    if (storeKind === 'influx-v1') {
      env.rows.push({
        scenario: '2 ingest',
        figure: 'Kaiteki → InfluxDB 1.x: durable accept (outbox), second burst',
        unit: 'msg/s',
        value: spread(ingests.map((k) => k.acceptRate)),
        baseline: { name: 'ceiling QoS 1 (paired runs)', value: ceiling },
        ratio: spread(ingests.map((k, i) => ratio(k.acceptRate, ceilings[i]!.rate))),
        verdict: 'info',
      });
    }
    env.rows.push({
      scenario: '2 ingest',
      figure: `lost readings, ${label} (counted in the store)`,
      unit: 'readings',
      value: spread(ingests.map((k) => k.expected - k.stored)),
      target: '0',
      verdict: lost === 0 ? 'ok' : 'MISSED',
      note: `${ingests.reduce((n, k) => n + k.stored, 0)} of ${ingests.reduce((n, k) => n + k.expected, 0)} stored`,
    });
  } catch (err) {
    if (err instanceof NotMeasured) return notMeasured(env, label, err.message);
    throw err;
  } finally {
    await influx?.close();
  }
}

const QUANT_NOTE = '2 readings per message';

function notMeasured(env: BenchEnv, label: string, why: string): void {
  progress(`ingest ${label}: not measured: ${why}`);
  env.rows.push({
    scenario: '2 ingest',
    figure: `Kaiteki → ${label}`,
    unit: 'msg/s',
    verdict: 'not measured',
    note: why,
  });
}

export function mb(bytes: number): number {
  return bytes / MB;
}
