/**
 * The staff alert page (phones first, Japanese first; ?lang=en). Opened from
 * a notice's signed link (?t=…): the alerts of the notice come first, with a
 * 確認 button (POST with the token; the person's name is asked once and kept
 * in localStorage) and a form to silence the sensor or zone for a while.
 * Without a token the page is read-only. Nothing here judges limits: the
 * alert carries its limit, value and peak from the server.
 */
import { $, call, h, lang, linked, NAME_KEY, t, token } from './context.js';
import { duration, isLow, jstTime, limit, value, what, when, zoneName } from './format.js';
import { trendBox } from './trend.js';

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
      const by = nameOrAsk(nameInput, nameRow);
      if (!by) return;
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

/**
 * The name typed for an acknowledgement or a silence; without one, shows the
 * name field and says a name is needed ('' is returned).
 * @param {HTMLInputElement} nameInput @param {HTMLElement} nameRow
 */
function nameOrAsk(nameInput, nameRow) {
  const by = nameInput.value.trim();
  if (!by) {
    nameRow.classList.remove('known');
    nameInput.focus();
    say(t('need_name'), 'warn');
  }
  return by;
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
    const by = nameOrAsk(nameInput, nameRow);
    if (!by) return;
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
