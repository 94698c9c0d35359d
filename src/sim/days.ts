import type { HoursConfig } from '../config/schema.js';
import { Calendar, type DayKind } from '../core/calendar.js';
import { DAY_MS, jstDayStart, jstParts } from '../core/jst.js';
import { hashUnit } from './rng.js';

/** What the simulator needs to know about one JST day, computed once per day. */
export interface DayInfo {
  /** epoch ms of JST midnight */
  start: number;
  /** day index since the epoch (stable hash key) */
  index: number;
  kind: DayKind;
  closed: boolean;
  month: number;
  weekday: number;
  /** visitor demand of the day: weekday, month-end, after a holiday, moving season, chance */
  demand: number;
  afterHoliday: boolean;
  monthEnd: boolean;
  /** outdoor daily mean °C (Kawasaki/Tokyo normals plus the day's weather) */
  outdoorMean: number;
  /** 0.3 (overcast) … 1 (clear) */
  sun: number;
}

/** Tokyo monthly mean temperatures (JMA normals 1991–2020), Jan..Dec, °C. */
const MONTHLY_MEAN = [5.4, 6.1, 9.4, 14.3, 18.8, 21.9, 25.7, 26.9, 23.3, 18.0, 12.5, 7.7];
/** Demand by weekday (Sun..Sat): Mondays and Fridays are busy at ward offices. */
const WEEKDAY_DEMAND = [0, 1.3, 1.05, 0.95, 0.95, 1.1, 0.8];

/**
 * The JST calendar as the simulator sees it: the building's Calendar plus a
 * per-day cache of demand and weather, so sampling a year stays cheap.
 * Every answer is a pure function of (hours, seed, day).
 */
export class SimDays {
  readonly calendar: Calendar;
  private readonly cache = new Map<number, DayInfo>();

  constructor(
    hours: HoursConfig,
    private readonly seed: number,
  ) {
    this.calendar = new Calendar(hours);
  }

  day(ts: number): DayInfo {
    const start = jstDayStart(ts);
    let info = this.cache.get(start);
    if (!info) {
      if (this.cache.size > 800) this.cache.clear();
      info = this.compute(start);
      this.cache.set(start, info);
    }
    return info;
  }

  private compute(start: number): DayInfo {
    const index = Math.round((start + 9 * 3600_000) / DAY_MS);
    const p = jstParts(start);
    const closed = this.calendar.isClosedDay(start);
    const kind = this.calendar.dayKind(start);
    const afterHoliday = !closed && this.followsHoliday(start);
    const dim = new Date(Date.UTC(p.year, p.month, 0)).getUTCDate();
    const monthEnd = p.day > dim - 4;
    // 引越しシーズン: late March – mid April, moving in and out fills the counters.
    const moving = (p.month === 3 && p.day >= 20) || (p.month === 4 && p.day <= 10);
    let demand = closed ? 0 : (WEEKDAY_DEMAND[p.weekday] ?? 1);
    if (monthEnd) demand *= 1.25;
    if (afterHoliday) demand *= 1.3;
    if (moving) demand *= 1.35;
    demand *= 0.88 + 0.24 * hashUnit(this.seed, index, 11);
    const weather = (hashUnit(this.seed, index, 12) - 0.5) * 5;
    return {
      start,
      index,
      kind,
      closed,
      month: p.month,
      weekday: p.weekday,
      demand,
      afterHoliday,
      monthEnd,
      outdoorMean: seasonalMean(p.month, p.day) + weather,
      sun: 0.3 + 0.7 * hashUnit(this.seed, index, 13),
    };
  }

  /** True when the closed days just before this open day include a holiday or 年末年始 (not a plain weekend). */
  private followsHoliday(start: number): boolean {
    for (let i = 1; i <= 10; i++) {
      const d = start - i * DAY_MS;
      if (!this.calendar.isClosedDay(d)) return false;
      const k = this.calendar.dayKind(d);
      if (k === 'holiday' || k === 'year_end') return true;
    }
    return false;
  }
}

/** Outdoor mean for a date, interpolated between mid-month normals. */
export function seasonalMean(month: number, day: number): number {
  const pos = month - 1 + (day - 15) / 30;
  const i = Math.floor(pos);
  const f = pos - i;
  const a = MONTHLY_MEAN[(i + 12) % 12]!;
  const b = MONTHLY_MEAN[(i + 13) % 12]!;
  return a + (b - a) * f;
}
