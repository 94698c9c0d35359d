/**
 * Pure formatting in Japan Standard Time, whatever the browser's time zone:
 * Asia/Tokyo is a fixed UTC+9 (no DST since 1951), so the date and clock
 * are computed from epoch ms without Intl time-zone data.
 */
import { QUANTITIES } from './i18n.js';

const JST_OFFSET_MS = 9 * 3_600_000;
const WEEKDAYS_JA = ['日', '月', '火', '水', '木', '金', '土'];
const WEEKDAYS_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** @param {number} ms epoch ms */
export function jstParts(ms) {
  const d = new Date(ms + JST_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');

/**
 * The Japanese era year, 令和 from 2019-05-01 (元年 for its first year); 平成 before.
 * @param {number} ms
 */
export function eraYear(ms) {
  const p = jstParts(ms);
  const key = p.year * 10_000 + p.month * 100 + p.day;
  const [era, first] = key >= 20190501 ? ['令和', 2019] : ['平成', 1989];
  const n = p.year - first + 1;
  return `${era}${n === 1 ? '元' : n}年`;
}

/**
 * The date for the wall: `2026年11月23日（月）` or `Mon 23 Nov 2026`.
 * @param {number} ms @param {'ja' | 'en'} lang
 */
export function formatDate(ms, lang) {
  const p = jstParts(ms);
  if (lang === 'en') return `${WEEKDAYS_EN[p.weekday]} ${p.day} ${MONTHS_EN[p.month - 1]} ${p.year}`;
  return `${p.year}年${p.month}月${p.day}日（${WEEKDAYS_JA[p.weekday]}）`;
}

/** `14:05` in JST; with seconds `14:05:09`. @param {number} ms @param {boolean} [seconds] */
export function formatTime(ms, seconds = false) {
  const p = jstParts(ms);
  return `${pad(p.hour)}:${pad(p.minute)}${seconds ? `:${pad(p.second)}` : ''}`;
}

/**
 * `14:05` when ms is on the same JST day as now, else `11/22 14:05`.
 * @param {number} ms @param {number} now
 */
export function formatWhen(ms, now) {
  const a = jstParts(ms);
  const b = jstParts(now);
  const sameDay = a.year === b.year && a.month === b.month && a.day === b.day;
  return sameDay ? formatTime(ms) : `${a.month}/${a.day} ${formatTime(ms)}`;
}

/**
 * A duration for people: `45秒`, `12分`, `3時間`, `2日` (English `12 min` …).
 * @param {number} ms @param {(key: string) => string} t translator
 */
export function formatDuration(ms, t) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}${t('unit_sec')}`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}${t('unit_min')}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}${t('unit_hour')}`;
  return `${Math.floor(h / 24)}${t('unit_day')}`;
}

/**
 * A value with the quantity's decimals and thousands separators: `24.1`, `1,050`.
 * @param {string} q @param {number | null | undefined} v
 */
export function formatValue(q, v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const decimals = QUANTITIES[q]?.decimals ?? 1;
  return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}
