/**
 * `node --import tsx bench/profile.ts <file.cpuprofile> [top] [--long MS]` —
 * the hottest functions of a V8 CPU profile (from `npm run bench -- --profile`)
 * by self time and by total time (self + callees); with `--long MS`, the
 * event-loop turns that ran longer than MS and what they spent it on (the
 * stalls behind a latency p99); with `--window PATTERN`, only the samples
 * between the first and the last whose stack has a frame matching PATTERN
 * (e.g. `mqtt-source` for the ingest burst, leaving start-up out).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const [value] = args.splice(at, 2).slice(1);
  return value;
};
const longMs = Number(flag('--long') ?? 0);
const windowPattern = flag('--window');
const [file, topArg] = args;
if (!file) {
  console.error(
    'usage: node --import tsx bench/profile.ts <file.cpuprofile> [top] [--long MS] [--window PATTERN]',
  );
  process.exit(2);
}
const top = Number(topArg ?? 25);
const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

function label(n: Node): string {
  const f = n.callFrame;
  const url = f.url.replace(/^file:\/\//, '');
  const short = url.includes('node_modules')
    ? url.slice(url.lastIndexOf('node_modules/') + 13)
    : relative(process.cwd(), url);
  return `${f.functionName || '(anonymous)'} ${url ? `${short}:${f.lineNumber + 1}` : ''}`.trim();
}

/** labels from the sampled frame up to the root, each once */
function stack(id: number): string[] {
  const out: string[] = [];
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (!out.includes(l)) out.push(l);
  }
  return out;
}

function show(title: string, m: Map<string, number>, total: number, n = top): void {
  console.log(`\n${title}`);
  for (const [l, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${((v / total) * 100).toFixed(1).padStart(5)} %  ${l}`);
  }
}

if (windowPattern) {
  const re = new RegExp(windowPattern);
  const hits = prof.samples.flatMap((id, i) => (stack(id).some((l) => re.test(l)) ? [i] : []));
  if (hits.length === 0) {
    console.error(`no sample matches ${windowPattern}`);
    process.exit(1);
  }
  const first = hits[0]!;
  const last = hits[hits.length - 1]!;
  const ms = prof.timeDeltas.slice(first + 1, last + 1).reduce((a, b) => a + b, 0) / 1000;
  console.log(`window: samples ${first}–${last} of ${prof.samples.length} (${ms.toFixed(0)} ms)`);
  prof.samples = prof.samples.slice(first, last + 1);
  prof.timeDeltas = prof.timeDeltas.slice(first, last + 1);
}

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const id of prof.samples) {
  const s = stack(id);
  self.set(s[0]!, (self.get(s[0]!) ?? 0) + 1);
  for (const l of s) inclusive.set(l, (inclusive.get(l) ?? 0) + 1);
}
const total = prof.samples.length;
show(`self time (${total} samples)`, self, total);
show('total time (self + callees)', inclusive, total);

if (longMs > 0) {
  // a turn = consecutive samples that are not (idle); its length = sum of their time deltas
  const idle = (id: number) => byId.get(id)!.callFrame.functionName === '(idle)';
  const turns: { ms: number; at: number; frames: Map<string, number> }[] = [];
  let cur: { ms: number; at: number; frames: Map<string, number> } | undefined;
  let t = 0;
  prof.samples.forEach((id, i) => {
    const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000;
    t += (prof.timeDeltas[i] ?? 0) / 1000;
    if (idle(id)) {
      if (cur && cur.ms >= longMs) turns.push(cur);
      cur = undefined;
      return;
    }
    cur ??= { ms: 0, at: t, frames: new Map() };
    cur.ms += dt;
    for (const l of stack(id)) cur.frames.set(l, (cur.frames.get(l) ?? 0) + dt);
  });
  console.log(`\nturns longer than ${longMs} ms: ${turns.length}`);
  const merged = new Map<string, number>();
  let sum = 0;
  for (const turn of turns) {
    sum += turn.ms;
    for (const [l, ms] of turn.frames) merged.set(l, (merged.get(l) ?? 0) + ms);
  }
  for (const turn of [...turns].sort((a, b) => b.ms - a.ms).slice(0, 8)) {
    const what = [...turn.frames]
      .filter(([l]) => /src\/|better-sqlite3|garbage|writev/.test(l))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([l, ms]) => `${l} ${ms.toFixed(0)} ms`);
    console.log(`  ${turn.ms.toFixed(0)} ms at ${(turn.at / 1000).toFixed(1)} s: ${what.join('; ')}`);
  }
  show(`time inside those turns (${sum.toFixed(0)} ms), by frame`, merged, sum, top);
}
