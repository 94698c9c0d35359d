/**
 * The staff alert page (phones first, Japanese first; ?lang=en). Opened from
 * a notice's signed link (?t=…): the alerts of the notice come first, with a
 * 確認 button (POST with the token; the person's name is asked once and kept
 * in localStorage) and a form to silence the sensor or zone for a while.
 * Without a token the page is read-only. Nothing here judges limits: the
 * alert carries its limit, value and peak from the server.
 */
import { text as tr } from './words.js';

const params = new URLSearchParams(location.search);
/** @type {'ja' | 'en'} */
const lang = params.get('lang') === 'en' ? 'en' : 'ja';
const token = params.get('t') ?? '';
/** alert ids the link covers (the token starts with them; the server checks the signature) */
const linked = token ? (token.split('.')[0] ?? '').split('-').map(Number) : [];
const t = (
  /** @type {keyof typeof WORDS.ja} */ key,
  /** @type {Record<string, string | number>} */ vars = {},
) => tr(lang, key, vars);
const NAME_KEY = 'kaiteki.name';

document.documentElement.lang = lang;

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {(Node | string | null | undefined | false)[]} [kids]
 */
function h(tag, attrs = {}, kids = []) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') el.className = v;
    else el.setAttribute(k, v);
  }
  for (const k of kids) if (k) el.append(k);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
/** @param {string} tag @param {Record<string, string | number>} attrs */
function s(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

// ── formatting (JST, units) ───────────────────────────────────────────────
const DECIMALS = { temperature: 1, energy: 1 };
const UNITS_JA = {
  temperature: '°C',
  humidity: '%',
  co2: 'ppm',
  illuminance: 'lx',
  occupancy: '人',
  waiting: '人',
  wait_minutes: '分',
  power: 'W',
  energy: 'kWh',
};
const UNITS_EN = { ...UNITS_JA, occupancy: 'people', waiting: 'people', wait_minutes: 'min' };

/** @param {number} ms */
function duration(ms) {
  if (ms < 60_000) return lang === 'ja' ? '1分未満' : 'under 1 min';
  const min = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(min / 1440);
  const hh = Math.floor((min % 1440) / 60);
  const m = min % 60;
  if (lang === 'ja')
    return d ? `${d}日${hh ? `${hh}時間` : ''}` : hh ? `${hh}時間${m ? `${m}分` : ''}` : `${m}分`;
  return d ? `${d} d${hh ? ` ${hh} h` : ''}` : hh ? `${hh} h${m ? ` ${m} min` : ''}` : `${m} min`;
}

const jstTime = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const jstDay = new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
  timeZone: 'Asia/Tokyo',
  month: lang === 'ja' ? 'numeric' : 'short',
  day: 'numeric',
  weekday: 'short',
});
const dayKey = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' });

/** `10:05` today, `11/9(日) 10:05` otherwise — always JST */
function when(/** @type {string} */ iso) {
  const d = new Date(iso);
  const time = jstTime.format(d);
  return dayKey.format(d) === dayKey.format(new Date()) ? time : `${jstDay.format(d)} ${time}`;
}

/** @param {any} a @param {number} x */
function value(a, x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (a.kind === 'stale') return duration(x * 60_000);
  if (a.kind === 'empty_zone' || a.quantity === 'lights') return x >= 0.5 ? t('on') : t('off');
  const q = a.quantity;
  const dec = /** @type {Record<string, number>} */ (DECIMALS)[q] ?? 0;
  const n = x.toLocaleString('ja-JP', { minimumFractionDigits: dec, maximumFractionDigits: dec });
  const unit = /** @type {Record<string, string>} */ (lang === 'ja' ? UNITS_JA : UNITS_EN)[q] ?? '';
  const tight = lang === 'ja' && (unit === '人' || unit === '分');
  return unit ? `${n}${tight ? '' : ' '}${unit}` : n;
}

/** The limit as the server captured it: `1,000 ppm 以下`, `18.0〜28.0 °C`. */
function limit(/** @type {any} */ a) {
  const l = a.limit ?? {};
  if (a.kind === 'stale') return l.staleMs ? t('within', { d: duration(l.staleMs) }) : '';
  const avg = a.kind === 'day_average' ? t('daily_mean') : '';
  if (l.above !== undefined && l.below !== undefined)
    return `${avg}${value(a, l.below)}〜${value(a, l.above)}`;
  if (l.above !== undefined) return `${avg}${t(l.inclusive ? 'lt' : 'le', { v: value(a, l.above) })}`;
  if (l.below !== undefined) return `${avg}${t(l.inclusive ? 'gt' : 'ge', { v: value(a, l.below) })}`;
  return '';
}

/** Below-limit alerts show the lowest value, above-limit ones the highest (the server says which). */
function isLow(/** @type {any} */ a) {
  return a.low === true;
}

function zoneName(/** @type {any} */ a) {
  return a.zoneName?.[lang] ?? a.zone;
}

function what(/** @type {any} */ a) {
  if (a.kind === 'stale') return t('stale_what', { s: a.sensor ?? '' });
  const title = a.title?.[lang];
  const q = a.quantity ? t(`q_${a.quantity}`) : '';
  return title ? `${title}${q && !title.includes(q) ? `（${q}）` : ''}` : q;
}

// ── data ──────────────────────────────────────────────────────────────────
/** @param {string} url @param {any} [body] */
async function call(url, body) {
  const res = await fetch(
    url,
    body === undefined
      ? {}
      : {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        },
  );
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(data.error ?? `HTTP ${res.status}`), { status: res.status });
  return data;
}

async function load() {
  const [mine, active, recent, silences] = await Promise.all([
    linked.length ? call(`/api/alerts?ids=${linked.join(',')}`) : [],
    call('/api/alerts?state=active&limit=50'),
    call('/api/alerts?state=resolved&limit=10'),
    call('/api/silences').catch(() => []),
  ]);
  return { mine, active, recent, silences };
}

// ── rendering ─────────────────────────────────────────────────────────────
/** @type {Map<string, SVGSVGElement>} */
const trends = new Map();

function render(/** @type {any} */ data) {
  const main = $('main');
  const mineIds = new Set(data.mine.map((/** @type {any} */ a) => a.id));
  const sections = [];
  if (token) {
    sections.push(
      h('section', { class: 'linked', 'aria-labelledby': 'h-linked' }, [
        h('h2', { id: 'h-linked' }, [t(data.mine.length > 1 ? 'linked_many' : 'linked_one')]),
        ...data.mine.map((/** @type {any} */ a) => card(a, true)),
      ]),
    );
  }
  if (!token) sections.push(h('p', { class: 'readonly' }, [t('read_only')]));
  const others = data.active.filter((/** @type {any} */ a) => !mineIds.has(a.id));
  sections.push(
    h('section', { 'aria-labelledby': 'h-active' }, [
      h('h2', { id: 'h-active' }, [
        token ? t('other_active', { n: others.length }) : t('active', { n: others.length }),
      ]),
      others.length ? null : h('p', { class: 'empty' }, [t('none_active')]),
      ...others.map((/** @type {any} */ a) => card(a, false)),
    ]),
  );
  const live = data.silences.filter((/** @type {any} */ x) => x.active);
  sections.push(
    h('section', { 'aria-labelledby': 'h-silences' }, [
      h('h2', { id: 'h-silences' }, [t('silences', { n: live.length })]),
      live.length ? null : h('p', { class: 'empty' }, [t('none_silenced')]),
      ...live.map((/** @type {any} */ x) => silenceRow(x, mineIds)),
    ]),
  );
  const recent = data.recent.filter((/** @type {any} */ a) => !mineIds.has(a.id));
  if (recent.length)
    sections.push(
      h('section', { 'aria-labelledby': 'h-recent' }, [
        h('h2', { id: 'h-recent' }, [t('recent')]),
        ...recent.map((/** @type {any} */ a) => card(a, false)),
      ]),
    );
  main.replaceChildren(...sections);
  if ($('status').textContent === t('loading')) $('status').textContent = '';
  $('updated').textContent = t('updated', { t: jstTime.format(new Date()) });
}

/** @param {any} a @param {boolean} canAct */
function card(a, canAct) {
  const resolved = a.state === 'resolved';
  const acked = a.state === 'acknowledged' || a.acknowledgedAt;
  const state = resolved ? t('st_resolved') : acked ? t('st_acked') : t('st_firing');
  const sev = t(`sev_${a.severity}`);
  const since = a.openedAt ? when(a.openedAt) : '';
  const dur = duration(a.durationMs ?? 0);
  const lim = limit(a);
  const extreme =
    a.kind === 'stale' || a.kind === 'empty_zone' || a.kind === 'calibration' || a.quantity === 'lights'
      ? ''
      : `${t(isLow(a) ? 'lowest' : 'highest')} ${value(a, a.peak)}`;
  // the server marks an open alert covered by a silence in force
  const silenced = a.silence;
  const el = h(
    'article',
    {
      class: `alert sev-${a.severity} ${resolved ? 'is-resolved' : acked ? 'is-acked' : 'is-firing'}`,
      id: `alert-${a.id}`,
      'data-alert': String(a.id),
    },
    [
      h('div', { class: 'badges' }, [
        h('span', { class: `badge sev` }, [sev]),
        h('span', { class: 'badge state' }, [state]),
        silenced ? h('span', { class: 'badge muted' }, [t('st_silenced')]) : null,
      ]),
      h('h3', {}, [
        h('span', { class: 'where' }, [zoneName(a)]),
        ' ',
        h('span', { class: 'what' }, [what(a)]),
      ]),
      h('p', { class: 'value' }, [
        h('strong', {}, [
          a.kind === 'stale'
            ? t('no_data_for', { d: value(a, a.value) })
            : // a calibration alert's value is a signed difference (sensor − official)
              `${a.kind === 'calibration' && a.value > 0 ? '+' : ''}${value(a, a.value)}`,
        ]),
        lim ? h('span', { class: 'limit' }, [t('limit', { l: lim })]) : null,
      ]),
      h('dl', { class: 'facts' }, [
        extreme
          ? h('div', {}, [h('dt', {}, [t(isLow(a) ? 'lowest' : 'highest')]), h('dd', {}, [value(a, a.peak)])])
          : null,
        h('div', {}, [
          h('dt', {}, [t('since')]),
          h('dd', {}, [
            resolved
              ? t('from_to', { a: since, b: when(a.resolvedAt), d: dur })
              : t((a.durationMs ?? 0) < 60_000 ? 'since_just' : 'since_for', { a: since, d: dur }),
          ]),
        ]),
        acked
          ? h('div', { class: 'ack' }, [
              h('dt', {}, [t('acked')]),
              h('dd', {}, [
                t('acked_by', {
                  who: a.acknowledgedBy ?? '—',
                  at: a.acknowledgedAt ? when(a.acknowledgedAt) : '',
                }),
                a.acknowledgeComment ? h('q', {}, [a.acknowledgeComment]) : null,
              ]),
            ])
          : null,
        a.heldUntil && !resolved
          ? h('div', { class: 'held' }, [
              h('dt', {}, [t('held')]),
              h('dd', {}, [t('held_until', { at: when(a.heldUntil) })]),
            ])
          : null,
        silenced
          ? h('div', { class: 'silenced' }, [
              h('dt', {}, [t('silenced')]),
              h('dd', {}, [
                t('silenced_until', { at: when(silenced.until), why: silenced.reason, who: silenced.by }),
              ]),
            ])
          : null,
        a.advice?.[lang] && !resolved
          ? h('div', { class: 'advice' }, [h('dt', {}, [t('advice')]), h('dd', {}, [a.advice[lang]])])
          : null,
      ]),
      trendBox(a),
      canAct && !resolved ? actions(a, !!acked, !!silenced) : null,
      h('p', { class: 'ids' }, [`${a.sensor ? `${t('sensor')} ${a.sensor} · ` : ''}${a.rule} · #${a.id}`]),
    ],
  );
  return el;
}

// ── trend (inline SVG from /api/series) ───────────────────────────────────
function trendBox(/** @type {any} */ a) {
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

// ── acknowledge and silence ───────────────────────────────────────────────
/** @param {any} a @param {boolean} acked @param {boolean} silenced */
function actions(a, acked, silenced) {
  const stored = localStorage.getItem(NAME_KEY) ?? '';
  const nameInput = /** @type {HTMLInputElement} */ (
    h('input', {
      type: 'text',
      name: 'by',
      autocomplete: 'name',
      maxlength: '60',
      value: stored,
      placeholder: t('name_ph'),
      required: '',
    })
  );
  const nameRow = h('label', { class: `field name ${stored ? 'known' : ''}` }, [
    h('span', {}, [t('name')]),
    nameInput,
  ]);
  const who = h('p', { class: 'who' }, stored ? [t('as', { who: stored }), ' ', changeLink(nameRow)] : []);
  const out = h('div', { class: 'actions' }, [who, nameRow]);

  if (!acked) {
    const comment = /** @type {HTMLInputElement} */ (
      h('input', { type: 'text', name: 'comment', maxlength: '500', placeholder: t('comment_ph') })
    );
    const btn = /** @type {HTMLButtonElement} */ (
      h('button', { type: 'submit', class: 'primary ack-btn' }, [t('ack_btn')])
    );
    const form = h('form', { class: 'ack-form' }, [
      h('label', { class: 'field' }, [h('span', {}, [t('comment')]), comment]),
      btn,
    ]);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const by = nameInput.value.trim();
      if (!by) {
        nameRow.classList.remove('known');
        nameInput.focus();
        say(t('need_name'), 'warn');
        return;
      }
      btn.disabled = true;
      try {
        await call(`/api/alerts/${a.id}/ack`, { token, by, comment: comment.value.trim() || undefined });
        localStorage.setItem(NAME_KEY, by);
        say(t('acked_ok'), 'ok');
        await refresh();
      } catch (err) {
        btn.disabled = false;
        say(errorText(err), 'warn');
      }
    });
    out.append(form);
  }
  if (!silenced) out.append(silenceForm(a, nameInput, nameRow));
  return out;
}

/** @param {HTMLElement} nameRow */
function changeLink(nameRow) {
  const b = h('button', { type: 'button', class: 'link' }, [t('change')]);
  b.addEventListener('click', () => {
    nameRow.classList.remove('known');
    nameRow.querySelector('input')?.focus();
  });
  return b;
}

/** @param {any} a @param {HTMLInputElement} nameInput @param {HTMLElement} nameRow */
function silenceForm(a, nameInput, nameRow) {
  const scope = h('fieldset', { class: 'scope' }, [
    h('legend', {}, [t('silence_what')]),
    a.sensor ? radio('scope', 'sensor', t('this_sensor', { s: a.sensor }), true) : null,
    radio('scope', 'zone', t('this_zone', { z: zoneName(a) }), !a.sensor),
  ]);
  const minutes = h('select', { name: 'minutes' }, [
    ...[30, 60, 120, 240, 480, 1440].map((m) => {
      const o = h('option', { value: String(m) }, [duration(m * 60_000)]);
      if (m === 120) o.setAttribute('selected', '');
      return o;
    }),
  ]);
  const reason = /** @type {HTMLInputElement} */ (
    h('input', { type: 'text', name: 'reason', maxlength: '200', required: '', placeholder: t('reason_ph') })
  );
  const btn = /** @type {HTMLButtonElement} */ (
    h('button', { type: 'submit', class: 'secondary' }, [t('silence_btn')])
  );
  const form = /** @type {HTMLFormElement} */ (
    h('form', { class: 'silence-form' }, [
      scope,
      h('label', { class: 'field' }, [h('span', {}, [t('for_how_long')]), minutes]),
      h('label', { class: 'field' }, [h('span', {}, [t('reason')]), reason]),
      h('p', { class: 'hint' }, [t('silence_hint')]),
      // the server never silences these (src/alerts/silences.ts unsilenceable)
      h('p', { class: 'hint protect' }, [t('silence_protect')]),
      btn,
    ])
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const by = nameInput.value.trim();
    if (!by) {
      nameRow.classList.remove('known');
      nameInput.focus();
      say(t('need_name'), 'warn');
      return;
    }
    const fd = new FormData(form);
    btn.disabled = true;
    try {
      await call('/api/silences', {
        token,
        alertId: a.id,
        scope: fd.get('scope'),
        minutes: Number(fd.get('minutes')),
        reason: String(fd.get('reason') ?? '').trim(),
        by,
      });
      localStorage.setItem(NAME_KEY, by);
      say(t('silenced_ok'), 'ok');
      await refresh();
    } catch (err) {
      btn.disabled = false;
      say(errorText(err), 'warn');
    }
  });
  return h('details', { class: 'silence' }, [h('summary', {}, [t('silence_open')]), form]);
}

/** @param {string} name @param {string} v @param {string} label @param {boolean} checked */
function radio(name, v, label, checked) {
  const input = h('input', { type: 'radio', name, value: v });
  if (checked) input.setAttribute('checked', '');
  return h('label', { class: 'radio' }, [input, ' ', label]);
}

/** @param {any} x @param {Set<number>} mineIds */
function silenceRow(x, mineIds) {
  const z = x.zoneName?.[lang] ?? x.zone;
  const what = x.scope === 'zone' ? t('zone_all', { z }) : t('sensor_of', { s: x.sensor, z });
  const row = h('div', { class: 'silence-row', 'data-silence': String(x.id) }, [
    h('p', {}, [h('strong', {}, [what]), ' ', t('until', { at: when(x.until) })]),
    h('p', { class: 'sub' }, [t('by_reason', { who: x.by, why: x.reason })]),
  ]);
  if (token && x.alertId && mineIds.has(x.alertId)) {
    const b = /** @type {HTMLButtonElement} */ (
      h('button', { type: 'button', class: 'link' }, [t('end_now')])
    );
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        await call(`/api/silences/${x.id}/end`, { token, by: localStorage.getItem(NAME_KEY) ?? undefined });
        await refresh();
      } catch (err) {
        b.disabled = false;
        say(errorText(err), 'warn');
      }
    });
    row.append(b);
  }
  return row;
}

function errorText(/** @type {any} */ err) {
  if (err?.status === 403 || err?.status === 401) return t('err_link');
  if (err?.status === 409) return t('err_resolved');
  return `${t('err')} (${err?.message ?? err})`;
}

/** @param {string} msg @param {'ok' | 'warn' | 'info'} kind */
function say(msg, kind) {
  const el = $('status');
  el.textContent = msg;
  el.className = `status ${kind}`;
  clearTimeout(sayTimer);
  // Confirmations fade after a while; problems stay until the next action.
  if (kind === 'ok') sayTimer = setTimeout(() => say('', 'info'), 6_000);
}
/** @type {ReturnType<typeof setTimeout> | undefined} */
let sayTimer;

async function refresh() {
  try {
    render(await load());
  } catch (err) {
    say(`${t('err')} (${/** @type {Error} */ (err).message})`, 'warn');
  }
}

function boot() {
  document.title = `${t('title')} — Kaiteki`;
  $('title').textContent = t('title');
  const wall = /** @type {HTMLAnchorElement} */ ($('wall-link'));
  wall.textContent = t('wall');
  wall.href = lang === 'en' ? '/?lang=en' : '/';
  const other = /** @type {HTMLAnchorElement} */ ($('lang-link'));
  const p = new URLSearchParams(location.search);
  if (lang === 'en') p.delete('lang');
  else p.set('lang', 'en');
  other.href = `?${p.toString()}`;
  other.textContent = lang === 'en' ? '日本語' : 'English';
  other.lang = lang === 'en' ? 'ja' : 'en';
  $('status').textContent = t('loading');
  void refresh().then(() => {
    if (token && !linked.length) say(t('err_link'), 'warn');
  });
  // Staff keep the page open: refresh every 30 s while it is visible.
  setInterval(() => {
    if (document.visibilityState === 'visible' && !document.activeElement?.closest('form')) void refresh();
  }, 30_000);
}

boot();
