/**
 * The active alerts: what, where, how bad, for how long, and whether someone
 * has acknowledged it. Shows "not available" when the server has no alerts API.
 */
import { h, setState, setText } from './dom.js';
import { formatDuration, formatValue } from './format.js';
import { nameIn, quantityLabel, quantityUnit } from './i18n.js';
import { alertTime } from './state.js';

export class AlertPanel {
  /** @param {{max?: number}} spec @param {any} env {lang, t, site, state, now} */
  constructor(spec, env) {
    this.env = env;
    this.max = spec.max ?? 6;
    this.list = h('ol.alert-list');
    this.note = h('p.alert-note');
    this.count = h('span.alert-count');
    this.el = h(
      'section.panel.alerts',
      null,
      h('h2', null, env.t('alerts'), ' ', this.count),
      this.list,
      this.note,
    );
    /** @type {HTMLElement[]} */
    this.items = [];
  }

  render() {
    const { state, t, lang, site, now } = this.env;
    const ms = now();
    if (!state.alertsAvailable) {
      this.show(0);
      setText(this.count, '');
      setText(this.note, t('alerts_unavailable'));
      setState(this.el, 'alerts-', 'unavailable');
      return;
    }
    const active = state.activeAlerts();
    setText(this.count, active.length > 0 ? String(active.length) : '');
    const shown = active.slice(0, this.max);
    this.show(shown.length);
    shown.forEach((a, i) => {
      const li = this.items[i];
      const [sev, where, msg, age, ack] = /** @type {HTMLElement[]} */ ([...li.children]);
      setState(li, 'sev-', a.severity);
      li.classList.toggle('acked', a.state === 'acknowledged');
      li.dataset.id = String(a.id);
      setText(sev, t(`sev_${a.severity}`));
      const zone = site.zones.find((/** @type {any} */ z) => z.id === a.zone);
      setText(where, zone ? nameIn(zone.name, lang) : (a.zone ?? ''));
      const own = nameIn(a.message ?? a.title, lang);
      const parts = own ? undefined : describeParts(a, lang);
      if (parts?.limit) {
        // the limit in one piece: the line breaks before （基準 1,000 以下）, never inside it
        const text = `${parts.head}${parts.limit}`;
        if (msg.textContent !== text) msg.replaceChildren(parts.head, h('span.limit', null, parts.limit));
      } else setText(msg, own || parts?.head || a.rule || a.ruleId || '');
      const opened = alertTime(a.openedAt);
      setText(age, Number.isFinite(opened) ? t('since', { age: formatDuration(ms - opened, t) }) : '');
      setText(ack, a.state === 'acknowledged' ? ackText(a.ackedBy ?? a.acknowledgedBy, t) : t('not_acked'));
    });
    setState(this.el, 'alerts-', active.length > 0 ? 'active' : 'none');
    // Never a card half below the panel's edge: drop whole cards that do not fit and count them in 他N件.
    let n = shown.length;
    const note = () => {
      if (active.length === 0) setText(this.note, t('alerts_none'));
      else if (active.length > n) setText(this.note, t('alerts_more', { n: active.length - n }));
      else setText(this.note, '');
    };
    note();
    while (n > 1 && this.overflows()) {
      n--;
      this.show(n);
      note();
    }
  }

  /** True when the last card reaches past the list's visible box (only measurable in the document). */
  overflows() {
    if (!this.list.isConnected || this.items.length === 0) return false;
    const box = this.list.getBoundingClientRect();
    if (box.height === 0) return false;
    const last = this.items[this.items.length - 1].getBoundingClientRect();
    return last.bottom > box.bottom + 0.5;
  }

  /** Keeps exactly n list items, reusing the elements. @param {number} n */
  show(n) {
    while (this.items.length < n) {
      const li = h(
        'li.alert',
        null,
        h('span.sev'),
        h('span.where'),
        h('span.msg'),
        h('span.age'),
        h('span.ack'),
      );
      this.items.push(li);
      this.list.append(li);
    }
    while (this.items.length > n) this.items.pop()?.remove();
  }
}

/** @param {string | null | undefined} who @param {(k: string, v?: Record<string, string>) => string} t */
function ackText(who, t) {
  return who ? t('acked_by', { who }) : t('acked');
}

/**
 * "CO2 1,450 ppm（基準 1,000 以下）" from an alert's quantity, value and limit, for rules without a title.
 * @param {any} a @param {'ja' | 'en'} lang
 */
export function describe(a, lang) {
  const p = describeParts(a, lang);
  return `${p.head}${p.limit}`;
}

/**
 * The two pieces of `describe`: the reading and its limit (`（基準 1,000 以下）`, or '' without one).
 * @param {any} a @param {'ja' | 'en'} lang
 */
export function describeParts(a, lang) {
  if (!a.quantity || typeof a.value !== 'number') return { head: '', limit: '' };
  const unit = quantityUnit(a.quantity, lang);
  const head = `${quantityLabel(a.quantity, lang)} ${formatValue(a.quantity, a.value)}${unit ? ` ${unit}` : ''}`;
  const lim = a.limit ?? {};
  const above = typeof lim.above === 'number' ? formatValue(a.quantity, lim.above) : undefined;
  const below = typeof lim.below === 'number' ? formatValue(a.quantity, lim.below) : undefined;
  if (lang === 'en') {
    const range = above && below ? `${below}–${above}` : above ? `≤ ${above}` : below ? `≥ ${below}` : '';
    return { head, limit: range ? ` (limit ${range})` : '' };
  }
  const range =
    above && below ? `${below}〜${above}` : above ? `${above} 以下` : below ? `${below} 以上` : '';
  return { head, limit: range ? `（基準 ${range}）` : '' };
}
