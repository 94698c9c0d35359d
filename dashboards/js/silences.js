/**
 * Silences on the wall: a slim bar at the bottom naming each sensor or zone
 * whose notices are silenced (maintenance), with until when and why, so
 * nobody wonders why a red tile sends no notice. Reads GET /api/silences
 * every 30 s; hidden when there are none. Self-starting: main.js imports it.
 */
const lang = new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'ja';
const fmt = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' });

const sheet = new CSSStyleSheet();
sheet.replaceSync(`
  .silence-bar { position: fixed; left: 0; right: 0; bottom: 0; z-index: 50; display: flex; flex-wrap: wrap; gap: .4em 1.6em;
    padding: .35em 1em; background: #311b92; color: #fff; font-size: max(14px, 1.6vh); line-height: 1.35; }
  .silence-bar[hidden] { display: none; }
  .silence-bar b { font-weight: 700; margin-right: .5em; }
`);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

const bar = document.createElement('div');
bar.className = 'silence-bar';
bar.id = 'silences';
bar.hidden = true;
bar.setAttribute('role', 'status');
document.body.append(bar);

/** @param {string} iso */
function until(iso) {
  const d = new Date(iso);
  const same = day.format(d) === day.format(new Date());
  const t = fmt.format(d);
  if (same) return lang === 'ja' ? `${t} まで` : `until ${t}`;
  const md = new Intl.DateTimeFormat('ja-JP', {
    timeZone: 'Asia/Tokyo',
    month: 'numeric',
    day: 'numeric',
  }).format(d);
  return lang === 'ja' ? `${md} ${t} まで` : `until ${md} ${t}`;
}

/** @param {any} s */
function label(s) {
  const zone = s.zoneName?.[lang] ?? s.zone;
  const what =
    s.scope === 'zone' ? zone : lang === 'ja' ? `${zone} センサー ${s.sensor}` : `${zone} sensor ${s.sensor}`;
  return lang === 'ja'
    ? `${what}（${until(s.until)}・${s.reason}）`
    : `${what} (${until(s.until)}, ${s.reason})`;
}

async function refresh() {
  try {
    const res = await fetch('/api/silences');
    if (!res.ok) return;
    const list = /** @type {any[]} */ (await res.json()).filter((s) => s.active);
    const head = document.createElement('b');
    head.textContent = lang === 'ja' ? '通知停止中' : 'Notices silenced';
    const items = list.map((s) => {
      const span = document.createElement('span');
      span.textContent = label(s);
      return span;
    });
    bar.replaceChildren(head, ...items);
    bar.hidden = list.length === 0;
  } catch {
    // the next round tries again
  }
}

void refresh();
setInterval(refresh, 30_000);
