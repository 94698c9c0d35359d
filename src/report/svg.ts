/**
 * Tiny inline-SVG charts for the printable report (no scripts, no CDN: the
 * file prints and archives as one self-contained page).
 */
import { escapeHtml as esc } from '../core/html.js';

export { esc };

export interface ChartSeries {
  name: string;
  values: (number | null)[];
}

export interface ChartSpec {
  title: string;
  categories: string[];
  series: ChartSeries[];
  unit: string;
  /** a horizontal reference line (e.g. the CO2 limit) */
  limit?: { value: number; label: string };
  /** y axis from 0 to this at least (e.g. 1 for shares) */
  minMax?: number;
  format?: (v: number) => string;
}

const W = 720;
const H = 260;
const PAD = { l: 64, r: 12, t: 28, b: 56 };
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

export function barChart(spec: ChartSpec): string {
  return chart(spec, (x, y, band) => {
    const n = spec.series.length;
    const bw = (band * 0.8) / Math.max(1, n);
    return spec.series
      .map((s, si) =>
        s.values
          .map((v, ci) => {
            if (v === null) return '';
            const x0 = x(ci) - band * 0.4 + si * bw;
            const y0 = y(Math.max(0, v));
            return `<rect x="${r1(x0)}" y="${r1(y0)}" width="${r1(bw - 1)}" height="${r1(y(0) - y0)}" fill="${COLORS[si % COLORS.length]}"><title>${esc(s.name)} ${esc(spec.categories[ci] ?? '')}: ${esc(fmtv(spec, v))}</title></rect>`;
          })
          .join(''),
      )
      .join('');
  });
}

export function lineChart(spec: ChartSpec): string {
  return chart(spec, (x, y) =>
    spec.series
      .map((s, si) => {
        const color = COLORS[si % COLORS.length];
        let d = '';
        let pen = false;
        const dots: string[] = [];
        s.values.forEach((v, ci) => {
          if (v === null) {
            pen = false;
            return;
          }
          d += `${pen ? 'L' : 'M'}${r1(x(ci))},${r1(y(v))}`;
          pen = true;
          dots.push(
            `<circle cx="${r1(x(ci))}" cy="${r1(y(v))}" r="2.5" fill="${color}"><title>${esc(s.name)} ${esc(spec.categories[ci] ?? '')}: ${esc(fmtv(spec, v))}</title></circle>`,
          );
        });
        return `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>${dots.join('')}`;
      })
      .join(''),
  );
}

function chart(
  spec: ChartSpec,
  body: (x: (i: number) => number, y: (v: number) => number, band: number) => string,
): string {
  const values = spec.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  if (spec.limit) values.push(spec.limit.value);
  const max = niceMax(Math.max(spec.minMax ?? 0, ...values, 1e-9));
  const band = (W - PAD.l - PAD.r) / Math.max(1, spec.categories.length);
  const x = (i: number) => PAD.l + band * (i + 0.5);
  const y = (v: number) => H - PAD.b - ((H - PAD.t - PAD.b) * v) / max;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  const grid = ticks
    .map(
      (v) =>
        `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${r1(y(v))}" y2="${r1(y(v))}" stroke="#ddd"/><text x="${PAD.l - 4}" y="${r1(y(v) + 4)}" text-anchor="end">${esc(fmtv(spec, v))}</text>`,
    )
    .join('');
  const cats = spec.categories
    .map((c, i) => `<text x="${r1(x(i))}" y="${H - PAD.b + 14}" text-anchor="middle">${esc(c)}</text>`)
    .join('');
  const limit = spec.limit
    ? `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${r1(y(spec.limit.value))}" y2="${r1(y(spec.limit.value))}" stroke="#c00" stroke-dasharray="6 4"/><text x="${W - PAD.r}" y="${r1(y(spec.limit.value) - 4)}" text-anchor="end" fill="#c00">${esc(spec.limit.label)}</text>`
    : '';
  const legend = spec.series
    .map((s, i) => {
      const lx = PAD.l + (i % 4) * 160;
      const ly = H - 22 + Math.floor(i / 4) * 14;
      return `<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/><text x="${lx + 14}" y="${ly}">${esc(s.name)}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H + Math.floor((spec.series.length - 1) / 4) * 14}" role="img" aria-label="${esc(spec.title)}" font-size="11" font-family="sans-serif"><text x="${PAD.l}" y="16" font-size="13" font-weight="bold">${esc(spec.title)} (${esc(spec.unit)})</text>${grid}${body(x, y, band)}${limit}${cats}${legend}</svg>`;
}

function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmtv(spec: ChartSpec, v: number): string {
  return spec.format ? spec.format(v) : v.toLocaleString('ja-JP', { maximumFractionDigits: 1 });
}

function r1(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}
