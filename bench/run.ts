/**
 * `npm run bench` — Kaiteki's throughput, latency and memory against ceilings
 * measured in the same run (issue 8; docs/benchmarks.md). Every figure is the
 * median of several runs with min and max, and every Kaiteki figure sits
 * next to a baseline taken on the same machine minutes apart, so a noisy
 * machine moves both. Prints a table; writes bench/results/<timestamp>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBroker } from './lib/broker.js';
import { BENCH_DIR, progress } from './lib/child.js';
import { renderTable } from './lib/table.js';
import type { BenchEnv, Options, Sizes } from './lib/types.js';
import { ceilingQos0, ingestPairs } from './scenarios/ingest.js';
import { payloads } from './scenarios/payloads.js';
import { report } from './scenarios/report.js';
import { steady } from './scenarios/steady.js';

const SCENARIOS = ['ceiling', 'ingest', 'influx', 'steady', 'payloads', 'report'] as const;

const USAGE = `usage: npm run bench -- [options]

Starts what it needs on loopback (mosquitto when installed, else the embedded
aedes broker; influxd when installed), runs each scenario, prints a table and
writes bench/results/<timestamp>.json. About 5 minutes on 2 cores (--quick: about 1).

  --quick             smaller counts and shorter windows
  --soak MINUTES      add MINUTES of steady load to the memory scenario (off by default;
                      the "no RSS growth" target is judged only with --soak 10 or more)
  --runs N            runs per figure (default 3)
  --only LIST         comma-separated scenarios: ${SCENARIOS.join(', ')}
  --aedes             use the embedded aedes broker even when mosquitto is installed
  --profile           write V8 CPU profiles of the service children to bench/results/profiles/
  -h, --help          this text

Exit status: 0 when the harness ran (targets missed are printed as MISSED),
1 on data loss or a harness failure.`;

function options(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      soak: { type: 'string', default: '0' },
      runs: { type: 'string' },
      only: { type: 'string', default: '' },
      aedes: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const soakMinutes = Number(values.soak);
  const runs = Number(values.runs ?? 3);
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : [];
  const bad = only.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (
    !Number.isFinite(soakMinutes) ||
    soakMinutes < 0 ||
    !Number.isInteger(runs) ||
    runs < 1 ||
    bad.length > 0
  ) {
    console.error(
      `bench: bad option${bad.length ? ` (unknown scenario ${bad.join(', ')})` : ''}\n\n${USAGE}`,
    );
    process.exit(2);
  }
  return { quick: values.quick, soakMinutes, runs, only, aedes: values.aedes, profile: values.profile };
}

function sizes(quick: boolean): Sizes {
  return quick
    ? {
        sensors: 1000,
        connections: 4,
        ceilingMessages: 20_000,
        ingestMessages: 10_000,
        steadyRate: 2000,
        windowMs: 2000,
        reportSensors: 40,
        payloadTopics: 2000,
      }
    : {
        sensors: 1000,
        connections: 4,
        ceilingMessages: 100_000,
        ingestMessages: 60_000,
        steadyRate: 2000,
        windowMs: 10_000,
        reportSensors: 40,
        payloadTopics: 10_000,
      };
}

async function main(): Promise<number> {
  const opts = options();
  const started = new Date();
  const resultsDir = join(BENCH_DIR, 'results');
  const profileDir = join(resultsDir, 'profiles', started.toISOString().replace(/[:.]/g, '-'));
  mkdirSync(resultsDir, { recursive: true });
  if (opts.profile) mkdirSync(profileDir, { recursive: true });
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? '?',
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadavgAtStart: loadavg().map((l) => Number(l.toFixed(2))),
  };
  const broker = await startBroker(opts.aedes);
  const env: BenchEnv = {
    opts,
    sizes: sizes(opts.quick),
    broker,
    tmp: mkdtempSync(join(tmpdir(), 'kaiteki-bench-')),
    profileDir,
    rows: [],
    failures: [],
  };
  progress(
    `${opts.quick ? 'quick' : 'full'} run on ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, broker ${broker.kind} at ${broker.url}`,
  );
  const want = (s: (typeof SCENARIOS)[number]) => opts.only.length === 0 || opts.only.includes(s);
  const t0 = Date.now();
  const steps: [(typeof SCENARIOS)[number], () => Promise<void>][] = [
    ['ingest', () => ingestPairs(env, 'embedded')],
    ['ceiling', () => ceilingQos0(env)],
    ['influx', () => ingestPairs(env, 'influx-v1')],
    ['steady', () => steady(env)],
    ['payloads', () => payloads(env)],
    ['report', () => report(env)],
  ];
  try {
    for (const [name, run] of steps) {
      if (!want(name)) continue;
      const ts = Date.now();
      try {
        await run();
        progress(`scenario ${name}: ${((Date.now() - ts) / 1000).toFixed(0)} s`);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        progress(`scenario ${name} failed: ${msg}`);
        env.failures.push(`scenario ${name}: ${msg}`);
      }
    }
  } finally {
    await broker.close();
    rmSync(env.tmp, { recursive: true, force: true });
  }
  const seconds = (Date.now() - t0) / 1000;
  const table = renderTable(env.rows);
  const file = join(resultsDir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ startedAt: started.toISOString(), seconds, machine, broker: broker.kind, options: opts, sizes: env.sizes, rows: env.rows, failures: env.failures }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
  );
  console.log(
    `\nKaiteki bench — ${started.toISOString()} — ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}, broker ${broker.kind}, ${seconds.toFixed(0)} s${opts.quick ? ' (--quick)' : ''}\n`,
  );
  console.log(table);
  const missed = env.rows.filter((r) => r.verdict === 'MISSED');
  const notMeasured = env.rows.filter((r) => r.verdict === 'not measured');
  console.log('');
  for (const r of missed) console.log(`MISSED: ${r.scenario} — ${r.figure} (target ${r.target})`);
  for (const r of notMeasured) console.log(`not measured: ${r.scenario} — ${r.figure}: ${r.note}`);
  for (const f of env.failures) console.log(`FAILURE: ${f}`);
  if (opts.profile) console.log(`CPU profiles: ${profileDir}`);
  console.log(`results: ${file}`);
  return env.failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
