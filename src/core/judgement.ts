import type { Config, ZoneConfig } from '../config/schema.js';
import { Calendar, toMinutes } from './calendar.js';
import { DAY_MS, HOUR_MS, jstDayStart, jstParts } from './jst.js';
import { type Breach, buildTable, type LimitDef, type ZoneLimits } from './limits-table.js';
import type { Quantity } from './quantities.js';

/**
 * The one judgement (DESIGN §7): whether a zone is in use, which limits a
 * value breaks, when a sensor is stale or offline, and the law's daily mean.
 * Pure: built from config (and optionally the inventory's intervals), every
 * answer a function of its arguments. The rules, the rollups, the report,
 * /api/status and the wall all ask this module; nothing else decides.
 */

export type { Breach, LimitCategory, LimitDef, ZoneLimits } from './limits-table.js';

export interface IntervalSource {
  get(site: string, sensor: string): { intervalSeconds: number } | undefined;
}

export type Freshness = 'fresh' | 'stale' | 'offline';

/** Quantities that are states (DESIGN §4): a value holds until the next change, not only for a few intervals. */
export const STATE_QUANTITIES: ReadonlySet<string> = new Set(['lights', 'occupancy']);

/** One hour of a series for the daily mean: readings' sum and count (`sensor` names the series; absent = pooled). */
export interface DailyBucket {
  hour: number;
  sum: number;
  count: number;
  sensor?: string;
}

export class Judgement {
  readonly calendar: Calendar;
  private readonly zones = new Map<string, ZoneConfig>();
  private readonly calendars = new Map<string, Calendar>();
  private readonly inUseHours = new Map<string, { open: string; close: string }>();
  readonly table: readonly LimitDef[];
  readonly staleAfterIntervals: number;
  readonly clockSkewMs: number;
  private readonly staffCalendar: Calendar;

  constructor(
    readonly config: Config,
    private readonly intervals?: IntervalSource,
  ) {
    this.calendar = new Calendar(config.hours);
    const staff = config.hours.staff; // the schema supplies the default (08:00–17:30)
    this.staffCalendar = new Calendar({ ...config.hours, open: staff.open, close: staff.close });
    this.staleAfterIntervals = config.inventory.staleAfterIntervals;
    this.clockSkewMs = config.inventory.clockSkewSeconds * 1000;
    const byHours = new Map<string, Calendar>([
      [`${config.hours.open}-${config.hours.close}`, this.calendar],
    ]);
    for (const z of config.zones) {
      this.zones.set(z.id, z);
      const h = this.hoursOf(z);
      const always = z.inUse === 'always';
      const key = always ? 'always' : `${h.open}-${h.close}`;
      let cal = byHours.get(key);
      if (!cal) {
        cal = new Calendar(
          always
            ? {
                days: [0, 1, 2, 3, 4, 5, 6],
                open: '00:00',
                close: '24:00',
                extra: [],
                closedDays: [],
                holidaysClosed: false,
                staff: h,
              }
            : { ...config.hours, open: h.open, close: h.close },
        );
        byHours.set(key, cal);
      }
      this.calendars.set(z.id, cal);
      this.inUseHours.set(z.id, h);
    }
    this.table = buildTable(config, (zone) => this.zones.get(zone)?.illuminanceTarget);
  }

  private hoursOf(z: ZoneConfig | undefined): { open: string; close: string } {
    const u = z?.inUse ?? 'opening';
    if (u === 'opening') return { open: this.config.hours.open, close: this.config.hours.close };
    if (u === 'staff') return { ...this.config.hours.staff };
    if (u === 'always') return { open: '00:00', close: '24:00' };
    return { open: u.open, close: u.close };
  }

  private cal(zone: string): Calendar {
    return this.calendars.get(zone) ?? this.calendar;
  }

  // ── calendar ────────────────────────────────────────────────────────────

  /** Whether the zone is in use at ts (its hours on open days, extra windows; minute-exact, JST). */
  inUse(zone: string, ts: number): boolean {
    return this.cal(zone).isOpen(ts);
  }

  /** Staff are in the building (hours.staff on open days): lights on for them are not after-hours waste. */
  staffed(ts: number): boolean {
    return this.staffCalendar.isOpen(ts);
  }

  /**
   * Out of hours for a zone: it is not in use and no staff are in (lights on
   * then are waste). The rules' `when: {hours: closed}` and the limits table's
   * `afterHours` rows both ask this.
   */
  outOfHours(zone: string, ts: number): boolean {
    return !this.inUse(zone, ts) && !this.staffed(ts);
  }

  /** The building is closed all day (weekend, national holiday, 29 Dec – 3 Jan, a day without hours). */
  isClosedDay(ts: number): boolean {
    return this.calendar.isClosedDay(ts);
  }

  /** Minutes the zone is in use within [from, to). */
  inUseMinutes(zone: string, from: number, to: number): number {
    return this.inUseMs(zone, from, to) / 60_000;
  }

  /** Milliseconds the zone is in use within [from, to). */
  inUseMs(zone: string, from: number, to: number): number {
    const cal = this.cal(zone);
    let total = 0;
    for (let day = jstDayStart(from); day < to; day += DAY_MS) {
      for (const w of cal.windows(day)) {
        const a = Math.max(from, day + w.open * 60_000);
        const b = Math.min(to, day + w.close * 60_000);
        if (b > a) total += b - a;
      }
    }
    return total;
  }

  /** End of the zone's last in-use window on the JST day starting at `day`; undefined when not in use that day. */
  inUseEnd(zone: string, day: number): number | undefined {
    const ws = this.cal(zone).windows(day);
    if (ws.length === 0) return undefined;
    return day + Math.max(...ws.map((w) => w.close)) * 60_000;
  }

  /** Share (0–1) of the hour starting at `hour` in which the zone is in use. */
  inUseShare(zone: string, hour: number): number {
    return this.inUseMs(zone, hour, hour + HOUR_MS) / HOUR_MS;
  }

  /** When the zone's current in-use or out-of-use period began (for `since`), looking back up to 8 days. */
  useChangedAt(zone: string, ts: number): number {
    const now = this.inUse(zone, ts);
    const cal = this.cal(zone);
    const edges: number[] = [];
    for (let day = jstDayStart(ts); day > ts - 8 * DAY_MS; day -= DAY_MS) {
      for (const w of cal.windows(day)) edges.push(day + w.open * 60_000, day + w.close * 60_000);
    }
    edges.sort((x, y) => y - x);
    for (const e of edges) {
      if (e > ts) continue;
      if (this.inUse(zone, e) === now && this.inUse(zone, e - 1) !== now) return e;
    }
    return jstDayStart(ts - 7 * DAY_MS);
  }

  // ── limits ──────────────────────────────────────────────────────────────

  /** Whether a limit is judged in this zone at ts. */
  applies(def: LimitDef, zone: string, ts: number): boolean {
    switch (def.when) {
      case 'always':
        return true;
      case 'inUse':
        return this.inUse(zone, ts);
      case 'afterHours':
        return this.outOfHours(zone, ts) && !this.isClosedDay(ts);
      case 'closedDay':
        return this.isClosedDay(ts);
      case 'cooling':
        return this.inUse(zone, ts) && this.config.limits.eco.coolingMonths.includes(this.monthOf(ts));
      case 'heating':
        return this.inUse(zone, ts) && this.config.limits.eco.heatingMonths.includes(this.monthOf(ts));
    }
  }

  private monthHour = Number.NaN;
  private month = 0;
  /** JST month (1–12) of ts; remembered per hour (asked for every temperature reading). */
  private monthOf(ts: number): number {
    const hour = Math.floor(ts / HOUR_MS);
    if (hour !== this.monthHour) {
      this.monthHour = hour;
      this.month = jstParts(ts).month;
    }
    return this.month;
  }

  /** The table row with this id (`eco.lights_after_hours` …); undefined when none. */
  limit(id: string): LimitDef | undefined {
    return this.table.find((d) => d.id === id);
  }

  /** Limits of the table for a quantity. */
  limitsFor(quantity: Quantity): LimitDef[] {
    return this.table.filter((d) => d.quantity === quantity);
  }

  /** True when the value breaks the limit (ignoring when it applies). */
  breaks(def: LimitDef, zone: string, value: number): 'min' | 'max' | undefined {
    const min = def.min(zone);
    const max = def.max(zone);
    if (def.below && !(value < def.below(zone))) return undefined;
    if (def.inclusive ? value <= min : value < min) return 'min';
    if (def.inclusive ? value >= max : value > max) return 'max';
    return undefined;
  }

  /**
   * Which limits one reading breaks at ts in a zone: comfort while in use
   * (with the caution margin as level `caution`), building protection at all
   * hours, eco by its window, service bands while in use.
   */
  judgeReading(zone: string, quantity: Quantity, value: number, ts: number): Breach[] {
    const out: Breach[] = [];
    for (const def of this.table) {
      if (def.quantity !== quantity || !this.applies(def, zone, ts)) continue;
      const bound = this.breaks(def, zone, value);
      if (bound) {
        const threshold = bound === 'min' ? def.min(zone) : def.max(zone);
        out.push({ limit: def.id, category: def.category, quantity, value, bound, threshold, level: 'out' });
        continue;
      }
      if (def.category !== 'comfort') continue;
      const c = this.cautionBound(def, zone, value);
      if (c) out.push({ limit: def.id, category: def.category, quantity, value, ...c, level: 'caution' });
    }
    return out;
  }

  private cautionBound(
    def: LimitDef,
    zone: string,
    v: number,
  ): { bound: 'min' | 'max'; threshold: number } | undefined {
    const C = this.config.limits.caution;
    const min = def.min(zone);
    const max = def.max(zone);
    let lo = Number.NaN;
    let hi = Number.NaN;
    if (def.quantity === 'temperature' || def.quantity === 'humidity') {
      const m = def.quantity === 'temperature' ? C.temperature : C.humidity;
      lo = min + m;
      hi = max - m;
    } else if (def.quantity === 'co2') hi = max * C.co2Share;
    else if (def.quantity === 'illuminance') lo = min * C.illuminanceShare;
    if (v < lo) return { bound: 'min', threshold: min };
    if (v > hi) return { bound: 'max', threshold: max };
    return undefined;
  }

  /** The zone's effective limits. */
  zoneLimits(zone: string): ZoneLimits {
    const L = this.config.limits;
    const C = L.caution;
    const target = this.zones.get(zone)?.illuminanceTarget ?? L.illuminance.defaultTarget;
    return {
      inUse: this.inUseHours.get(zone) ?? this.hoursOf(undefined),
      temperature: { ...L.temperature },
      humidity: { ...L.humidity },
      co2: { ...L.co2 },
      illuminance: { min: target },
      protection: {
        temperature: { ...L.protection.temperature },
        humidity: { ...L.protection.humidity },
      },
      caution: {
        temperature: C.temperature,
        humidity: C.humidity,
        co2: L.co2.max * C.co2Share,
        illuminance: target * C.illuminanceShare,
      },
      wait: { ...L.wait },
      queue: { ...L.queue },
    };
  }

  /** Counter band of a wait in minutes or a queue in persons: blue, yellow (≥ yellowFrom), red (≥ redFrom). */
  band(quantity: 'wait_minutes' | 'waiting', value: number): 'blue' | 'yellow' | 'red' {
    const b = quantity === 'wait_minutes' ? this.config.limits.wait : this.config.limits.queue;
    if (value >= b.redFrom) return 'red';
    return value >= b.yellowFrom ? 'yellow' : 'blue';
  }

  // ── stale / offline ─────────────────────────────────────────────────────

  /** Expected reporting interval of a sensor (inventory; else inventory.defaultIntervalSeconds), ms. */
  expectedIntervalMs(site: string, sensor: string): number {
    return (
      (this.intervals?.get(site, sensor)?.intervalSeconds ?? this.config.inventory.defaultIntervalSeconds) *
      1000
    );
  }

  /** Silence (by arrival time) after which a sensor is stale: `staleAfterIntervals` × its interval. */
  staleAfterMs(site: string, sensor: string): number {
    return this.expectedIntervalMs(site, sensor) * this.staleAfterIntervals;
  }

  /**
   * One policy for live values: offline at once when the sensor's
   * availability says so; stale when nothing arrived for the stale limit
   * (arrival time, so a sensor with a wrong clock is still alive).
   */
  freshness(
    site: string,
    sensor: string,
    arrivedAt: number,
    now: number,
    online?: boolean | null,
  ): Freshness {
    if (online === false) return 'offline';
    return now - arrivedAt > this.staleAfterMs(site, sensor) ? 'stale' : 'fresh';
  }

  /** Whether a quantity is a state (lights, occupancy): its value holds until the next change. */
  isState(quantity: string): boolean {
    return STATE_QUANTITIES.has(quantity);
  }

  /** How long a state holds without a new reading (report.stateHoldHours; a dead switch is not "on" forever). */
  get stateHoldMs(): number {
    return this.config.report.stateHoldHours * HOUR_MS;
  }

  /** How far a reading reaches forward: the sensor's stale time, or for a state the hold (never less than the stale time). */
  reachMs(site: string, sensor: string, quantity: string): number {
    const stale = this.staleAfterMs(site, sensor);
    return this.isState(quantity) ? Math.max(stale, this.stateHoldMs) : stale;
  }

  /** True when a reading's own timestamp is further from its arrival than `inventory.clockSkewSeconds`. */
  clockSkewed(ts: number, arrivedAt: number): boolean {
    return Math.abs(arrivedAt - ts) > this.clockSkewMs;
  }

  // ── daily mean ──────────────────────────────────────────────────────────

  /**
   * The law's daily mean (Building Sanitation Act, CO2/CO/dust): the mean of
   * the day's measurements taken while the zone is in use. From hourly
   * buckets (sum, count of readings; `sensor` names the series, pooled when
   * absent), each weighted by the share of its hour in use, so the live
   * rules and the report (from rollups) compute the same figure.
   *
   * ONE rule decides whether the day counts (`judged`), for the alerts, the
   * eco report and the legal record alike: at least
   * `limits.co2.minDailyReadings` (weighted) in-use readings AND a coverage of
   * at least `limits.co2.minDailyCoverage`. Coverage = the in-use time of the
   * hours with at least one reading ÷ the day's in-use time, per sensor
   * (averaged over the sensors that reported that day) — a day measured only
   * in the morning is not judged. `mean` is given whenever there was an in-use
   * reading (a reference value when not judged); `n` is the weighted count.
   */
  dailyMean(
    zone: string,
    buckets: Iterable<DailyBucket>,
  ): { mean: number | undefined; n: number; coverage: number; judged: boolean } {
    let sum = 0;
    let n = 0;
    const covered = new Map<string, Set<number>>();
    const days = new Set<number>();
    for (const b of buckets) {
      days.add(jstDayStart(b.hour));
      if (b.count <= 0) continue;
      const share = this.inUseShare(zone, b.hour);
      if (share <= 0) continue;
      sum += b.sum * share;
      n += b.count * share;
      const key = b.sensor ?? '';
      const hours = covered.get(key) ?? new Set<number>();
      hours.add(b.hour);
      covered.set(key, hours);
    }
    let dayMs = 0;
    for (const d of days) dayMs += this.inUseMs(zone, d, d + DAY_MS);
    let coverage = 0;
    if (dayMs > 0 && covered.size > 0) {
      for (const hours of covered.values()) {
        let ms = 0;
        for (const h of hours) ms += this.inUseMs(zone, h, h + HOUR_MS);
        coverage += Math.min(1, ms / dayMs);
      }
      coverage /= covered.size;
    }
    const C = this.config.limits.co2;
    const judged = n > 0 && n >= C.minDailyReadings && coverage >= C.minDailyCoverage;
    return { mean: n > 0 ? sum / n : undefined, n, coverage, judged };
  }

  /** Display name of a zone, or its id. */
  zone(zone: string): ZoneConfig | undefined {
    return this.zones.get(zone);
  }

  /** Minutes of a JST "HH:MM". */
  static minutes(hhmm: string): number {
    return toMinutes(hhmm);
  }
}
