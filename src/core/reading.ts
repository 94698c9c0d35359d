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
  return `${r.site}/${r.zone}/${r.sensor}/${r.quantity}`;
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
