/** The small 6-hour trend of an alert's sensor, an inline SVG from /api/series with the alert's limit lines. */
import { call, h, s, t } from './context.js';
import { value } from './format.js';

/** @type {Map<string, SVGSVGElement>} */
const trends = new Map();

export function trendBox(/** @type {any} */ a) {
  // a calibration alert's limit is a difference (±tolerance), not a line on the sensor's trend
  if (!a.sensor || !a.quantity || a.kind === 'stale' || a.kind === 'calibration') return null;
  // The caption comes with the chart: no empty "trend" heading when there is too little data.
  const box = h('figure', { class: 'trend' });
  const key = `${a.zone}/${a.sensor}/${a.quantity}`;
  const cached = trends.get(key);
  if (cached) box.append(h('figcaption', {}, [t('trend')]), cached);
  else
    call(
      `/api/series?zone=${encodeURIComponent(a.zone)}&sensor=${encodeURIComponent(a.sensor)}&quantity=${a.quantity}&from=-6h&step=10m`,
    )
      .then((r) => {
        const svg = drawTrend(a, r.series?.[0]?.points ?? []);
        if (!svg) return;
        trends.set(key, svg);
        box.append(h('figcaption', {}, [t('trend')]), svg);
        setTimeout(() => trends.delete(key), 5 * 60_000);
      })
      .catch(() => undefined);
  return box;
}

/** @param {any} a @param {{ts: string, mean: number}[]} pts */
function drawTrend(a, pts) {
  if (pts.length < 2) return null;
  const W = 320;
  const H = 80;
  const P = { l: 4, r: 64, t: 8, b: 14 };
  const xs = pts.map((p) => Date.parse(p.ts));
  const ys = pts.map((p) => p.mean);
  const lims = [a.limit?.above, a.limit?.below].filter((v) => typeof v === 'number');
  let lo = Math.min(...ys, ...lims);
  let hi = Math.max(...ys, ...lims);
  if (hi - lo < 1e-9) {
    hi += 1;
    lo -= 1;
  }
  const pad = (hi - lo) * 0.1;
  lo -= pad;
  hi += pad;
  const x0 = xs[0] ?? 0;
  const span = Math.max(1, (xs[xs.length - 1] ?? 1) - x0);
  const X = (/** @type {number} */ x) => P.l + ((x - x0) / span) * (W - P.l - P.r);
  const Y = (/** @type {number} */ y) => P.t + (1 - (y - lo) / (hi - lo)) * (H - P.t - P.b);
  const svg = /** @type {SVGSVGElement} */ (
    s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'spark' })
  );
  svg.setAttribute(
    'aria-label',
    t('trend_label', { from: value(a, Math.min(...ys)), to: value(a, Math.max(...ys)) }),
  );
  for (const l of lims) {
    svg.append(s('line', { x1: P.l, x2: W - P.r, y1: Y(l), y2: Y(l), class: 'lim' }));
    const label = s('text', { x: W - P.r + 4, y: Y(l) + 4, class: 'lim-label' });
    label.textContent = value(a, l);
    svg.append(label);
  }
  svg.append(
    s('polyline', {
      points: pts.map((p, i) => `${X(xs[i] ?? 0).toFixed(1)},${Y(p.mean).toFixed(1)}`).join(' '),
      class: 'line',
    }),
  );
  const last = pts[pts.length - 1];
  if (last) svg.append(s('circle', { cx: X(xs[xs.length - 1] ?? 0), cy: Y(last.mean), r: 3, class: 'dot' }));
  for (const [x, txt] of [
    [P.l, t('hours_ago', { h: Math.round(span / 3_600_000) })],
    [W - P.r, t('now')],
  ]) {
    const label = s('text', { x, y: H - 2, class: 'axis', 'text-anchor': x === P.l ? 'start' : 'end' });
    label.textContent = String(txt);
    svg.append(label);
  }
  return svg;
}
