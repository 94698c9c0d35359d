import { fmt, jstStamp, meterText, periodText, word } from './labels.js';
import { barChart, esc, lineChart } from './svg.js';
import { type Cell, type ColKind, isMarked, NA, reportTables, type Table } from './tables.js';
import type { Report, ZoneFigures } from './types.js';

/**
 * A printable, self-contained HTML report (A4 landscape; inline SVG charts,
 * no scripts or external resources), also the source of the PDF.
 */
export function renderHtml(r: Report): string {
  const L = r.language;
  const t = (ja: string, en: string) => (L === 'ja' ? ja : en);
  const months = r.months.filter((m) => m.from < r.to);
  const cats = months.map((m) => (L === 'ja' ? `${Number(m.key.slice(5))}月` : m.label.slice(0, 3)));
  const covered = (v: number | null, cov: number | null) =>
    v === null || cov === null || cov < r.coverageMin ? null : v;
  const total = (get: (f: ZoneFigures) => number | null) =>
    months.map((m) => {
      let s: number | null = null;
      for (const z of r.zones) {
        const v = get(z.months[m.index]!);
        if (v !== null) s = (s ?? 0) + v;
      }
      return s;
    });
  const charts = [
    barChart({
      title: `${t('電力量', 'Energy')}（${meterText(r.meters, L)}）`,
      unit: 'kWh',
      categories: cats,
      series: [
        { name: r.fyLabel, values: total((f) => f.eco.energyKwh) },
        { name: t('前年度', 'Previous year'), values: total((f) => f.eco.energyPrevKwh) },
      ],
      format: (v) => fmt(v, 0, L),
    }),
    lineChart({
      title: t('CO2 月平均（使用時間）', 'CO2 monthly mean (time in use)'),
      unit: 'ppm',
      categories: cats,
      // a month below the coverage threshold is a reference value, not a point on the line
      series: r.zones.map((z) => ({
        name: z.name,
        values: months.map((m) => covered(z.months[m.index]!.co2.mean, z.months[m.index]!.coverage.co2)),
      })),
      limit: { value: r.limits.co2.max, label: `${r.limits.co2.max} ppm` },
      format: (v) => fmt(v, 0, L),
    }),
    lineChart({
      title: t('温度が基準内の割合（使用時間）', 'Temperature within range (time in use)'),
      unit: '%',
      categories: cats,
      series: r.zones.map((z) => ({
        name: z.name,
        values: months.map((m) =>
          covered(z.months[m.index]!.temperature.withinShare, z.months[m.index]!.coverage.temperature),
        ),
      })),
      minMax: 1,
      format: (v) => `${fmt(v * 100, 0, L)}%`,
    }),
  ];
  const tables = htmlTables(reportTables(r), (tb) => `${tb.sheet} — ${tb.title}`, L);
  return `<!doctype html>
<html lang="${L}">
<head>
<meta charset="utf-8">
<title>${esc(`${r.site.name} ${word('title', L)} ${r.fyLabel}`)}</title>
<style>
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", Meiryo, sans-serif; font-size: 10pt; color: #222; margin: 0 auto; max-width: 1100px; }
h1 { font-size: 16pt; margin: 0 0 4px; } h2 { font-size: 12pt; margin: 16px 0 6px; border-left: 4px solid #1f77b4; padding-left: 6px; }
.meta { color: #555; margin: 2px 0; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; } .charts svg { width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
th, td { border: 1px solid #bbb; padding: 2px 4px; } th { background: #ddebf7; font-weight: bold; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } td.na { background: #f3f3f3; }
td.bad { color: #c00000; font-weight: bold; } td.grey { color: #8c8c8c; font-style: italic; background: #ededed; } td.refused, td.dash { text-align: center; color: #555; }
.legend { color: #555; font-size: 8.5pt; }
thead { display: table-header-group; } tr { page-break-inside: avoid; }
section { page-break-inside: auto; } .page { page-break-after: always; }
</style>
</head>
<body>
<div class="page">
<h1>${esc(`${r.site.name} ${word('title', L)}`)}</h1>
<p class="meta">${esc(word('period', L))}: ${esc(periodText(r))}</p>
<p class="meta">${esc(word('generated', L))}: ${esc(jstStamp(r.generatedAt))} / ${esc(word('openingHours', L))}: ${esc(`${r.hours.open}–${r.hours.close}`)}</p>
<p class="meta">${esc(word('meters', L))}: ${esc(meterText(r.meters, L))}</p>
<p class="legend">${esc(word('legend', L))}（※ = ${esc(t('データ不足の参考値', 'reference value, insufficient data'))}）</p>
<h2>${esc(word('findings', L))}</h2>
<ul>${r.findings.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>
<div class="charts">${charts.join('\n')}</div>
</div>
${tables}
</body>
</html>
`;
}

/** Tables as HTML sections, each under its heading (the eco report and the legal record alike). */
export function htmlTables(tables: readonly Table[], heading: (tb: Table) => string, L: 'ja' | 'en'): string {
  return tables
    .map(
      (tb) =>
        `<section><h2>${esc(heading(tb))}</h2><table><thead><tr>${tb.columns
          .map((c) => `<th>${esc(c.header)}</th>`)
          .join('')}</tr></thead><tbody>${tb.rows
          .map((row) => `<tr>${row.map((v, i) => cell(v, tb.columns[i]!.kind, L)).join('')}</tr>`)
          .join('')}</tbody></table></section>`,
    )
    .join('\n');
}

export function cell(c: Cell, kind: ColKind, L: 'ja' | 'en'): string {
  if (isMarked(c)) {
    const inner = cell(c.value, kind, L).replace(/^<td( class="([^"]*)")?>/, (_m, _a, cls) => {
      const classes = [cls, c.grey ? 'grey' : c.bad ? 'bad' : 'refused'].filter(Boolean).join(' ');
      return `<td class="${classes}"${c.note ? ` title="${esc(c.note)}"` : ''}>`;
    });
    return c.grey && c.note ? inner.replace('</td>', `<sup>※</sup></td>`) : inner;
  }
  const v = c;
  if (v === null) return '<td class="na"></td>';
  if (v === NA) return '<td class="dash">—</td>';
  if (typeof v === 'string') return `<td>${esc(v)}</td>`;
  const text =
    kind === 'pct'
      ? `${fmt(v * 100, 1, L)}%`
      : kind === 'int'
        ? fmt(v, 0, L)
        : kind === 'text'
          ? String(v)
          : kind === 'dec2'
            ? v.toFixed(2)
            : kind === 'dec3'
              ? v.toFixed(3)
              : fmt(v, 1, L);
  return `<td class="n">${esc(text)}</td>`;
}
