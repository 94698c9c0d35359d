import type { Spread } from './stats.js';
import type { Row } from './types.js';

/** `12,345 [11,000–13,020]`, or `—` */
export function fmtSpread(s: Spread | undefined, digits = 0): string {
  if (!s || s.n === 0) return '—';
  const f = (v: number) =>
    v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return s.n === 1 || s.min === s.max ? f(s.median) : `${f(s.median)} [${f(s.min)}–${f(s.max)}]`;
}

function digitsFor(unit: string, s: Spread | undefined): number {
  if (unit === 'ms' || unit === 's' || unit === 'MB' || unit === 'MB/min')
    return s && Math.abs(s.median) >= 100 ? 0 : 1;
  return 0;
}

function fmtRatio(s: Spread | undefined): string {
  if (!s || s.n === 0) return '—';
  const f = (v: number) =>
    v >= 10 ? `${v.toFixed(0)}×` : v >= 0.1 ? `${(v * 100).toFixed(0)} %` : `${(v * 100).toFixed(1)} %`;
  return s.n === 1 || s.min === s.max ? f(s.median) : `${f(s.median)} [${f(s.min)}–${f(s.max)}]`;
}

/** The results as a Markdown table (readable in a terminal, pasteable into docs/benchmarks.md). */
export function renderTable(rows: readonly Row[]): string {
  const head = [
    'scenario',
    'figure',
    'Kaiteki: median [min–max]',
    'baseline (same run)',
    'ratio',
    'target',
    'verdict',
  ];
  const body = rows.map((r) => [
    r.scenario,
    r.figure,
    r.value ? `${fmtSpread(r.value, digitsFor(r.unit, r.value))} ${r.unit}` : '—',
    r.baseline
      ? `${r.baseline.name}: ${fmtSpread(r.baseline.value, digitsFor(r.unit, r.baseline.value))} ${r.unit}`
      : '—',
    fmtRatio(r.ratio),
    r.target ?? '',
    `${r.verdict ?? ''}${r.note ? ` (${r.note})` : ''}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
