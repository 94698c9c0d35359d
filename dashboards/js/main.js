/**
 * The wall dashboard: boots from /api/site and a layout file, then lives on
 * the SSE stream. Built to run for weeks unattended: fixed timers, charts
 * updated in place, state bounded by the number of series.
 */
import { setChartLimits } from './charts.js';
import { Header } from './header.js';
import { pickLang, translator } from './i18n.js';
import { buildLayout, layoutName } from './layout.js';
import { getJson, LiveConnection } from './live.js';
import { LiveState, mergeSeries } from './state.js';
import './silences.js'; // maintenance silences bar (alert page feature, issue 13)

const params = new URLSearchParams(location.search);
const lang = pickLang(params.get('lang'));
const t = translator(lang);
const name = layoutName(params.get('layout'));
document.documentElement.lang = lang;

/** Server clock minus the screen's clock (from HTTP Date headers, 1 s resolution). */
let offset = 0;
const onDate = (/** @type {number} */ serverMs) => {
  const d = serverMs - Date.now();
  if (Math.abs(d - offset) > 2_000) offset = d;
};
const now = () => Date.now() + offset;

async function boot() {
  const root = /** @type {HTMLElement} */ (document.getElementById('wall'));
  let site;
  let layout;
  try {
    [site, layout] = await Promise.all([getJson('/api/site', onDate), getJson(`layouts/${name}.json`)]);
  } catch {
    root.textContent = t('loading');
    setTimeout(boot, 10_000);
    return;
  }
  if (layout.status === 404) {
    root.textContent = t('layout_error', { name });
    return;
  }
  start(site.body, layout.body, root);
}

/** @param {any} site @param {any} layout @param {HTMLElement} root */
function start(site, layout, root) {
  const state = new LiveState(now);
  state.setSensors(site.sensors ?? [], site.stale);
  setChartLimits(site.limits);
  const trendHours = layout.trend?.hours ?? 6;
  const stepMs = (layout.trend?.stepMinutes ?? 5) * 60_000;
  /** The server's counter judgement (open or closed, next opening): the same one the visitor page shows. */
  const counters = { snapshot: /** @type {any} */ (null) };
  const env = { lang, t, site, state, now, offset: () => offset, trendHours, stepMs, counters };
  document.body.classList.add(`layout-${name}`);

  const header = new Header(env, layout.title, layout.legend !== false);
  root.replaceChildren();
  document.body.prepend(header.banner, header.el);
  const { tiles, panels } = buildLayout(layout, env, root);
  const byZone = new Map(tiles.map((x) => [x.zone.id, x]));
  const dirty = new Set();

  /** Each trend draws the limits its zone is judged against (the server's zone status). @param {any} tile */
  const limitsOf = (tile) => tile.chart?.setLimits(state.zoneStatus(tile.zone.id)?.limits);
  const renderZones = (/** @type {Set<string>} */ zones) => {
    for (const z of zones) {
      const tile = byZone.get(z);
      tile?.render();
      if (tile) limitsOf(tile);
    }
    for (const p of panels) if (!('max' in p)) p.render();
  };
  const renderAll = () => {
    for (const x of tiles) {
      x.render();
      limitsOf(x);
    }
    for (const p of panels) p.render();
  };
  const loadLatest = async () => {
    const latest = await getJson('/api/latest', onDate);
    return state.put(latest.body ?? []);
  };
  const loadCounters = async () => {
    try {
      counters.snapshot = (await getJson('/visit/api/counters')).body;
    } catch {
      // keep the last one; the counter panel falls back to the readings alone
    }
  };
  const loadAlerts = async () => {
    try {
      const res = await getJson('/api/alerts?state=active');
      state.alertsAvailable = Array.isArray(res.body);
      state.setAlerts(state.alertsAvailable ? res.body : []);
    } catch {
      // keep what we have; the next reconnect or poll tries again
    }
  };
  const loadSeries = (/** @type {string} */ zone) => async (/** @type {string} */ q) => {
    const res = await getJson(
      `/api/series?zone=${zone}&quantity=${q}&from=-${trendHours}h&step=${stepMs / 1000}s`,
    );
    return mergeSeries(res.body?.series ?? []);
  };

  const live = new LiveConnection({
    url: '/api/stream',
    onOpen: async () => {
      // Catch up on what the page missed while it was away (DESIGN §4: re-read /api/latest on open).
      await Promise.all([loadLatest(), loadAlerts(), loadCounters()]);
      renderAll();
      await Promise.all(tiles.map((x) => x.loadTrend(loadSeries(x.zone.id))));
    },
    onEvent: (type, data) => {
      if (type === 'readings' && Array.isArray(data)) {
        renderZones(state.put(data));
        for (const [zone, rs] of groupByZone(data)) {
          const tile = byZone.get(zone);
          if (tile) {
            tile.addToTrend(rs);
            dirty.add(tile);
          }
        }
      } else if (type === 'status') {
        state.setStatus(data);
        renderZones(new Set([data.zone]));
      } else if (type === 'alert') {
        state.alertsAvailable = true;
        // The server sends {type: 'opened'|'escalated'|'acknowledged'|'resolved', alert}.
        state.upsertAlert(data && typeof data === 'object' && 'alert' in data ? data.alert : data);
        renderAll();
      }
    },
    onState: (connected, since) => header.setConnected(connected, since),
    poll: async () => {
      const latest = (await getJson('/api/latest', onDate)).body ?? [];
      // Readings the stream should have brought well before now mean it is half-open.
      const missed = state.missed(latest, now() - 10_000);
      renderZones(state.put(latest));
      await loadAlerts();
      return missed > 0;
    },
  });

  header.tick();
  renderAll();
  live.start();
  setInterval(() => header.tick(), 1_000);
  // Opening hours move with time: the counters' open/closed state is re-read every 30 s.
  setInterval(loadCounters, 30_000);
  // Staleness and ages move with time even when nothing arrives.
  setInterval(renderAll, 5_000);
  setInterval(() => {
    for (const tile of dirty) tile.drawTrend();
    dirty.clear();
  }, 5_000);
  setInterval(() => {
    for (const tile of tiles) tile.drawTrend();
  }, 60_000);
  window.kaiteki = {
    state,
    tiles,
    live,
    chartPoints: () => tiles.reduce((n, x) => n + (x.chart?.size() ?? 0), 0),
  };
  root.dataset.ready = 'true';
}

/** @param {any[]} readings */
function groupByZone(readings) {
  const m = new Map();
  for (const r of readings) {
    const list = m.get(r.zone) ?? [];
    list.push(r);
    m.set(r.zone, list);
  }
  return m;
}

boot();
