import type { Config } from '../config/schema.js';
import { QUANTITIES, type Quantity } from '../core/quantities.js';
import type { SensorConfig } from '../inventory/schema.js';
import { type SimSite, SiteDrivers } from './drivers.js';
import { clamp, hash, Rng, strHash } from './rng.js';

export type { SimSite } from './drivers.js';

/** The part of an inventory entry the model reads. */
export type SimSensor = Pick<SensorConfig, 'id' | 'zone' | 'quantities'>;

export type SimValues = Partial<Record<Quantity, number>>;

/**
 * One sensor's model state between two samples. Plain data (JSON-safe), never
 * mutated by the model: `step` returns a new one. Carrying it from call to call
 * gives smooth values; the same state, sensor and ts always give the same output.
 */
export interface SensorState {
  /** epoch ms of the sample this state belongs to */
  ts: number;
  /** the sensor's random stream (mulberry32 state) */
  rng: number;
  co2: number;
  temperature: number;
  humidity: number;
  /** kWh, the meter reading (never decreases) */
  energy: number;
  /** smooth random walks (Ornstein–Uhlenbeck, unit variance), one per wobbling quantity */
  walk: { co2: number; temperature: number; humidity: number; light: number; power: number; people: number };
}

export interface Sample {
  ts: number;
  values: SimValues;
}

/** Physical dynamics are integrated in steps no longer than this, whatever the sampling step. */
const MAX_SUBSTEP_MS = 10 * 60_000;
/** How far back a fresh state is warmed up, so the first sample is already a believable one. */
const WARMUP_MS = 12 * 3600_000;
const WALK_TAU_MS = 30 * 60_000;
/** Meter reading at 2024-01-01 JST and the long-run average load, for a plausible starting reading. */
const METER_EPOCH = Date.UTC(2023, 11, 31, 15);
const METER_BASE_KWH = 150_000;
const METER_AVG_KW = 11.3;

/**
 * The simulated Takatsu building, deterministic for a seed: occupancy drives
 * CO2 (rising in opening hours, decaying to ~420 ppm at night), temperature
 * follows season and HVAC hours, humidity the season, illuminance the lights,
 * which follow the opening hours and are now and then left on at night;
 * counter queues peak mid-morning, at lunch, on Mondays, at month-end and after
 * holidays and are zero on closed days; the energy meter only goes up.
 * Holds only caches, so one instance can serve any number of sensors.
 */
export class SimModel {
  readonly drivers: SiteDrivers;

  constructor(
    site: SimSite,
    readonly seed = 1,
  ) {
    this.drivers = new SiteDrivers(site, seed >>> 0);
  }

  /** A model for a loaded configuration (zones, hours, eco seasons). */
  static fromConfig(config: Pick<Config, 'zones' | 'hours' | 'limits'>, seed = 1): SimModel {
    const { coolingMonths, heatingMonths } = config.limits.eco;
    return new SimModel({ zones: config.zones, hours: config.hours, coolingMonths, heatingMonths }, seed);
  }

  /** A fresh state at ts, warmed up over the preceding hours (so CO2 and temperature start where they would be). */
  initialState(sensor: SimSensor, ts: number): SensorState {
    const from = ts - WARMUP_MS;
    const d = this.drivers;
    const occ = d.occupancy(sensor.zone, from);
    const cold: SensorState = {
      ts: from,
      rng: hash(this.seed, strHash(sensor.id)),
      co2: d.co2Target(sensor.zone, from, occ).target,
      temperature: d.temperatureTarget(sensor.zone, from, occ).target,
      humidity: d.humidityTarget(from, occ),
      energy: METER_BASE_KWH + (Math.max(0, from - METER_EPOCH) / 3_600_000) * METER_AVG_KW,
      walk: { co2: 0, temperature: 0, humidity: 0, light: 0, power: 0, people: 0 },
    };
    return this.advance(sensor, cold, ts);
  }

  /**
   * Values of every quantity of the sensor at ts, and the state to pass next
   * time. Pure: `state` is not changed. Without a state (first call) one is
   * made. A ts before the state's is sampled without moving the dynamics.
   */
  step(
    sensor: SimSensor,
    state: SensorState | undefined,
    ts: number,
  ): { state: SensorState; values: SimValues } {
    const next = state ? this.advance(sensor, state, ts) : this.initialState(sensor, ts);
    const rng = new Rng(next.rng);
    const values: SimValues = {};
    for (const q of sensor.quantities) values[q] = round(q, this.value(sensor, q, next, ts, rng));
    return { state: { ...next, rng: rng.state }, values };
  }

  private value(sensor: SimSensor, q: Quantity, s: SensorState, ts: number, rng: Rng): number {
    const d = this.drivers;
    const zone = sensor.zone;
    switch (q) {
      case 'co2':
        return Math.max(400, s.co2 + 6 * rng.gaussian());
      case 'temperature':
        return s.temperature + 0.04 * rng.gaussian();
      case 'humidity':
        return clamp(s.humidity + 0.3 * rng.gaussian(), 5, 98);
      case 'illuminance': {
        const lx = d.illuminance(zone, ts);
        return Math.max(0, lx * (1 + 0.03 * s.walk.light) + (lx > 20 ? 4 * rng.gaussian() : 0));
      }
      case 'lights':
        return d.lightsOn(zone, ts) ? 1 : 0;
      case 'occupancy': {
        const n = d.occupancy(zone, ts);
        return n <= 0 ? 0 : Math.max(0, n * (1 + 0.08 * s.walk.people) + 0.3 * Math.sqrt(n) * rng.gaussian());
      }
      case 'waiting':
        return this.waiting(zone, ts, s);
      case 'wait_minutes': {
        const w = this.waiting(zone, ts, s);
        return w <= 0 ? 0 : Math.max(1, d.waitMinutes(zone, w) * (1 + 0.1 * s.walk.people));
      }
      case 'serving':
        return d.tickets(zone, ts).serving;
      case 'issued':
        return d.tickets(zone, ts).issued;
      case 'power':
        return d.power(ts) * (1 + 0.04 * s.walk.power);
      case 'energy':
        return s.energy;
    }
  }

  private waiting(zone: string, ts: number, s: SensorState): number {
    const q = this.drivers.queue(zone, ts);
    return q <= 0 ? 0 : Math.max(0, Math.round(q * (1 + 0.12 * s.walk.people)));
  }

  /** Moves the dynamics from state.ts to ts: first-order responses, exact for any step, plus the random walks. */
  private advance(sensor: SimSensor, state: SensorState, ts: number): SensorState {
    const dt = ts - state.ts;
    if (!(dt > 0)) return state;
    const d = this.drivers;
    const zone = sensor.zone;
    const meters = sensor.quantities.includes('energy');
    let { co2, temperature, humidity, energy } = state;
    const n = Math.ceil(dt / MAX_SUBSTEP_MS);
    const h = dt / n;
    let prevPower = meters ? d.power(state.ts) : 0;
    for (let i = 1; i <= n; i++) {
      const t = state.ts + h * i;
      const occ = d.occupancy(zone, t);
      const c = d.co2Target(zone, t, occ);
      co2 = c.target + (co2 - c.target) * Math.exp(-h / (c.tauMin * 60_000));
      const th = d.temperatureTarget(zone, t, occ);
      temperature = th.target + (temperature - th.target) * Math.exp(-h / (th.tauMin * 60_000));
      const rh = d.humidityTarget(t, occ);
      humidity = rh + (humidity - rh) * Math.exp(-h / 3_600_000);
      if (meters) {
        const p = d.power(t);
        energy += ((prevPower + p) / 2 / 1000) * (h / 3_600_000);
        prevPower = p;
      }
    }
    const rng = new Rng(state.rng);
    const a = Math.exp(-dt / WALK_TAU_MS);
    const b = Math.sqrt(1 - a * a);
    const w = state.walk;
    const walk = {
      co2: a * w.co2 + b * rng.gaussian(),
      temperature: a * w.temperature + b * rng.gaussian(),
      humidity: a * w.humidity + b * rng.gaussian(),
      light: a * w.light + b * rng.gaussian(),
      power: a * w.power + b * rng.gaussian(),
      people: a * w.people + b * rng.gaussian(),
    };
    // The walks wobble the slow states themselves (ventilation, drafts), not just the readout.
    return {
      ts,
      rng: rng.state,
      co2: Math.max(405, co2 + 25 * (walk.co2 - w.co2)),
      temperature: temperature + 0.15 * (walk.temperature - w.temperature),
      humidity: humidity + 1.5 * (walk.humidity - w.humidity),
      energy,
      walk,
    };
  }
}

/** Rounds to the quantity's display precision (QUANTITIES.decimals). */
function round(q: Quantity, v: number): number {
  const f = 10 ** QUANTITIES[q].decimals;
  return Math.round(v * f) / f;
}

/**
 * Samples one sensor from `from` (inclusive) to `to` (exclusive) every `stepMs`,
 * carrying the state: fast enough for a year of hourly or 5-minute samples
 * (a backfill). Deterministic for (model seed, sensor, from, stepMs).
 */
export function* sampleRange(
  model: SimModel,
  sensor: SimSensor,
  from: number,
  to: number,
  stepMs: number,
): Generator<Sample, void, undefined> {
  if (!(stepMs > 0)) throw new RangeError(`stepMs must be positive, got ${stepMs}`);
  let state: SensorState | undefined;
  for (let ts = from; ts < to; ts += stepMs) {
    const r = model.step(sensor, state, ts);
    state = r.state;
    yield { ts, values: r.values };
  }
}
