/**
 * Counter queues: the number being called (呼出番号), people waiting, the
 * wait and its band per counter (under 20 min blue, 20–40 yellow, 40+ red).
 * Outside opening hours a counter says it is closed and when it opens (the
 * server's calendar, from /visit/api/counters), never `0人 0分` as if open.
 * One class serves the wall's list and the single-counter waiting-area
 * display (`big`).
 */
import { h, setState, setText } from './dom.js';
import { formatDuration, formatValue, formatWhen, jstParts } from './format.js';
import { nameIn } from './i18n.js';

const WD_JA = ['日', '月', '火', '水', '木', '金', '土'];
const WD_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export class CounterPanel {
  /**
   * @param {{zones: string[], big?: boolean, title?: {ja: string, en: string}}} spec
   * @param {any} env {lang, t, site, state, now, counters}
   */
  constructor(spec, env) {
    this.env = env;
    this.big = spec.big === true;
    const { t, lang, site } = env;
    /** @type {Array<{zone: string, name: {ja: string, en: string}, row: HTMLElement, waiting: HTMLElement, wait: HTMLElement, serving: HTMLElement, band: HTMLElement, seen: HTMLElement, closed: HTMLElement}>} */
    this.rows = [];
    const list = h('div.counter-list');
    const figure = (
      /** @type {string} */ cls,
      /** @type {string} */ label,
      /** @type {HTMLElement} */ num,
      /** @type {string} */ unit,
    ) =>
      h(
        `div.${cls}`,
        null,
        h('span.label', null, label),
        h('span.reading', null, num, unit ? h('span.cunit', null, unit) : null),
      );
    for (const id of spec.zones) {
      const zone = site.zones.find((/** @type {any} */ z) => z.id === id);
      const waiting = h('span.count', null, '—');
      const wait = h('span.wait-num', null, '—');
      const serving = h('span.serving-num', null, '—');
      const band = h('span.band-text');
      const seen = h('span.seen');
      const closed = h('div.counter-closed', { hidden: '' });
      const row = h(
        'div.counter',
        { 'data-zone': id },
        // Name and lamp in one line of text: the lamp follows the name when it fits, else
        // takes the next line (the big display places them apart, `.counter-head` being `contents`).
        h(
          'div.counter-head',
          null,
          h('span.counter-name', null, zone ? nameIn(zone.name, lang) : id),
          ' ',
          h('span.band', null, h('span.band-dot'), band),
        ),
        h(
          'div.counter-figures',
          null,
          figure('serving', t('serving'), serving, t('ticket_unit')),
          figure('waiting', t('waiting'), waiting, t('people')),
          figure('wait', t('wait'), wait, t('minutes')),
        ),
        closed,
        seen,
      );
      this.rows.push({
        zone: id,
        name: zone?.name ?? { ja: id, en: id },
        row,
        waiting,
        wait,
        serving,
        band,
        seen,
        closed,
      });
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
    const { state, t, now, lang } = this.env;
    const ms = now();
    const snap = this.env.counters?.snapshot;
    for (const r of this.rows) {
      // Each counter by its own state from the server (counters may keep different hours):
      // the visitor snapshot's counter (matched by name: it carries no ids), else the zone status.
      const own = snap?.counters?.find((/** @type {any} */ c) => c.name?.ja === r.name.ja);
      const status = state.zoneStatus(r.zone);
      const closed = own ? own.state === 'closed' : status ? status.inUse === false : false;
      r.row.classList.toggle('closed', closed);
      r.closed.hidden = !closed;
      if (closed) {
        setState(r.row, 'band-', 'none');
        const nextIso = own ? own.nextOpen : snap?.nextOpen;
        const next = nextIso ? Date.parse(nextIso) : Number.NaN;
        r.closed.replaceChildren(
          h('span.closed-title', null, t('counter_closed')),
          Number.isFinite(next)
            ? h(
                'span.closed-next',
                null,
                t('next_open', { when: openingText(next, Date.parse(snap?.now ?? '') || ms, lang) }),
              )
            : '',
        );
        setText(r.seen, '');
        continue;
      }
      const w = state.zoneValue(r.zone, 'waiting');
      const m = state.zoneValue(r.zone, 'wait_minutes');
      const s = state.zoneValue(r.zone, 'serving');
      setText(r.waiting, formatValue('waiting', w.value));
      setText(r.wait, formatValue('wait_minutes', m.value));
      setText(r.serving, s.value === null ? '—' : String(Math.round(s.value)));
      r.waiting.parentElement?.parentElement?.classList.toggle('stale', w.stale);
      r.wait.parentElement?.parentElement?.classList.toggle('stale', m.stale);
      r.serving.parentElement?.parentElement?.classList.toggle('stale', s.stale);
      // The band is the server's judgement (zone status), never re-decided here.
      const band = m.stale ? null : (m.band ?? null);
      setState(r.row, 'band-', band ?? 'none');
      setText(r.band, t(`band_${band ?? 'none'}`));
      const stale = [w, m, s].filter((v) => v.stale);
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

/**
 * `8:30` today, `明日 8:30`, else `12/1（月）8:30` (English `Mon 1/12 8:30`).
 * @param {number} ms @param {number} now @param {'ja' | 'en'} lang
 */
export function openingText(ms, now, lang) {
  const a = jstParts(ms);
  const b = jstParts(now);
  const time = `${a.hour}:${String(a.minute).padStart(2, '0')}`;
  if (a.year === b.year && a.month === b.month && a.day === b.day) return time;
  const tomorrow = jstParts(now + 86_400_000);
  if (a.year === tomorrow.year && a.month === tomorrow.month && a.day === tomorrow.day)
    return lang === 'en' ? `tomorrow ${time}` : `明日 ${time}`;
  return lang === 'en'
    ? `${WD_EN[a.weekday]} ${a.day}/${a.month} ${time}`
    : `${a.month}/${a.day}（${WD_JA[a.weekday]}）${time}`;
}
