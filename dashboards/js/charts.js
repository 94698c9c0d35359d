/**
 * A zone's trend chart (Chart.js, served locally as a global `Chart`).
 * Created once per tile and updated in place: live readings fold into the
 * current bucket, old buckets drop off the left edge and each line holds at
 * most maxPoints points, so weeks of running neither grow memory nor leak
 * charts.
 */
import { formatTime } from './format.js';
import { quantityLabel, quantityUnit } from './i18n.js';

const COLOURS = ['#7cc4ff', '#ffb86b'];

/** @typedef {{x: number, y: number, n: number}} Point */

export class TrendChart {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {string[]} quantities one or two, the second on a right-hand axis
   * @param {{lang: 'ja' | 'en', hours: number, stepMs: number, now: () => number}} opts
   */
  constructor(canvas, quantities, opts) {
    this.quantities = quantities.slice(0, 2);
    this.windowMs = opts.hours * 3_600_000;
    this.stepMs = opts.stepMs;
    this.maxPoints = Math.ceil(this.windowMs / this.stepMs) + 2;
    this.now = opts.now;
    const Chart = /** @type {any} */ (globalThis).Chart;
    this.chart = new Chart(canvas, {
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
            labels: { color: '#d8dee9', font: { size: 15 }, boxWidth: 14, boxHeight: 4 },
          },
          tooltip: { enabled: false },
        },
        scales: {
          x: {
            type: 'linear',
            ticks: {
              color: '#aab4c3',
              font: { size: 14 },
              maxTicksLimit: 4,
              callback: (/** @type {number} */ v) => formatTime(v),
            },
            grid: { color: 'rgba(255,255,255,0.08)' },
          },
          y: axis('left'),
          ...(this.quantities.length > 1
            ? { y1: { ...axis('right'), grid: { drawOnChartArea: false } } }
            : {}),
        },
      },
    });
    this.setWindow();
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

/** @param {'left' | 'right'} position */
function axis(position) {
  return {
    position,
    ticks: { color: '#aab4c3', font: { size: 14 }, maxTicksLimit: 4 },
    grid: { color: 'rgba(255,255,255,0.08)' },
  };
}
