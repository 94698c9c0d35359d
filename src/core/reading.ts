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
  return IngestedReading.keyOf(r) ?? `${r.site}/${r.zone}/${r.sensor}/${r.quantity}`;
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
    /** `site/zone/sensor` when the caller has it (one per message) */
    sensorKey = `${site}/${zone}/${sensor}`,
    /** the series key when the caller has it (a stored series) */
    key = `${sensorKey}/${quantity}`,
  ) {
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

/** Identity of a sensor where it is mounted: `site/zone/sensor`. */
export function sensorKey(r: Pick<Reading, 'site' | 'zone' | 'sensor'>): string {
  return IngestedReading.sensorKeyOf(r) ?? `${r.site}/${r.zone}/${r.sensor}`;
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
