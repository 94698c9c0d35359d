/**
 * Layouts as data (dashboards/layouts/<name>.json): panels in reading order
 * on a grid, so the amenity team rearranges the wall without code. See
 * docs/dashboard.md for the format.
 */
import { AlertPanel } from './alerts.js';
import { CounterPanel } from './counters.js';
import { h } from './dom.js';
import { ZoneTile } from './tiles.js';

const TRACK = /^(\d+(\.\d+)?(fr|px|%)|auto|min-content|max-content)$/;

/** A layout name from the URL, safe as a file name. @param {string | null} raw */
export function layoutName(raw) {
  return raw && /^[a-z0-9][a-z0-9_-]*$/.test(raw) ? raw : 'wall';
}

/**
 * Builds the panels of a layout into `root`. Unknown zones and panel types
 * become visible placeholders (and a console warning), not a blank wall.
 * @param {any} layout @param {any} env @param {HTMLElement} root
 */
export function buildLayout(layout, env, root) {
  const cols = tracks(layout.columns, 3);
  const rows = tracks(layout.rows, 2);
  // As custom properties, so the stylesheet can re-flow the grid on portrait screens and phones.
  root.style.setProperty('--cols', cols);
  root.style.setProperty('--rows', rows);
  root.style.setProperty('--panels', String((layout.panels ?? []).length));
  if (layout.className) root.classList.add(`layout-${String(layout.className).replace(/[^a-z0-9-]/g, '')}`);
  /** @type {ZoneTile[]} */
  const tiles = [];
  /** @type {Array<CounterPanel | AlertPanel>} */
  const panels = [];
  for (const spec of layout.panels ?? []) {
    let el;
    if (spec.type === 'zone') {
      const zone = env.site.zones.find((/** @type {any} */ z) => z.id === spec.zone);
      if (zone) {
        const tile = new ZoneTile(zone, spec, env);
        tiles.push(tile);
        el = tile.el;
      } else el = placeholder(`zone "${spec.zone}" is not in the site config`);
    } else if (spec.type === 'counters' || spec.type === 'counter-big') {
      const zones = spec.type === 'counter-big' ? [spec.zone] : (spec.zones ?? []);
      const p = new CounterPanel({ zones, big: spec.type === 'counter-big', title: spec.title }, env);
      panels.push(p);
      el = p.el;
    } else if (spec.type === 'alerts') {
      const p = new AlertPanel(spec, env);
      panels.push(p);
      el = p.el;
    } else el = placeholder(`unknown panel type "${spec.type}"`);
    if (spec.colSpan) el.style.gridColumn = `span ${Number(spec.colSpan)}`;
    if (spec.rowSpan) el.style.gridRow = `span ${Number(spec.rowSpan)}`;
    root.append(el);
  }
  for (const t of tiles) t.mount();
  return { tiles, panels };
}

/** @param {unknown} v @param {number} fallback */
function tracks(v, fallback) {
  if (typeof v === 'number' && v > 0) return `repeat(${Math.floor(v)}, minmax(0, 1fr))`;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' && TRACK.test(x))) {
    return v.map((x) => (x.endsWith('fr') ? `minmax(0, ${x})` : x)).join(' ');
  }
  return `repeat(${fallback}, minmax(0, 1fr))`;
}

/** @param {string} why */
function placeholder(why) {
  console.warn(`layout: ${why}`);
  return h('section.panel.placeholder', null, why);
}
