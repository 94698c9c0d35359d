/**
 * Counter queues: people waiting and the wait band per counter (under 20 min
 * blue, 20–40 yellow, 40+ red). One class serves the wall's list and the
 * single-counter waiting-area display (`big`).
 */
import { h, setState, setText } from './dom.js';
import { formatDuration, formatValue, formatWhen } from './format.js';
import { nameIn } from './i18n.js';
import { waitBand } from './status.js';

export class CounterPanel {
  /**
   * @param {{zones: string[], big?: boolean, title?: {ja: string, en: string}}} spec
   * @param {any} env {lang, t, site, state, now}
   */
  constructor(spec, env) {
    this.env = env;
    this.big = spec.big === true;
    const { t, lang, site } = env;
    /** @type {Array<{zone: string, row: HTMLElement, waiting: HTMLElement, wait: HTMLElement, band: HTMLElement, seen: HTMLElement}>} */
    this.rows = [];
    const list = h('div.counter-list');
    for (const id of spec.zones) {
      const zone = site.zones.find((/** @type {any} */ z) => z.id === id);
      const waiting = h('span.count', null, '—');
      const wait = h('span.wait-num', null, '—');
      const band = h('span.band-text');
      const seen = h('span.seen');
      const row = h(
        'div.counter',
        { 'data-zone': id },
        h('div.counter-name', null, zone ? nameIn(zone.name, lang) : id),
        h(
          'div.counter-figures',
          null,
          h(
            'div.waiting',
            null,
            h('span.label', null, t('waiting')),
            h('span.reading', null, waiting, h('span.cunit', null, t('people'))),
          ),
          h(
            'div.wait',
            null,
            h('span.label', null, t('wait')),
            h('span.reading', null, wait, h('span.cunit', null, t('minutes'))),
          ),
        ),
        h('div.band', null, h('span.band-dot'), band),
        seen,
      );
      this.rows.push({ zone: id, row, waiting, wait, band, seen });
      list.append(row);
    }
    const title = spec.title ? nameIn(spec.title, lang) : t('counters');
    this.el = h(
      `section.panel.counters${this.big ? '.big' : ''}`,
      null,
      this.big ? null : h('h2', null, title),
      list,
    );
  }

  render() {
    const { state, site, t, now } = this.env;
    const ms = now();
    for (const r of this.rows) {
      const w = state.zoneValue(r.zone, 'waiting');
      const m = state.zoneValue(r.zone, 'wait_minutes');
      setText(r.waiting, formatValue('waiting', w.value));
      setText(r.wait, formatValue('wait_minutes', m.value));
      r.waiting.parentElement?.parentElement?.classList.toggle('stale', w.stale);
      r.wait.parentElement?.parentElement?.classList.toggle('stale', m.stale);
      const band = m.stale ? null : waitBand(m.value, site.limits.wait);
      setState(r.row, 'band-', band ?? 'none');
      setText(r.band, t(`band_${band ?? 'none'}`));
      const stale = [w, m].filter((v) => v.stale);
      const oldest = stale.length > 0 ? Math.min(...stale.map((v) => v.ts)) : 0;
      setText(
        r.seen,
        oldest
          ? `${t('last_seen')} ${formatWhen(oldest, ms)}（${t('ago', { age: formatDuration(ms - oldest, t) })}）`
          : '',
      );
      r.row.classList.toggle('stale', stale.length > 0 && !(w.value !== null && !w.stale));
    }
  }
}
