import type { FormatResult, RawMessage } from '../format.js';
import {
  availabilityResult,
  lookup,
  type MappedEntry,
  type MappedFormat,
  type MappedFormatFactory,
  mapValues,
  topicMatches,
} from './mapped.js';
import { decodeUtf8, parseJsonObject } from './util.js';

/** The chip's own sensor (`"ESP32":{"Temperature":…}`) is not the room's. */
const CHIP = /^ESP(32|8266)/i;
const TEMPERATURE_FIELDS = new Set(['Temperature', 'DewPoint']);

/**
 * Tasmota: `tele/<topic>/SENSOR` carries one object per attached sensor
 * (`{"BME280":{"Temperature":21.7,…},"TempUnit":"C"}`); temperatures are in
 * `TempUnit` (C or F). `tele/<topic>/LWT` carries `Online`/`Offline`.
 * The entry's `topic` is the SENSOR topic; the LWT topic is its sibling.
 * Tasmota's `Time` is local time without a zone and is 1970 until NTP
 * syncs, so the reading's time is when Kaiteki received it.
 */
class TasmotaFormat implements MappedFormat {
  readonly name = 'tasmota';
  private readonly lwt: string | undefined;
  constructor(private readonly entry: MappedEntry) {
    const levels = entry.topic.split('/');
    this.lwt =
      entry.availabilityTopic ??
      (levels[levels.length - 1] === 'SENSOR' ? [...levels.slice(0, -1), 'LWT'].join('/') : undefined);
  }

  topics(): string[] {
    return this.lwt ? [this.entry.topic, this.lwt] : [this.entry.topic];
  }

  parse(msg: RawMessage): FormatResult {
    const text = decodeUtf8(msg.payload);
    if (typeof text !== 'string') return text;
    if (this.lwt && topicMatches(this.lwt, msg.topic)) return availabilityResult(this.entry, text);
    const obj = parseJsonObject(text);
    if ('kind' in obj) return obj;
    const o = obj.value;
    const tempUnit = typeof o.TempUnit === 'string' ? o.TempUnit : undefined;
    const skip = (k: string) => CHIP.test(k);
    return mapValues(this.entry, {
      get: (path) => lookup(o, path, skip),
      unitOf: (path) =>
        TEMPERATURE_FIELDS.has(path.slice(path.lastIndexOf('.') + 1)) ? tempUnit : undefined,
      fieldCount: Object.keys(o).filter((k) => typeof o[k] === 'object' && o[k] !== null).length,
    });
  }
}

export const tasmota: MappedFormatFactory = {
  name: 'tasmota',
  defaultMap: {
    '*.Temperature': 'temperature',
    '*.Humidity': 'humidity',
    '*.CarbonDioxide': 'co2',
    '*.Illuminance': 'illuminance',
    'ENERGY.Power': 'power',
    'ENERGY.Total': 'energy',
  },
  create: (entry) => new TasmotaFormat(entry),
};
