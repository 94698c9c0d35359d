/**
 * A zone tile: large current values, the status the server judged (comfortable /
 * caution / out of range / 閉庁中 closed / stale / offline), a distinct
 * eco-deviation mark and the zone's trend. Stale values are greyed with
 * "last seen …", never shown as current.
 */
import { TrendChart } from './charts.js';
import { h, setState, setText } from './dom.js';
import { formatDuration, formatValue, formatWhen } from './format.js';
import { nameIn, quantityLabel, quantityUnit } from './i18n.js';
import { hasEco } from './status.js';

export const DEFAULT_QUANTITIES = ['temperature', 'humidity', 'co2', 'illuminance', 'lights'];

export class ZoneTile {
  /**
   * @param {any} zone zone config from /api/site
   * @param {{quantities?: string[], trend?: string[]}} spec
   * @param {any} env {lang, t, site, state, hours, stepMs, now}
   */
  constructor(zone, spec, env) {
    this.zone = zone;
    this.env = env;
    this.quantities = spec.quantities ?? DEFAULT_QUANTITIES;
    this.trend = spec.trend ?? ['temperature', 'co2'];
    const { t, lang } = env;
    this.badge = h('span.badge.status-badge');
    this.eco = h('span.badge.eco-badge', { hidden: '', title: t('eco') }, t('eco_short'));
    /** @type {Map<string, {cell: HTMLElement, num: HTMLElement, seen: HTMLElement}>} */
    this.cells = new Map();
    const values = h('div.values');
    for (const q of this.quantities) {
      const num = h('span.num', null, '—');
      const seen = h('span.seen');
      const unit = q === 'lights' ? null : h('span.unit', null, quantityUnit(q, lang));
      const cell = h(
        `div.value.q-${q}`,
        { 'data-q': q },
        h('span.label', null, quantityLabel(q, lang), unit),
        h('span.reading', null, num),
        seen,
      );
      this.cells.set(q, { cell, num, seen });
      values.append(cell);
    }
    const canvas = /** @type {HTMLCanvasElement} */ (
      h('canvas', { 'aria-label': `${nameIn(zone.name, lang)} trend` })
    );
    this.el = h(
      'section.tile',
      { 'data-zone': zone.id },
      h('header', null, h('h2', null, nameIn(zone.name, lang)), h('span.badges', null, this.eco, this.badge)),
      values,
      this.trend.length > 0 ? h('div.chart', null, canvas) : null,
    );
    /** @type {TrendChart | null} */
    this.chart = null;
    this.canvas = canvas;
  }

  /** Creates the chart once the tile is in the document (Chart.js needs a sized parent). */
  mount() {
    if (this.trend.length === 0 || this.chart) return;
    this.chart = new TrendChart(this.canvas, this.trend, {
      lang: this.env.lang,
      hours: this.env.trendHours,
      stepMs: this.env.stepMs,
      now: this.env.now,
    });
  }

  /** Re-renders values, staleness and status as the server judged them (zone status); nothing is decided here. */
  render() {
    const { state, t, now } = this.env;
    const ms = now();
    const zs = state.zoneStatus(this.zone.id);
    let lastSeen = 0;
    for (const [q, { cell, num, seen }] of this.cells) {
      const v = state.zoneValue(this.zone.id, q);
      const text = q === 'lights' ? lightsText(v.value, t) : formatValue(q, v.value);
      setText(num, text);
      setState(cell, 'status-', v.stale ? null : v.state);
      cell.classList.toggle('stale', v.stale);
      cell.classList.toggle('nodata', v.value === null);
      if (q === 'lights')
        setState(cell, 'lights-', v.value === null || v.stale ? null : v.value >= 0.5 ? 'on' : 'off');
      setText(
        seen,
        v.stale ? (v.offline ? t('offline') : t('seen_ago', { age: formatDuration(ms - v.ts, t) })) : '',
      );
      if (v.stale) lastSeen = Math.max(lastSeen, v.ts);
    }
    const status = zs?.state ?? 'nodata';
    setState(this.el, 'status-', status);
    this.el.dataset.state = status;
    // out because of building protection (frost, heat, damp): say so, it is not a comfort matter
    const protection =
      status === 'out' && (zs?.reasons ?? []).some((/** @type {any} */ r) => r.category === 'protection');
    // A tile with only stale values says when it last heard from the zone, never a comfort status.
    setText(
      this.badge,
      (status === 'stale' || status === 'nodata') && lastSeen
        ? `${t('last_seen')} ${formatWhen(lastSeen, ms)}`
        : t(protection ? 'status_protection' : `status_${status}`),
    );
    this.el.classList.toggle('stale', status === 'stale' || status === 'offline');
    const alerts = state.zoneAlerts(this.zone.id);
    const eco = hasEco(zs) || alerts.some((a) => a.category === 'eco');
    this.eco.hidden = !eco;
    this.el.classList.toggle('eco', eco);
  }

  /** Live readings for the trend. @param {any[]} readings of this zone */
  addToTrend(readings) {
    if (!this.chart) return;
    for (const r of readings) if (!r.stale) this.chart.add(r.quantity, Date.parse(r.ts), r.value);
  }

  /** Reloads the trend from /api/series (on start and after a reconnect). @param {(q: string) => Promise<Array<{x:number,y:number,n:number}>>} load */
  async loadTrend(load) {
    if (!this.chart) return;
    for (const q of this.chart.quantities) this.chart.setPoints(q, await load(q));
    this.chart.draw();
  }

  drawTrend() {
    this.chart?.draw();
  }
}

/** @param {number | null} v @param {(k: string) => string} t */
function lightsText(v, t) {
  if (v === null) return '—';
  return v >= 0.5 ? t('lights_on') : t('lights_off');
}
