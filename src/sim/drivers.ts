import type { HoursConfig, ZoneConfig } from '../config/schema.js';
import { jstParts } from '../core/jst.js';
import { type DayInfo, SimDays } from './days.js';
import { bump, clamp, hashUnit, valueNoise } from './rng.js';
import { type ZoneProfile, zoneProfile } from './zones.js';

const MIN_MS = 60_000;
/** Tickets taken per minute at a department weight of 1 and demand 1 (a weekday's 10:00 peak). */
const TICKETS_PER_MINUTE = 0.45;

export type HvacMode = 'cooling' | 'heating' | 'ventilation' | 'off';

/** What the model needs from the site's configuration. */
export interface SimSite {
  zones: readonly ZoneConfig[];
  hours: HoursConfig;
  /** eco seasons; defaults: cooling Jun–Sep, heating Dec–Mar */
  coolingMonths?: readonly number[];
  heatingMonths?: readonly number[];
}

/**
 * The deterministic side of the simulated building: visitor demand, occupancy,
 * queues, lights, HVAC, outdoor weather and site power as pure functions of
 * (zone, time, seed). Sensors of the same zone therefore agree with each other
 * (the people counter and the CO2 sensor see the same crowd) and a bulk
 * backfill agrees with the live fleet.
 */
export class SiteDrivers {
  readonly days: SimDays;
  private readonly profiles = new Map<string, ZoneProfile>();
  private readonly openMin: number;
  private readonly closeMin: number;
  private readonly cooling: ReadonlySet<number>;
  private readonly heating: ReadonlySet<number>;
  private readonly ticketDays = new Map<string, { issued: Float64Array; serving: Float64Array }>();

  constructor(
    readonly site: SimSite,
    readonly seed: number,
  ) {
    this.days = new SimDays(site.hours, seed);
    this.openMin = toMinutes(site.hours.open);
    this.closeMin = toMinutes(site.hours.close);
    this.cooling = new Set(site.coolingMonths ?? [6, 7, 8, 9]);
    this.heating = new Set(site.heatingMonths ?? [12, 1, 2, 3]);
    for (const z of site.zones) this.profiles.set(z.id, zoneProfile(z, seed));
  }

  /** The zone's profile; a zone missing from config gets a generic one. */
  profile(zoneId: string): ZoneProfile {
    let p = this.profiles.get(zoneId);
    if (!p) {
      p = zoneProfile(
        {
          id: zoneId,
          name: { ja: zoneId, en: zoneId },
          kind: 'other',
          illuminanceTarget: 300,
          inUse: 'opening',
        },
        this.seed,
      );
      this.profiles.set(zoneId, p);
    }
    return p;
  }

  /**
   * Visitor demand of a department: 0 outside opening hours and on closed days;
   * about 1 at a plain weekday's 10:00 peak, with bumps at lunch (12:15) and
   * mid-afternoon, scaled by the day's demand and smooth chance.
   */
  demand(p: ZoneProfile, ts: number): number {
    const d = this.days.day(ts);
    if (d.closed || !this.days.calendar.isOpen(ts)) return 0;
    const m = jstParts(ts).minuteOfDay;
    let shape = 0.18 + 0.82 * bump(m, 600, 45) + 0.6 * bump(m, 735, 28) + 0.4 * bump(m, 870, 60);
    if (m > this.closeMin - 30) shape *= 0.6;
    const chance = 1 + 0.18 * valueNoise(p.deptKey, ts, 20 * MIN_MS);
    const deptDay = 0.9 + 0.2 * hashUnit(p.deptKey, d.index);
    return shape * d.demand * deptDay * chance;
  }

  /** People waiting in the counter queue of a zone (expected, not rounded). */
  queue(zoneId: string, ts: number): number {
    const p = this.profile(zoneId);
    return p.zone.kind === 'counter' || p.zone.kind === 'waiting' ? 16 * p.weight * this.demand(p, ts) : 0;
  }

  /**
   * Ticket numbers at a counter zone at ts: `issued` (the last ticket taken)
   * and `serving` (the number being called). Numbers restart at 1 each open
   * day; people queueing before opening take the first tickets; then tickets
   * are taken at a rate that follows demand, and the called number follows
   * the tickets minus the expected queue, never going back. Both hold their
   * last value after closing; 0 before opening and on closed days.
   */
  tickets(zoneId: string, ts: number): { issued: number; serving: number } {
    const p = this.profile(zoneId);
    if (p.zone.kind !== 'counter' && p.zone.kind !== 'waiting') return { issued: 0, serving: 0 };
    const d = this.days.day(ts);
    if (d.closed) return { issued: 0, serving: 0 };
    const key = `${zoneId}@${d.start}`;
    let day = this.ticketDays.get(key);
    if (!day) {
      if (this.ticketDays.size > 64) this.ticketDays.clear();
      day = this.ticketDay(zoneId, p, d.start);
      this.ticketDays.set(key, day);
    }
    const m = Math.min(1439, Math.max(0, Math.floor((ts - d.start) / MIN_MS)));
    return { issued: Math.floor(day.issued[m]!), serving: Math.floor(day.serving[m]!) };
  }

  /** Per minute of one JST day: cumulative tickets issued and the number being called. */
  private ticketDay(
    zoneId: string,
    p: ZoneProfile,
    start: number,
  ): { issued: Float64Array; serving: Float64Array } {
    const issued = new Float64Array(1440);
    const serving = new Float64Array(1440);
    let cum = 0;
    let called = 0;
    let opened = false;
    for (let m = 0; m < 1440; m++) {
      const ts = start + m * MIN_MS;
      const demand = this.demand(p, ts);
      if (demand > 0) {
        // Those who queued at the door take the first tickets when it opens.
        if (!opened) cum += this.queue(zoneId, ts);
        opened = true;
        cum += TICKETS_PER_MINUTE * p.weight * demand;
      }
      called = Math.max(called, Math.min(cum, cum - this.queue(zoneId, ts)));
      if (!opened) called = 0;
      issued[m] = cum;
      serving[m] = Math.min(called, cum);
    }
    return { issued, serving };
  }

  /** Expected wait in minutes for a queue of `waiting` people at this zone. */
  waitMinutes(zoneId: string, waiting: number): number {
    return waiting * this.profile(zoneId).minutesPerPerson;
  }

  /** Fraction (0–1) of the zone's staff present. */
  staffPresence(p: ZoneProfile, ts: number): number {
    const d = this.days.day(ts);
    const m = jstParts(ts).minuteOfDay;
    if (d.closed) {
      // Now and then a few office staff work on a Saturday.
      const sat = p.zone.kind === 'office' && d.weekday === 6 && hashUnit(p.key, d.index, 21) < 0.12;
      return sat && m >= 540 && m < 900 ? 0.15 : 0;
    }
    const arrive = this.openMin - 45 + 20 * hashUnit(p.key, d.index, 22);
    const overtime = p.zone.kind === 'office' ? 60 + 120 * hashUnit(p.key, d.index, 23) : 45;
    const leave = this.closeMin + overtime;
    if (m < arrive || m >= leave) return 0;
    if (m >= this.closeMin + 30) return 0.25;
    const lunch = m >= 720 && m < 780 ? 0.7 : 1;
    return Math.min(1, (m - arrive) / 20) * lunch;
  }

  /** Expected people in a zone (visitors plus staff). */
  occupancy(zoneId: string, ts: number): number {
    const p = this.profile(zoneId);
    return p.visitors * p.weight * this.demand(p, ts) + p.staff * this.staffPresence(p, ts);
  }

  /**
   * Lights of a zone: on from before opening (staff) until after closing, off
   * on closed days; a few nights a month someone leaves them on until the
   * morning round (deterministic from the seed).
   */
  lightsOn(zoneId: string, ts: number): boolean {
    const p = this.profile(zoneId);
    const d = this.days.day(ts);
    const m = jstParts(ts).minuteOfDay;
    if (m < 450 && this.leftOn(p, this.days.day(ts - 12 * 3600_000))) return true;
    if (d.closed) return this.staffPresence(p, ts) > 0;
    const on = this.openMin - 60 + 30 * hashUnit(p.key, d.index, 31);
    const off = this.closeMin + 30 + (p.zone.kind === 'office' ? 150 : 60) * hashUnit(p.key, d.index, 32);
    if (m >= on && m < off) return true;
    return m >= off && this.leftOn(p, d);
  }

  private leftOn(p: ZoneProfile, d: DayInfo): boolean {
    return !d.closed && hashUnit(p.key, d.index, 33) < 0.08;
  }

  /** Illuminance a zone's sensor would see, lx (before measurement noise). */
  illuminance(zoneId: string, ts: number): number {
    const p = this.profile(zoneId);
    const d = this.days.day(ts);
    const daylight = p.daylight * d.sun * this.sunFactor(d.month, jstParts(ts).minuteOfDay);
    if (!this.lightsOn(zoneId, ts)) return 1 + daylight;
    // Some days a zone runs a little under target (dimmed or failing fittings).
    const under = hashUnit(p.key, d.index, 41) < 0.15 ? 0.82 + 0.08 * hashUnit(p.key, d.index, 42) : 1;
    const level = 0.95 + 0.12 * hashUnit(p.key, 43);
    return p.zone.illuminanceTarget * level * under + daylight * 0.5;
  }

  /** 0–1 daylight at a JST minute of day, by month (Tokyo sunrise/sunset). */
  private sunFactor(month: number, m: number): number {
    const summer = (1 - Math.cos(((month - 0.5) / 12) * 2 * Math.PI - Math.PI / 6)) / 2;
    const rise = 6.7 * 60 - 130 * summer;
    const set = 16.6 * 60 + 145 * summer;
    if (m <= rise || m >= set) return 0;
    return Math.sin((Math.PI * (m - rise)) / (set - rise));
  }

  /** HVAC mode at ts: runs from 30 min before opening to 30 min after closing on open days. */
  hvac(ts: number): HvacMode {
    const d = this.days.day(ts);
    if (d.closed) return 'off';
    const m = jstParts(ts).minuteOfDay;
    if (m < this.openMin - 30 || m >= this.closeMin + 30) return 'off';
    if (this.cooling.has(d.month)) return 'cooling';
    if (this.heating.has(d.month)) return 'heating';
    return 'ventilation';
  }

  /** Outdoor temperature, °C: seasonal normal, the day's weather, a 14:00 peak. */
  outdoor(ts: number): number {
    const d = this.days.day(ts);
    const h = jstParts(ts).minuteOfDay / 60;
    return d.outdoorMean + 3.5 * Math.cos(((h - 14) / 24) * 2 * Math.PI);
  }

  /**
   * Room temperature the zone tends to at ts and how fast (minutes): the HVAC
   * setpoint in its hours (with a per-zone offset, so some zones run over-cooled
   * or over-heated), otherwise a free-running building drifting with the weather.
   */
  temperatureTarget(zoneId: string, ts: number, occupancy: number): { target: number; tauMin: number } {
    const p = this.profile(zoneId);
    const d = this.days.day(ts);
    const free = 21 + 0.6 * (d.outdoorMean - 15) + 0.1 * (this.outdoor(ts) - d.outdoorMean);
    const people = Math.min(0.6, 0.015 * occupancy);
    switch (this.hvac(ts)) {
      case 'cooling':
        return { target: 26 + p.coolOffset + people, tauMin: 25 };
      case 'heating':
        return { target: 22 + p.heatOffset + people * 0.8, tauMin: 25 };
      case 'ventilation':
        return { target: clamp(free + people, 21, 25.5), tauMin: 45 };
      default:
        return { target: free, tauMin: 240 };
    }
  }

  /** Relative humidity the zone tends to, %: by season, lowered by HVAC, raised by people. */
  humidityTarget(ts: number, occupancy: number): number {
    const d = this.days.day(ts);
    const base = SEASON_RH[d.month - 1] ?? 50;
    const mode = this.hvac(ts);
    const hvac = mode === 'cooling' ? -6 : mode === 'heating' ? -3 : 0;
    return base + hvac + Math.min(5, 0.1 * occupancy);
  }

  /** CO2 equilibrium (ppm) and time constant (min): outdoor air plus people, ventilation in HVAC hours. */
  co2Target(zoneId: string, ts: number, occupancy: number): { target: number; tauMin: number } {
    const p = this.profile(zoneId);
    const ventilated = this.hvac(ts) !== 'off';
    return { target: 420 + p.co2PerPerson * occupancy, tauMin: ventilated ? 40 : 240 };
  }

  /** Site power, W: base load, HVAC by weather, lights per zone, plug loads with staff. */
  power(ts: number): number {
    let w = 6000;
    const mode = this.hvac(ts);
    const out = this.outdoor(ts);
    for (const z of this.site.zones) {
      const p = this.profile(z.id);
      if (mode === 'cooling') w += 1500 * clamp(1 + 0.08 * (out - 26), 0.4, 2);
      else if (mode === 'heating') w += 1300 * clamp(1 + 0.05 * (12 - out), 0.4, 2);
      else if (mode === 'ventilation') w += 400;
      if (this.lightsOn(z.id, ts)) w += (1200 * z.illuminanceTarget) / 750;
      w += p.staff * this.staffPresence(p, ts) * (z.kind === 'office' ? 120 : 150);
    }
    return w;
  }
}

/** Indoor relative humidity by month without HVAC, %: dry Japanese winters, humid 梅雨 and summer. */
const SEASON_RH = [39, 38, 43, 50, 56, 64, 63, 62, 63, 56, 48, 41];

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}
