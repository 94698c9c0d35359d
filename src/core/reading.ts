import type { Quantity } from './quantities.js';

/**
 * One normalised measurement: the unit of everything downstream of ingest.
 * `ts` is epoch milliseconds UTC, taken from the sensor when it sends one
 * (never server time when it does: points with the same identity replace
 * each other in InfluxDB, so a reading's own timestamp is its identity).
 */
export interface Reading {
  site: string;
  zone: string;
  sensor: string;
  quantity: Quantity;
  value: number;
  /** epoch ms, UTC */
  ts: number;
  /** false when the sensor is not in the inventory (accepted, marked). */
  registered: boolean;
}

/** Identity of a series: one sensor's one quantity. */
export function seriesKey(r: Pick<Reading, 'site' | 'zone' | 'sensor' | 'quantity'>): string {
  return IngestedReading.keyOf(r) ?? keysOf(r.site, r.zone, r.sensor).series(r.quantity);
}

/**
 * A reading as ingest makes it, with its series key built once: the store,
 * rollups, rules, zone status and the latest cache all look readings up by
 * series, and building that string in each of them for every reading cost
 * about a fifth of ingest's time (bench profile). The key is a private field,
 * so it is not in JSON and a spread copy (which may change the zone) is a
 * plain object whose key is computed afresh.
 */
export class IngestedReading implements Reading {
  readonly #key: string;
  readonly #sensorKey: string;
  constructor(
    readonly site: string,
    readonly zone: string,
    readonly sensor: string,
    readonly quantity: Quantity,
    readonly value: number,
    readonly ts: number,
    readonly registered: boolean,
    /** `site/zone/sensor` when the caller has it (from `keysOf`) */
    sensorKey?: string,
    /** the series key when the caller has it (from `keysOf`) */
    key?: string,
  ) {
    if (sensorKey === undefined || key === undefined) {
      const keys = keysOf(site, zone, sensor);
      sensorKey ??= keys.sensorKey;
      key ??= keys.series(quantity);
    }
    this.#sensorKey = sensorKey;
    this.#key = key;
  }

  static keyOf(r: object): string | undefined {
    return #key in r ? (r as IngestedReading).#key : undefined;
  }

  static sensorKeyOf(r: object): string | undefined {
    return #sensorKey in r ? (r as IngestedReading).#sensorKey : undefined;
  }
}

/** Keys of one sensor: its sensor key and, per quantity, its series keys (see `keysOf`). */
export interface SensorKeys {
  readonly sensorKey: string;
  /** series key of one of its quantities (`site/zone/sensor/quantity`), the same string every time */
  series(quantity: Quantity): string;
}

class KeysOfSensor implements SensorKeys {
  private readonly byQuantity = new Map<string, string>();
  constructor(readonly sensorKey: string) {}
  series(quantity: Quantity): string {
    let key = this.byQuantity.get(quantity);
    if (key === undefined) {
      key = `${this.sensorKey}/${quantity}`;
      this.byQuantity.set(quantity, key);
    }
    return key;
  }
}

const keysBySensor = new Map<string, KeysOfSensor>();

/**
 * The keys of a sensor, one string object per sensor and per series for the
 * whole process. Every part looks readings up by these keys in its own Map;
 * with the same string object each time, V8 compares a key by identity, not
 * character by character (a key built afresh per message cost ~40 ns per
 * lookup, five or more lookups per reading). Bounded like the other caches:
 * past 200,000 sensors it starts again (keys then still compare equal, only
 * slower).
 */
export function keysOf(site: string, zone: string, sensor: string): SensorKeys {
  const sk = `${site}/${zone}/${sensor}`;
  let keys = keysBySensor.get(sk);
  if (keys === undefined) {
    if (keysBySensor.size >= 200_000) keysBySensor.clear();
    keys = new KeysOfSensor(sk);
    keysBySensor.set(sk, keys);
  }
  return keys;
}

/** Identity of a sensor where it is mounted: `site/zone/sensor`. */
export function sensorKey(r: Pick<Reading, 'site' | 'zone' | 'sensor'>): string {
  return IngestedReading.sensorKeyOf(r) ?? keysOf(r.site, r.zone, r.sensor).sensorKey;
}

/** Online/offline from the `<sensor>/status` topic (retained, LWT). */
export interface SensorStatus {
  site: string;
  zone: string;
  sensor: string;
  online: boolean;
  ts: number;
}

/** Slug rule for site, zone and sensor ids (DESIGN §4). */
export const SLUG = /^[a-z0-9][a-z0-9_-]*$/;
