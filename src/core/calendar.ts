import holidayJp from '@holiday-jp/holiday_jp';
import type { HoursConfig } from '../config/schema.js';
import { DAY_MS, jstDateKey, jstDayStart, jstParts } from './jst.js';

export type DayKind = 'open' | 'weekend' | 'holiday' | 'year_end' | 'closed';

/**
 * The building's calendar in JST: opening hours, closed days (weekends,
 * national holidays from @holiday-jp/holiday_jp, 29 Dec – 3 Jan) and extra
 * opening windows. Answers are cached per JST day, so calling it for every
 * reading is cheap.
 */
export class Calendar {
  private readonly openMin: number;
  private readonly closeMin: number;
  private readonly closedDays: Set<string>;
  private readonly extra = new Map<string, { open: number; close: number }[]>();
  private cacheDay = Number.NaN;
  private cacheKind: DayKind = 'open';
  private cacheWindows: { open: number; close: number }[] = [];

  constructor(private readonly hours: HoursConfig) {
    this.openMin = toMinutes(hours.open);
    this.closeMin = toMinutes(hours.close);
    this.closedDays = new Set(hours.closedDays);
    for (const e of hours.extra) {
      const list = this.extra.get(e.date) ?? [];
      list.push({ open: toMinutes(e.open), close: toMinutes(e.close) });
      this.extra.set(e.date, list);
    }
  }

  /** Japanese national holiday name for the JST day of ts, if any. */
  holidayName(ts: number): string | undefined {
    return (holidayJp.holidays as Record<string, { name: string }>)[jstDateKey(ts)]?.name;
  }

  /** What kind of day the JST day of ts is. */
  dayKind(ts: number): DayKind {
    this.load(ts);
    return this.cacheKind;
  }

  /** True on days the office does not open (weekends, holidays, 年末年始, any day without hours). */
  isClosedDay(ts: number): boolean {
    this.load(ts);
    return this.cacheWindows.length === 0;
  }

  /** True within opening hours (JST), including extra opening windows. */
  isOpen(ts: number): boolean {
    this.load(ts);
    if (this.cacheWindows.length === 0) return false;
    // minutes since JST midnight without a Date (this runs for every reading): load() set cacheDay
    const m = Math.floor((ts - this.cacheDay) / 60_000);
    return this.cacheWindows.some((w) => m >= w.open && m < w.close);
  }

  /** Opening windows of the JST day containing ts, as [open, close) minutes of the day (empty on closed days). */
  windows(ts: number): readonly { open: number; close: number }[] {
    this.load(ts);
    return this.cacheWindows;
  }

  /** Opening minutes of the JST day containing ts. */
  openMinutes(ts: number): number {
    this.load(ts);
    return this.cacheWindows.reduce((s, w) => s + (w.close - w.open), 0);
  }

  private load(ts: number): void {
    const day = jstDayStart(ts);
    if (day === this.cacheDay) return;
    this.cacheDay = day;
    const p = jstParts(day);
    const key = jstDateKey(day);
    const mmdd = key.slice(5);
    let kind: DayKind = 'open';
    if (this.closedDays.has(mmdd)) kind = 'year_end';
    else if (this.hours.holidaysClosed && this.holidayName(day) !== undefined) kind = 'holiday';
    else if (!this.hours.days.includes(p.weekday))
      kind = p.weekday === 0 || p.weekday === 6 ? 'weekend' : 'closed';
    const windows = kind === 'open' ? [{ open: this.openMin, close: this.closeMin }] : [];
    const extra = this.extra.get(key);
    if (extra) windows.push(...extra);
    this.cacheKind = windows.length > 0 && kind !== 'open' ? 'open' : kind;
    this.cacheWindows = windows;
  }
}

export function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

export { DAY_MS };
