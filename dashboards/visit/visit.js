/**
 * The visitor page (/visit): per counter, people waiting, waiting time, the
 * number being called and the congestion lamp, as the server judged them
 * (/visit/api/counters); today's waiting by hour beside the usual pattern
 * (/visit/api/pattern). Live over /visit/api/stream, polling when the stream
 * is not available. The page decides nothing itself: lamp colours, opening
 * hours and staleness all come from the server. Times are shown in JST.
 */

import { MON_EN, WD_EN, WD_JA, WORDS } from './words.js';

const JST_MS = 9 * 3_600_000;
/** With no update for this long, what is on screen is old and says so. */
const OLD_AFTER_MS = 90_000;
const POLL_MS = 30_000;
const PATTERN_MS = 10 * 60_000;

const params = new URLSearchParams(location.search);
const lang = params.get('lang') === 'en' ? 'en' : 'ja';
document.documentElement.lang = lang;

/** @param {string} key @param {Record<string, string | number>} [vars] */
function t(key, vars) {
  const s = WORDS[lang][key] ?? WORDS.ja[key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? '')) : s;
}

/** @param {number} ms */
function jst(ms) {
  const d = new Date(ms + JST_MS);
  return {
    y: d.getUTCFullYear(),
    mo: d.getUTCMonth() + 1,
    d: d.getUTCDate(),
    h: d.getUTCHours(),
    mi: d.getUTCMinutes(),
    wd: d.getUTCDay(),
  };
}

const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
const hhmm = (/** @type {number} */ ms) => {
  const p = jst(ms);
  return `${p.h}:${pad(p.mi)}`;
};

/** `14:05`, or `11/28 14:05` on another day. @param {number} ms @param {number} now */
function when(ms, now) {
  const a = jst(ms);
  const b = jst(now);
  if (a.y === b.y && a.mo === b.mo && a.d === b.d) return hhmm(ms);
  return lang === 'en' ? `${a.d} ${MON_EN[a.mo - 1]} ${hhmm(ms)}` : `${a.mo}/${a.d} ${hhmm(ms)}`;
}

/** `12月1日（月）8:30` / `Mon 1 Dec, 8:30`. @param {number} ms */
function dayAndTime(ms) {
  const p = jst(ms);
  return lang === 'en'
    ? `${WD_EN[p.wd]} ${p.d} ${MON_EN[p.mo - 1]}, ${hhmm(ms)}`
    : `${p.mo}月${p.d}日（${WD_JA[p.wd]}）${hhmm(ms)}`;
}

/**
 * @param {string} tag `div.a.b`
 * @param {string | null} [text]
 * @param {...Node} children
 */
function el(tag, text, ...children) {
  const [name, ...classes] = tag.split('.');
  const e = document.createElement(name || 'div');
  if (classes.length) e.className = classes.join(' ');
  if (text !== null && text !== undefined) e.textContent = text;
  for (const c of children) e.append(c);
  return e;
}

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** Offset of the server clock from ours (from the snapshot's `now`). */
let offset = 0;
const serverNow = () => Date.now() + offset;
/** local ms of the last snapshot we received */
let lastAt = 0;
/** @type {any} */
let snap = null;

function setStatic() {
  document.title = t('title');
  $('title').textContent = t('title');
  const other = /** @type {HTMLAnchorElement} */ ($('lang'));
  other.textContent = t('lang_other');
  other.lang = lang === 'en' ? 'ja' : 'en';
  other.href = lang === 'en' ? '?' : '?lang=en';
  $('key-title').textContent = t('key_title');
  $('foot').textContent = t('foot');
}

/** @param {any} s the /visit/api/counters snapshot */
function render(s) {
  snap = s;
  const now = Date.parse(s.now);
  offset = now - Date.now();
  lastAt = Date.now();
  $('site').textContent = s.site[lang] ?? s.site.ja;
  $('asof').textContent =
    t('asof', { time: hhmm(now) }) +
    (s.closesAt ? ` ・ ${t('closes', { time: hhmm(Date.parse(s.closesAt)) })}` : '');
  const closed = $('closed');
  closed.hidden = s.open;
  if (!s.open) {
    $('closed-title').textContent = t('closed');
    $('closed-next').textContent = s.nextOpen
      ? t('next_open', { when: dayAndTime(Date.parse(s.nextOpen)) })
      : t('no_next');
  }
  const cards = $('cards');
  cards.replaceChildren(...s.counters.map((/** @type {any} */ c) => card(c, now, s)));
  renderKey(s.bands);
  $('visit').setAttribute('aria-busy', 'false');
  document.body.dataset.ready = 'true';
  checkOld();
}

/** @param {any} c @param {number} now @param {any} s */
function card(c, now, s) {
  const name = el('h2.name', c.name[lang] ?? c.name.ja);
  const box = el(`section.card.state-${c.state}.band-${c.band ?? 'none'}`, null, name);
  if (c.state === 'closed') {
    box.append(el('p.card-closed', t('closed_card')));
    // this counter's own next opening (counters may keep different hours), else the site's
    const next = c.nextOpen ?? s.nextOpen;
    if (next) box.append(el('p.card-next', t('next_open', { when: dayAndTime(Date.parse(next)) })));
    return box;
  }
  if (c.state === 'stale' || c.state === 'nodata') {
    box.append(
      el('p.card-stale', c.updated ? t('stale', { time: when(Date.parse(c.updated), now) }) : t('nodata')),
    );
    return box;
  }
  const lamp = el('p.lamp', null, el('span.dot'), el('span.lamp-text', t(`lamp_${c.band ?? 'none'}`)));
  const figure = (
    /** @type {string} */ cls,
    /** @type {string} */ label,
    /** @type {string} */ num,
    /** @type {string} */ unit,
    pre = '',
  ) =>
    el(
      `div.fig.${cls}`,
      null,
      el('span.fig-label', label),
      el(
        'span.fig-value',
        null,
        ...(pre ? [el('span.pre', pre)] : []),
        el('span.num', num),
        el('span.unit', unit),
      ),
    );
  const num = (/** @type {number | null} */ v) =>
    v === null || v === undefined ? '—' : String(Math.round(v));
  box.append(
    lamp,
    el(
      'div.figs',
      null,
      figure('serving', t('serving'), num(c.serving), t('ban')),
      figure('waiting', t('waiting'), num(c.waiting), t('people')),
      figure('wait', t('wait'), num(c.waitMinutes), t('minutes'), c.waitMinutes > 0 ? t('about') : ''),
    ),
    el('p.updated', c.updated ? t('updated', { time: when(Date.parse(c.updated), now) }) : ''),
  );
  return box;
}

/** @param {{yellowFrom: number, redFrom: number}} b */
function renderKey(b) {
  const vars = { y: b.yellowFrom, r: b.redFrom };
  $('key-list').replaceChildren(
    ...['blue', 'yellow', 'red'].map((band) =>
      el(
        `li.band-${band}`,
        null,
        el('span.dot'),
        el('b', t(`lamp_${band}`)),
        el('span', t(`key_${band}`, vars)),
      ),
    ),
  );
}

/** What is on screen gets old when nothing arrives: say so plainly, never show it as current. */
function checkOld() {
  const old = lastAt > 0 && Date.now() - lastAt > OLD_AFTER_MS;
  document.body.classList.toggle('old', old);
  const conn = $('conn');
  conn.hidden = !old;
  if (old && snap) conn.textContent = t('conn_lost', { time: when(Date.parse(snap.now), serverNow()) });
}

/** @param {any} p the /visit/api/pattern body */
function renderPattern(p) {
  const sec = $('pattern');
  const [y, m, d] = p.date.split('-').map(Number);
  const wd = lang === 'en' ? WD_EN[p.weekday] : WD_JA[p.weekday];
  const dayLabel =
    lang === 'en' ? `${WD_EN[p.weekday]} ${d} ${MON_EN[m - 1]}` : `${m}月${d}日（${WD_JA[p.weekday]}）`;
  void y;
  $('pattern-title').textContent = p.isToday ? t('pattern_today') : t('pattern_next', { day: dayLabel });
  // weeks, days and the minimum come from the server (src/http/visit-data.ts): a "usual" of one day is no forecast
  const short = (/** @type {any} */ c) => c.days < p.minDays;
  const vars = { wd, weeks: p.weeks, n: p.days };
  $('pattern-note').textContent = p.counters.every(short)
    ? t(p.isToday ? 'pattern_short_today' : 'pattern_short_next', vars) +
      (p.days === 0 ? ` ${t('pattern_nohist')}` : '')
    : t(p.isToday ? 'pattern_note_today' : 'pattern_note_next', vars);
  const max = Math.max(
    10,
    ...p.counters.flatMap((/** @type {any} */ c) => [...c.today, ...c.usual].filter((v) => v !== null)),
  );
  const body = $('pattern-body');
  body.replaceChildren(
    ...p.counters.map((/** @type {any} */ c) => {
      const legend = el(
        'p.pattern-legend',
        null,
        ...(p.isToday ? [el('span.sw.sw-today'), el('span', t('today'))] : []),
        ...(short(c)
          ? [el('span.pattern-short', t('short', { n: c.days }))]
          : [el('span.sw.sw-usual'), el('span', t('usual', { wd }))]),
      );
      const rows = p.hours.map((/** @type {number} */ h, /** @type {number} */ i) => {
        const today = c.today[i];
        const usual = c.usual[i];
        const bars = el('div.bars');
        const bar = (/** @type {string} */ cls, /** @type {number | null} */ v) => {
          const b = el(`span.bar.${cls}`);
          b.style.width = `${v === null ? 0 : Math.max(2, (v / max) * 100)}%`;
          return b;
        };
        bars.append(bar('usual', usual));
        if (p.isToday) bars.append(bar('today', today));
        const fmt = (/** @type {number | null} */ v) => (v === null ? '—' : String(Math.round(v)));
        const value = p.isToday ? `${fmt(today)} / ${fmt(usual)}` : fmt(usual);
        return el(
          'li.prow',
          null,
          el('span.ph', t('hour', { h })),
          bars,
          el('span.pv', `${value}${lang === 'en' ? ' min' : '分'}`),
        );
      });
      return el(
        'div.pcounter',
        null,
        el('h3', c.name[lang] ?? c.name.ja),
        legend,
        el('ol.prows', null, ...rows),
      );
    }),
  );
  sec.hidden = false;
}

/** @param {string} url */
async function getJson(url) {
  const res = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/** @type {ReturnType<typeof setInterval> | undefined} */
let pollTimer;
function startPolling() {
  if (pollTimer) return;
  pollTimer = setInterval(poll, POLL_MS);
}
function stopPolling() {
  clearInterval(pollTimer);
  pollTimer = undefined;
}
async function poll() {
  try {
    render(await getJson('/visit/api/counters'));
  } catch {
    checkOld();
  }
}

function live() {
  if (!('EventSource' in window)) {
    startPolling();
    return;
  }
  const es = new EventSource('/visit/api/stream');
  es.addEventListener('counters', (ev) => {
    try {
      render(JSON.parse(/** @type {MessageEvent} */ (ev).data));
    } catch {
      // a broken event: the next one or the poll brings the state
    }
  });
  es.onopen = () => stopPolling();
  // The browser retries by itself; meanwhile (or when it gives up, e.g. 503 when full) we poll.
  es.onerror = () => {
    startPolling();
    if (es.readyState === EventSource.CLOSED) setTimeout(live, 60_000);
  };
}

async function loadPattern() {
  try {
    renderPattern(await getJson('/visit/api/pattern'));
  } catch {
    // the forecast is a bonus: the counters stay
  }
}

async function boot() {
  setStatic();
  try {
    render(await getJson('/visit/api/counters'));
  } catch {
    $('cards').replaceChildren(el('p.error', t('error')));
    startPolling();
  }
  live();
  loadPattern();
  setInterval(loadPattern, PATTERN_MS);
  setInterval(checkOld, 5_000);
}

boot();
