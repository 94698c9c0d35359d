/** Scenario 5: the fiscal-year report from rollups (see bench/report-job.ts). */
import { Child, progress } from '../lib/child.js';
import { SERVICE_ENV, SERVICE_NODE_FLAGS } from '../lib/service.js';
import { ratio, spread } from '../lib/stats.js';
import type { BenchEnv } from '../lib/types.js';

interface Result {
  ev: string;
  rawRows: number;
  rawMs: number;
  read: number;
  readMs: number;
  generateMs: number;
  xlsxMs: number;
  xlsxBytes: number;
}

/** runs stop early once this much time went into them (at least one run) */
const BUDGET_MS = { quick: 6000, full: 60_000 };

export async function report(env: BenchEnv): Promise<void> {
  const n = env.sizes.reportSensors;
  progress(`report: seeding one fiscal year of rollups for ${n} sensors (1 reading/min)`);
  const child = new Child('report', 'report-job.ts', {
    // --quick: the model sampled hourly instead of every 10 min (same rollup rows, seeded 6× faster)
    env: {
      ...SERVICE_ENV,
      BENCH_REPORT_SENSORS: String(n),
      BENCH_REPORT_STEP_MS: String(env.opts.quick ? 3_600_000 : 600_000),
    },
    // the service's heap limit: a fiscal-year report must fit in what `npm start` gives it
    execArgv: [
      ...SERVICE_NODE_FLAGS,
      ...(env.opts.profile ? ['--cpu-prof', '--cpu-prof-dir', env.profileDir] : []),
    ],
  });
  try {
    const ready = await child.next<{ ev: string; rows: number; fy: number; seedMs: number }>(
      'ready',
      300_000,
    );
    progress(`  ${ready.rows} rollup rows for FY${ready.fy} in ${(ready.seedMs / 1000).toFixed(1)} s`);
    const results: Result[] = [];
    const t0 = Date.now();
    const budget = env.opts.quick ? BUDGET_MS.quick : BUDGET_MS.full;
    for (let i = 0; i < env.opts.runs; i++) {
      const r = await child.ask<Result>({ cmd: 'run' }, 'result', 300_000);
      results.push(r);
      progress(
        `  run ${i + 1}/${env.opts.runs}: raw read ${r.rawMs.toFixed(0)} ms, store.rollups ${r.readMs.toFixed(0)} ms, report ${r.generateMs.toFixed(0)} ms + xlsx ${r.xlsxMs.toFixed(0)} ms`,
      );
      if (Date.now() - t0 > budget && i + 1 < env.opts.runs) {
        progress(`  time budget spent: ${i + 1} run(s)`);
        break;
      }
    }
    const baseline = {
      name: `raw SQLite read of ${ready.rows.toLocaleString('en-US')} rollups`,
      value: spread(results.map((r) => r.rawMs / 1000)),
    };
    const total = results.map((r) => (r.generateMs + r.xlsxMs) / 1000);
    const v = spread(total);
    const scen = `5 report FY${ready.fy}, ${n} sensors × 1/min`;
    const per = (f: (r: Result) => number) => ({
      value: spread(results.map((r) => f(r) / 1000)),
      baseline,
      ratio: spread(results.map((r) => ratio(f(r), r.rawMs))),
    });
    env.rows.push({
      scenario: scen,
      figure: 'report: read + aggregate + xlsx',
      unit: 's',
      ...per((r) => r.generateMs + r.xlsxMs),
      target: '< 10 s',
      verdict: v.median < 10 ? 'ok' : 'MISSED',
      note: `xlsx ${(results[0]!.xlsxBytes / 1024).toFixed(0)} KB; ${results.length} run(s)`,
    });
    env.rows.push({
      scenario: scen,
      figure: 'of which read + aggregate (generateReport)',
      unit: 's',
      ...per((r) => r.generateMs),
      verdict: 'info',
    });
    env.rows.push({
      scenario: scen,
      figure: 'of which store.rollups() for the year',
      unit: 's',
      ...per((r) => r.readMs),
      verdict: 'info',
      note: 'read separately, same months',
    });
  } finally {
    await child.stop();
  }
}
