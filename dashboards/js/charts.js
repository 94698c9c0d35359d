/**
 * A zone's trend chart (Chart.js, served locally as a global `Chart`).
 * Created once per tile and updated in place: live readings fold into the
 * current bucket, old buckets drop off the left edge and each line holds at
 * most maxPoints points, so weeks of running neither grow memory nor leak
 * charts.
 */
import { formatTime, formatValue } from './format.js';
import { quantityLabel, quantityUnit } from './i18n.js';

const COLOURS = ['#7cc4ff', '#ffb86b'];
/** Axis and legend text: read from 3–5 m on a 1920×1080 screen. */
const TICK_PX = 18;

/** @type {any} the site's `limits` (from /api/site or /api/status), set once by the page */
let siteLimits = null;

/** Tells every chart the limits its lines are judged against. @param {any} limits */
export function setChartLimits(limits) {
  siteLimits = limits ?? null;
}

/**
 * The limit values a quantity is judged against (config `limits:`), for the
 * dashed lines. Illuminance targets are per zone and given by the tile.
 * @param {string} q @param {any} L @param {number | undefined} illuminanceTarget
 * @returns {number[]}
 */
export function limitLines(q, L, illuminanceTarget) {
  if (!L) return [];
  switch (q) {
    case 'temperature':
    case 'humidity':
      return L[q] ? [L[q].min, L[q].max].filter((v) => typeof v === 'number') : [];
    case 'co2':
      return typeof L.co2?.max === 'number' ? [L.co2.max] : [];
    case 'illuminance': {
      const v = illuminanceTarget ?? L.illuminance?.min ?? L.illuminance?.defaultTarget;
      return typeof v === 'number' ? [v] : [];
    }
    case 'wait_minutes':
      return L.wait ? [L.wait.yellowFrom, L.wait.redFrom] : [];
    case 'waiting':
      return L.queue ? [L.queue.yellowFrom, L.queue.redFrom] : [];
    default:
      return [];
  }
}

/** Chart.js plugin: each line's limits as dashed lines in its colour, labelled with the value. */
const limitPlugin = {
  id: 'kaitekiLimits',
  /** @param {any} chart */
  afterDatasetsDraw(chart) {
    const { ctx, chartArea } = chart;
    const lines = chart.options.plugins.kaitekiLimits?.lines ?? [];
    ctx.save();
    for (const l of lines) {
      const scale = chart.scales[l.axis];
      if (!scale) continue;
      const y = scale.getPixelForValue(l.value);
      if (!(y >= chartArea.top - 1 && y <= chartArea.bottom + 1)) continue;
      ctx.strokeStyle = l.colour;
      ctx.lineWidth = 2;
      ctx.setLineDash([10, 6]);
      ctx.beginPath();
      ctx.moveTo(chartArea.left, y);
      ctx.lineTo(chartArea.right, y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = `700 ${TICK_PX - 2}px "Noto Sans CJK JP", sans-serif`;
      ctx.fillStyle = l.colour;
      ctx.textAlign = l.axis === 'y' ? 'left' : 'right';
      ctx.textBaseline = y - chartArea.top < TICK_PX + 2 ? 'top' : 'bottom';
      const x = l.axis === 'y' ? chartArea.left + 6 : chartArea.right - 6;
      ctx.fillText(l.text, x, ctx.textBaseline === 'top' ? y + 3 : y - 3);
    }
    ctx.restore();
  },
};

/** @typedef {{x: number, y: number, n: number}} Point */

export class TrendChart {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {string[]} quantities one or two, the second on a right-hand axis
   * @param {{lang: 'ja' | 'en', hours: number, stepMs: number, now: () => number, limits?: any, illuminanceTarget?: number}} opts
   */
  constructor(canvas, quantities, opts) {
    this.quantities = quantities.slice(0, 2);
    this.windowMs = opts.hours * 3_600_000;
    this.stepMs = opts.stepMs;
    this.maxPoints = Math.ceil(this.windowMs / this.stepMs) + 2;
    this.now = opts.now;
    const Chart = /** @type {any} */ (globalThis).Chart;
    this.lang = opts.lang;
    this.illuminanceTarget = opts.illuminanceTarget;
    this.limits = opts.limits ?? siteLimits;
    const lines = this.makeLines(this.limits);
    this.chart = new Chart(canvas, {
      plugins: [limitPlugin],
      type: 'line',
      data: {
        datasets: this.quantities.map((q, i) => ({
          label: `${quantityLabel(q, opts.lang)} ${quantityUnit(q, opts.lang)}`,
          data: /** @type {Point[]} */ ([]),
          yAxisID: i === 0 ? 'y' : 'y1',
          borderColor: COLOURS[i],
          backgroundColor: COLOURS[i],
          borderWidth: 3,
          pointRadius: 0,
          tension: 0.25,
          spanGaps: this.stepMs * 3,
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        events: [],
        plugins: {
          legend: {
            display: true,
            labels: { color: '#e5eaf1', font: { size: TICK_PX }, boxWidth: 18, boxHeight: 5, padding: 8 },
          },
          tooltip: { enabled: false },
          kaitekiLimits: { lines },
        },
        scales: {
          x: {
            type: 'linear',
            ticks: {
              color: '#c9d1dc',
              font: { size: TICK_PX },
              maxTicksLimit: 4,
              maxRotation: 0,
              callback: (/** @type {number} */ v) => formatTime(v),
            },
            grid: { color: 'rgba(255,255,255,0.08)' },
          },
          y: { ...axis('left'), ...rangeOf(lines, 'y') },
          ...(this.quantities.length > 1
            ? { y1: { ...axis('right'), ...rangeOf(lines, 'y1'), grid: { drawOnChartArea: false } } }
            : {}),
        },
      },
    });
    this.setWindow();
  }

  /** The dashed limit lines of this chart's quantities. @param {any} limits */
  makeLines(limits) {
    const word = this.lang === 'en' ? 'limit' : '基準';
    return this.quantities.flatMap((q, i) =>
      limitLines(q, limits, this.illuminanceTarget).map((value) => ({
        axis: i === 0 ? 'y' : 'y1',
        value,
        colour: COLOURS[i],
        text: `${word} ${formatValue(q, value)}`,
      })),
    );
  }

  /**
   * The limits the lines are judged against, e.g. the zone's `limits` from
   * /api/status (they may differ per zone: illuminance targets, hours).
   * @param {any} limits
   */
  setLimits(limits) {
    if (!limits || limits === this.limits) return;
    this.limits = limits;
    const lines = this.makeLines(limits);
    this.chart.options.plugins.kaitekiLimits.lines = lines;
    for (const id of ['y', 'y1']) {
      const sc = this.chart.options.scales[id];
      if (sc) Object.assign(sc, { suggestedMin: undefined, suggestedMax: undefined }, rangeOf(lines, id));
    }
  }

  /** Moves the x axis to [now − window, now] and drops points that left it. */
  setWindow() {
    const now = this.now();
    const from = now - this.windowMs;
    this.chart.options.scales.x.min = from;
    this.chart.options.scales.x.max = now;
    for (const ds of this.chart.data.datasets) {
      const data = /** @type {Point[]} */ (ds.data);
      let drop = 0;
      while (drop < data.length && data[drop].x < from - this.stepMs) drop++;
      if (data.length - drop > this.maxPoints) drop = data.length - this.maxPoints;
      if (drop > 0) data.splice(0, drop);
    }
  }

  /**
   * Replaces a line's points (after /api/series), in place.
   * @param {string} q @param {Array<{x: number, y: number, n?: number}>} points sorted by x
   */
  setPoints(q, points) {
    const ds = this.dataset(q);
    if (!ds) return;
    ds.data.length = 0;
    for (const p of points.slice(-this.maxPoints)) ds.data.push({ x: p.x, y: p.y, n: p.n ?? 1 });
  }

  /**
   * Folds one live reading into its bucket (running mean).
   * @param {string} q @param {number} ts @param {number} value
   */
  add(q, ts, value) {
    const ds = this.dataset(q);
    if (!ds) return;
    const data = /** @type {Point[]} */ (ds.data);
    const x = Math.floor(ts / this.stepMs) * this.stepMs;
    const last = data[data.length - 1];
    if (last && last.x === x) {
      last.n += 1;
      last.y += (value - last.y) / last.n;
    } else if (!last || x > last.x) {
      data.push({ x, y: value, n: 1 });
      if (data.length > this.maxPoints) data.shift();
    }
  }

  /** Redraws without animation. */
  draw() {
    this.setWindow();
    this.chart.update('none');
  }

  /** @param {string} q */
  dataset(q) {
    const i = this.quantities.indexOf(q);
    return i < 0 ? undefined : this.chart.data.datasets[i];
  }

  /** Total points held (for leak checks). */
  size() {
    return this.chart.data.datasets.reduce((n, /** @type {any} */ ds) => n + ds.data.length, 0);
  }
}

/**
 * An axis range that always reaches the limits, so a line far from them still shows how far.
 * @param {Array<{axis: string, value: number}>} lines @param {string} axisId
 */
function rangeOf(lines, axisId) {
  const vs = lines.filter((l) => l.axis === axisId).map((l) => l.value);
  if (vs.length === 0) return {};
  const lo = Math.min(...vs);
  const hi = Math.max(...vs);
  const pad = Math.max((hi - lo) * 0.08, Math.abs(hi) * 0.05, 1);
  return vs.length > 1 ? { suggestedMin: lo - pad, suggestedMax: hi + pad } : { suggestedMax: hi + pad };
}

/** @param {'left' | 'right'} position */
function axis(position) {
  return {
    position,
    ticks: { color: '#c9d1dc', font: { size: TICK_PX }, maxTicksLimit: 4 },
    grid: { color: 'rgba(255,255,255,0.08)' },
  };
}
