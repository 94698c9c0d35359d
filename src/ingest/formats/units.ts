import type { Quantity } from '../../core/quantities.js';

/**
 * Units a source may declare (Tasmota `TempUnit`, Homie `$unit`, Home
 * Assistant `unit_of_measurement`, Shelly `tF`) or an inventory entry may
 * name, and their conversion to the canonical unit of each quantity
 * (DESIGN §4). Pure functions; unknown units are reported, never guessed.
 */
const ALIASES: Record<string, string> = {
  '°c': '°C',
  c: '°C',
  degc: '°C',
  '℃': '°C',
  celsius: '°C',
  ºc: '°C', // masculine ordinal instead of the degree sign: common in hand-written configs
  '°f': '°F',
  f: '°F',
  degf: '°F',
  '℉': '°F',
  fahrenheit: '°F',
  ºf: '°F',
  k: 'K',
  kelvin: 'K',
  '%': '%',
  '%rh': '%',
  rh: '%',
  percent: '%',
  ratio: 'ratio',
  fraction: 'ratio',
  ppm: 'ppm',
  lx: 'lx',
  lux: 'lx',
  klx: 'klx',
  w: 'W',
  kw: 'kW',
  wh: 'Wh',
  kwh: 'kWh',
  mv: 'mV',
  v: 'V',
  '#': '#',
  persons: '#',
  person: '#',
  min: 'min',
  s: 's',
  h: 'h',
};

/** The unit's canonical spelling, or undefined when Kaiteki does not know it. `''` means "no unit". */
export function canonicalUnit(unit: string): string | undefined {
  const u = unit.trim();
  if (u === '') return '';
  return ALIASES[u.toLowerCase()];
}

export function isKnownUnit(unit: string): boolean {
  return canonicalUnit(unit) !== undefined;
}

/** Units that give a voltage, not the quantity: they need a `scale` (quantity per volt). */
export function isVoltage(unit: string): boolean {
  const c = canonicalUnit(unit);
  return c === 'mV' || c === 'V';
}

type Conv = (v: number) => number;
const id: Conv = (v) => v;

/** Per quantity: unit → conversion to the canonical unit. */
const TABLE: Record<Quantity, Record<string, Conv>> = {
  temperature: { '°C': id, '°F': (v) => ((v - 32) * 5) / 9, K: (v) => v - 273.15 },
  humidity: { '%': id, ratio: (v) => v * 100 },
  co2: { ppm: id, '%': (v) => v * 10_000 },
  illuminance: { lx: id, klx: (v) => v * 1000 },
  // a dimmer's brightness in percent: any light is "on"
  lights: { '%': (v) => (v > 0 ? 1 : 0) },
  occupancy: { '#': id },
  waiting: { '#': id },
  wait_minutes: { min: id, s: (v) => v / 60, h: (v) => v * 60 },
  serving: { '#': id },
  issued: { '#': id },
  power: { W: id, kW: (v) => v * 1000 },
  energy: { kWh: id, Wh: (v) => v / 1000 },
};

/**
 * `value` in `unit` converted to the canonical unit of `quantity`; `''`
 * (no unit) is taken as canonical. mV and V give volts, to be scaled by
 * the caller. Undefined when the unit cannot be converted to this quantity.
 */
export function toCanonical(quantity: Quantity, value: number, unit: string): number | undefined {
  const c = canonicalUnit(unit);
  if (c === undefined) return undefined;
  if (c === '') return value;
  if (c === 'mV') return value / 1000;
  if (c === 'V') return value;
  const conv = TABLE[quantity][c];
  return conv ? conv(value) : undefined;
}

/**
 * Whether a bare number of this quantity is ambiguous without its unit
 * (temperature °C/°F/K, humidity %/ratio, CO₂ ppm/% …): true when more than
 * one unit converts to it. Counts (`#`) and lights have one unit only.
 */
export function unitMatters(quantity: Quantity): boolean {
  return Object.keys(TABLE[quantity]).length > 1;
}
