import type { AppContext } from '../core/context.js';
import { DAY_MS, HOUR_MS, jstDayStart, jstParts } from '../core/jst.js';
import type { Judgement } from '../core/judgement.js';
import type { Quantity } from '../core/quantities.js';
import type { Reading } from '../core/reading.js';
import { judgementOf } from '../core/status-service.js';
import { readingView } from './api.js';

/** What a visitor sees of one counter: no sensor ids, no environment data, no alerts. */
export interface VisitCounter {
  name: { ja: string; en: string };
  /** `open` with current figures; `closed` outside opening hours; `stale` when the figures are old; `nodata` never heard */
  state: 'open' | 'closed' | 'stale' | 'nodata';
  waiting: number | null;
  waitMinutes: number | null;
  /** the ticket number being called (呼出番号) */
  serving: number | null;
  /** congestion lamp from `limits.wait`, judged here (the page never re-decides it) */
  band: 'blue' | 'yellow' | 'red' | null;
  /** ISO time of the newest figure (fresh or not) */
  updated: string | null;
  /** when closed: this counter's next opening (ISO); null when open or none within two weeks */
  nextOpen: string | null;
}

export interface VisitSnapshot {
  site: { ja: string; en: string };
  now: string;
  open: boolean;
  /** when closed: the next opening (ISO); null when none within two weeks */
  nextOpen: string | null;
  /** when open: today's closing time (ISO) */
  closesAt: string | null;
  bands: { yellowFrom: number; redFrom: number };
  counters: VisitCounter[];
}

export interface VisitPattern {
  /** JST date (YYYY-MM-DD) the pattern is for: today, or the next open day when today is closed */
  date: string;
  weekday: number;
  isToday: boolean;
  /** JST hours of day covered (the judgement's in-use hours; empty when no counter opens) */
  hours: number[];
  /** how far back the usual pattern looks (weeks) */
  weeks: number;
  /** past same-weekday open days with any figures, over all counters */
  days: number;
  /** fewer days than this and a counter has no usual pattern (`usual` all null): データ不足 */
  minDays: number;
  counters: {
    name: { ja: string; en: string };
    /** past same-weekday open days with figures of this counter (its `usual` is their median, or null when < minDays) */
    days: number;
    today: (number | null)[];
    usual: (number | null)[];
  }[];
}

/** The visitor's quantities. */
export const VISIT_QUANTITIES: readonly Quantity[] = ['waiting', 'wait_minutes', 'serving'];
const PATTERN_WEEKS = 8;
/** A median of one or two days is not a forecast: below this many same-weekday days, no usual pattern. */
export const PATTERN_MIN_DAYS = 3;

/**
 * The visitor page's data, all from the one judgement (DESIGN §7,
 * src/core/judgement.ts): whether each counter is in use and when it next
 * opens, the lamp colour (`band`, config `limits.wait`), and staleness
 * through the same `readingView` as /api/latest. The page decides nothing.
 */
export class VisitData {
  private readonly j: Judgement;
  private usualCache?: {
    key: string;
    at: number;
    value: Map<string, { usual: (number | null)[]; days: number }>;
    days: number;
  };

  constructor(private readonly ctx: AppContext) {
    this.j = judgementOf(ctx);
  }

  /** Counter zones shown, in order: `visit.zones`, else every zone of kind `counter`. */
  zones() {
    const { zones, visit } = this.ctx.config;
    if (visit.zones.length > 0) return visit.zones.flatMap((id) => zones.filter((z) => z.id === id));
    return zones.filter((z) => z.kind === 'counter');
  }

  /** True when the reading is one the visitor page shows (for the live stream). */
  concerns(r: Reading): boolean {
    return (
      r.site === this.ctx.config.site.id &&
      VISIT_QUANTITIES.includes(r.quantity) &&
      this.zones().some((z) => z.id === r.zone)
    );
  }

  /** True when any shown counter is in use at ts. */
  isOpen(ts: number): boolean {
    return this.zones().some((z) => this.j.inUse(z.id, ts));
  }

  snapshot(): VisitSnapshot {
    const { config } = this.ctx;
    const now = this.ctx.clock.now();
    const open = this.isOpen(now);
    const site = config.site.id;
    const latest = this.ctx.latest
      .all()
      .filter((r) => r.site === site && VISIT_QUANTITIES.includes(r.quantity));
    const counters = this.zones().map((z): VisitCounter => {
      const mine = latest
        .filter((r) => r.zone === z.id)
        .map((r) => ({ r, v: readingView(this.ctx, r, now) }));
      const fresh = (q: Quantity) =>
        mine.filter((x) => x.r.quantity === q && !x.v.stale).map((x) => x.r.value);
      const newest = mine.reduce((m, x) => Math.max(m, x.r.ts), 0);
      const waitingList = fresh('waiting');
      const waitList = fresh('wait_minutes');
      const servingList = fresh('serving');
      const waiting = waitingList.length > 0 ? waitingList.reduce((a, b) => a + b, 0) : null;
      const waitMinutes = waitList.length > 0 ? Math.max(...waitList) : null;
      const serving = servingList.length > 0 ? Math.max(...servingList) : null;
      const inUse = this.j.inUse(z.id, now);
      const anyFresh = waiting !== null || waitMinutes !== null;
      const state = !inUse ? 'closed' : anyFresh ? 'open' : newest > 0 ? 'stale' : 'nodata';
      const shown = state === 'open';
      const next = inUse ? null : this.nextOpening(now, [z.id]);
      return {
        name: z.name,
        state,
        waiting: shown ? waiting : null,
        waitMinutes: shown ? waitMinutes : null,
        serving: shown ? serving : null,
        band: shown && waitMinutes !== null ? this.j.band('wait_minutes', waitMinutes) : null,
        updated: newest > 0 ? new Date(newest).toISOString() : null,
        nextOpen: next === null ? null : new Date(next).toISOString(),
      };
    });
    const nextOpen = open ? null : this.nextOpening(now);
    return {
      site: config.site.name,
      now: new Date(now).toISOString(),
      open,
      nextOpen: nextOpen === null ? null : new Date(nextOpen).toISOString(),
      closesAt: open ? new Date(this.closing(now)).toISOString() : null,
      bands: { ...config.limits.wait },
      counters,
    };
  }

  /** The first minute after ts when a shown counter (or one of `zoneIds`) is in use, within two weeks; null when none. */
  nextOpening(ts: number, zoneIds: readonly string[] = this.zones().map((z) => z.id)): number | null {
    const firstMinute = Math.floor(ts / 60_000) * 60_000 + 60_000;
    const open = (t: number) => zoneIds.some((z) => this.j.inUse(z, t));
    for (let d = 0; d <= 14; d++) {
      const day = jstDayStart(ts) + d * DAY_MS;
      if (!zoneIds.some((z) => this.j.inUseMs(z, day, day + DAY_MS) > 0)) continue;
      for (let t = Math.max(day, firstMinute); t < day + DAY_MS; t += 60_000) {
        if (open(t)) return t;
      }
    }
    return null;
  }

  /** The end of the in-use period that contains ts. */
  closing(ts: number): number {
    let t = Math.floor(ts / 60_000) * 60_000;
    const end = jstDayStart(ts) + DAY_MS;
    while (t < end && this.isOpen(t)) t += 60_000;
    return t;
  }

  /**
   * Waiting time by hour for the visitor: today so far (hourly mean) beside
   * the usual pattern for the same weekday (per hour, the median over the
   * open same-weekday days of the last PATTERN_WEEKS weeks) — 混雑予想. When
   * today is closed the pattern is for the next open day. A counter with
   * fewer than PATTERN_MIN_DAYS such days has no usual pattern (null): the
   * page says データ不足 rather than calling one day "usual".
   */
  async pattern(): Promise<VisitPattern> {
    const now = this.ctx.clock.now();
    const today = jstDayStart(now);
    const target = this.openToday(today) ? today : jstDayStart(this.nextOpening(now) ?? now);
    const isToday = target === today;
    const weekday = jstParts(target).weekday;
    const hours = this.openHours(target);
    const zones = this.zones();
    const site = this.ctx.config.site.id;
    const hourly = async (from: number, to: number) =>
      this.ctx.store.query({ site, quantity: 'wait_minutes', from, to, step: HOUR_MS });

    // The usual pattern changes once a day: cached per (target day, weekday) and refreshed hourly.
    const key = `${target}`;
    if (!this.usualCache || this.usualCache.key !== key || now - this.usualCache.at > HOUR_MS) {
      const from = today - PATTERN_WEEKS * 7 * DAY_MS;
      const buckets = await hourly(from, today);
      const perZone = new Map<string, Map<number, Map<number, number>>>(); // zone → day → hour → worst mean
      const days = new Set<number>();
      for (const b of buckets) {
        const day = jstDayStart(b.ts);
        if (jstParts(day).weekday !== weekday || !this.openToday(day)) continue;
        days.add(day);
        const byDay = perZone.get(b.zone) ?? new Map<number, Map<number, number>>();
        perZone.set(b.zone, byDay);
        const byHour = byDay.get(day) ?? new Map<number, number>();
        byDay.set(day, byHour);
        const h = jstParts(b.ts).hour;
        byHour.set(h, Math.max(byHour.get(h) ?? 0, b.mean));
      }
      const value = new Map<string, { usual: (number | null)[]; days: number }>();
      for (const z of zones) {
        const byDay = [...(perZone.get(z.id)?.values() ?? [])];
        const enough = byDay.length >= PATTERN_MIN_DAYS;
        value.set(z.id, {
          days: byDay.length,
          usual: hours.map((h) =>
            enough ? median(byDay.flatMap((m) => (m.has(h) ? [m.get(h)!] : []))) : null,
          ),
        });
      }
      this.usualCache = { key, at: now, value, days: days.size };
    }
    const todayBuckets = isToday ? await hourly(today, now + 1) : [];
    return {
      date: new Date(target + 9 * HOUR_MS).toISOString().slice(0, 10),
      weekday,
      isToday,
      hours,
      weeks: PATTERN_WEEKS,
      days: this.usualCache.days,
      minDays: PATTERN_MIN_DAYS,
      counters: zones.map((z) => {
        const mine = todayBuckets.filter((b) => b.zone === z.id);
        const usual = this.usualCache?.value.get(z.id);
        return {
          name: z.name,
          days: usual?.days ?? 0,
          today: hours.map((h) => {
            const list = mine.filter((b) => jstParts(b.ts).hour === h).map((b) => b.mean);
            return list.length > 0 ? round1(Math.max(...list)) : null;
          }),
          usual: (usual?.usual ?? hours.map(() => null)).map((v) => (v === null ? null : round1(v))),
        };
      }),
    };
  }

  /** True when a shown counter is in use at some time of the JST day starting at dayStart. */
  private openToday(dayStart: number): boolean {
    return this.zones().some((z) => this.j.inUseMs(z.id, dayStart, dayStart + DAY_MS) > 0);
  }

  /** JST hours of day in which a shown counter is in use (the judgement's), on the day starting at dayStart; none when closed. */
  private openHours(dayStart: number): number[] {
    const out: number[] = [];
    for (let h = 0; h < 24; h++) {
      const from = dayStart + h * HOUR_MS;
      if (this.zones().some((z) => this.j.inUseMs(z.id, from, from + HOUR_MS) > 0)) out.push(h);
    }
    return out;
  }
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
