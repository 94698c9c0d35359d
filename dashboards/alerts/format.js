/** How the alert page words a value, a limit and a time (JST); it formats what the server judged. */
import { lang, t } from './context.js';

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
export function duration(ms) {
  if (ms < 60_000) return lang === 'ja' ? '1分未満' : 'under 1 min';
  const min = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(min / 1440);
  const hh = Math.floor((min % 1440) / 60);
  const m = min % 60;
  if (lang === 'ja')
    return d ? `${d}日${hh ? `${hh}時間` : ''}` : hh ? `${hh}時間${m ? `${m}分` : ''}` : `${m}分`;
  return d ? `${d} d${hh ? ` ${hh} h` : ''}` : hh ? `${hh} h${m ? ` ${m} min` : ''}` : `${m} min`;
}

export const jstTime = new Intl.DateTimeFormat('ja-JP', {
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
export function when(/** @type {string} */ iso) {
  const d = new Date(iso);
  const time = jstTime.format(d);
  return dayKey.format(d) === dayKey.format(new Date()) ? time : `${jstDay.format(d)} ${time}`;
}

/** @param {any} a @param {number} x */
export function value(a, x) {
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
export function limit(/** @type {any} */ a) {
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
export function isLow(/** @type {any} */ a) {
  return a.low === true;
}

export function zoneName(/** @type {any} */ a) {
  return a.zoneName?.[lang] ?? a.zone;
}

export function what(/** @type {any} */ a) {
  if (a.kind === 'stale') return t('stale_what', { s: a.sensor ?? '' });
  const title = a.title?.[lang];
  const q = a.quantity ? t(`q_${a.quantity}`) : '';
  return title ? `${title}${q && !title.includes(q) ? `（${q}）` : ''}` : q;
}
