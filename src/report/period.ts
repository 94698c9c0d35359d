import { DAY_MS, fiscalYearRange, HOUR_MS, jstMidnight, jstParts } from '../core/jst.js';
import type { InUseJudge } from './inuse.js';
import type { MonthInfo } from './types.js';

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The hours of a reported span, classified once so each rollup row is placed
 * with an array lookup. JST is UTC+9 whole hours, so a rollup hour never
 * straddles a JST day, month or fiscal-year boundary.
 *
 * In-use time is kept per zone and hour in minutes (`inUseMinutes`), asked
 * of the one judgement (`Judgement.inUseMs`): the coverage of a
 * figure is measured against it, and rollups written without in-use keys
 * fall back to it as a weight (see inuse.ts).
 */
export class PeriodHours {
  readonly from: number;
  readonly to: number;
  readonly count: number;
  /** 0 = April … 11 = March, per hour */
  readonly month: Uint8Array;
  /** JST day index from `from`, per hour */
  readonly day: Uint16Array;
  readonly months: MonthInfo[];
  /** number of JST days in the span */
  readonly days: number;
  /** month index per day */
  readonly dayMonth: Uint8Array;

  private readonly inUseCache = new Map<string, Float64Array>();

  constructor(
    fy: number,
    to: number,
    lang: 'ja' | 'en',
    private readonly judge: Pick<InUseJudge, 'inUseMs'>,
  ) {
    const range = fiscalYearRange(fy);
    this.from = range.from;
    this.to = Math.min(Math.max(to, range.from), range.to);
    this.count = Math.ceil((this.to - this.from) / HOUR_MS);
    this.month = new Uint8Array(this.count);
    this.day = new Uint16Array(this.count);
    this.days = Math.ceil((this.to - this.from) / DAY_MS);
    this.dayMonth = new Uint8Array(this.days);
    this.months = [];
    for (let m = 0; m < 12; m++) {
      const start = jstMidnight(fy, 4 + m, 1);
      const end = jstMidnight(fy, 5 + m, 1);
      const p = jstParts(start);
      this.months.push({
        index: m,
        key: `${p.year}-${String(p.month).padStart(2, '0')}`,
        label: lang === 'ja' ? `${p.year}年${p.month}月` : `${EN_MONTHS[p.month - 1]} ${p.year}`,
        from: start,
        to: end,
      });
    }
    let m = 0;
    for (let i = 0; i < this.count; i++) {
      const t = this.from + i * HOUR_MS;
      while (m < 11 && t >= this.months[m]!.to) m++;
      this.month[i] = m;
      const d = Math.floor((t - this.from) / DAY_MS);
      this.day[i] = d;
      this.dayMonth[d] = m;
    }
  }

  /** in-use minutes of `zone` per hour of the span (minute-exact), computed once per zone */
  inUseMinutes(zone: string): Float64Array {
    let a = this.inUseCache.get(zone);
    if (a) return a;
    a = new Float64Array(this.count);
    for (let i = 0; i < this.count; i++) {
      const t = this.from + i * HOUR_MS;
      a[i] = this.judge.inUseMs(zone, t, t + HOUR_MS) / 60_000;
    }
    this.inUseCache.set(zone, a);
    return a;
  }

  /** in-use ms of `zone` per month slot (0–11) and the year (12) */
  inUseMsBySlot(zone: string): Float64Array {
    const mins = this.inUseMinutes(zone);
    const out = new Float64Array(13);
    for (let i = 0; i < this.count; i++) {
      out[this.month[i]!]! += mins[i]! * 60_000;
      out[12]! += mins[i]! * 60_000;
    }
    return out;
  }

  /** ms of month m of the previous fiscal year matching this span (same month, same offset into it) */
  prevSpanOfMonth(m: number): number {
    const info = this.months[m]!;
    const span = Math.max(0, Math.min(info.to, this.to) - info.from);
    const p = jstParts(info.from);
    const start = jstMidnight(p.year - 1, p.month, 1);
    const end = jstMidnight(p.year - 1, p.month + 1, 1);
    return Math.max(0, Math.min(end, start + span) - start);
  }

  /** index of the hour starting at `hour`, or -1 when outside the span */
  indexOf(hour: number): number {
    const i = Math.floor((hour - this.from) / HOUR_MS);
    return i >= 0 && i < this.count ? i : -1;
  }

  /** ms of month m inside the span (for expected readings of a year-to-date report) */
  spanOfMonth(m: number): number {
    const info = this.months[m]!;
    return Math.max(0, Math.min(info.to, this.to) - Math.max(info.from, this.from));
  }
}
