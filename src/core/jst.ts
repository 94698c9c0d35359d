/**
 * Calendar arithmetic in Japan Standard Time. Asia/Tokyo has had no daylight
 * saving since 1951, so JST is a fixed UTC+9: every day, month and fiscal-year
 * boundary is computed here rather than with the host's time zone, which in
 * CI and containers is usually UTC.
 */
export const JST_OFFSET_MS = 9 * 3600_000;
export const HOUR_MS = 3600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface JstParts {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
  /** minutes since JST midnight */
  minuteOfDay: number;
}

export function jstParts(ts: number): JstParts {
  const d = new Date(ts + JST_OFFSET_MS);
  const hour = d.getUTCHours();
  const minute = d.getUTCMinutes();
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour,
    minute,
    weekday: d.getUTCDay(),
    minuteOfDay: hour * 60 + minute,
  };
}

/** epoch ms of JST 00:00 on the given calendar date (month 1–12; overflow rolls like Date.UTC). */
export function jstMidnight(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) - JST_OFFSET_MS;
}

/** Start (JST midnight) of the JST day containing ts. */
export function jstDayStart(ts: number): number {
  return Math.floor((ts + JST_OFFSET_MS) / DAY_MS) * DAY_MS - JST_OFFSET_MS;
}

/** `YYYY-MM-DD` of the JST day containing ts. */
export function jstDateKey(ts: number): string {
  return new Date(ts + JST_OFFSET_MS).toISOString().slice(0, 10);
}

/** Japanese fiscal year (April–March) containing ts: FY2026 = 2026-04-01 .. 2027-03-31 JST. */
export function fiscalYearOf(ts: number): number {
  const p = jstParts(ts);
  return p.month >= 4 ? p.year : p.year - 1;
}

/** [start, end) epoch ms of a fiscal year, cut at JST midnight. */
export function fiscalYearRange(fy: number): { from: number; to: number } {
  return { from: jstMidnight(fy, 4, 1), to: jstMidnight(fy + 1, 4, 1) };
}

/** 令和 label of a fiscal year (令和元年 = 2019). */
export function reiwaLabel(fy: number): string {
  const n = fy - 2018;
  return n === 1 ? '令和元年度' : `令和${n}年度`;
}

/** ISO 8601 with +09:00, for display and logs meant for people in Japan. */
export function toJstIso(ts: number): string {
  return `${new Date(ts + JST_OFFSET_MS).toISOString().slice(0, 19)}+09:00`;
}
