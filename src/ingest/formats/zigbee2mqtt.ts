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

/**
 * zigbee2mqtt: `zigbee2mqtt/<friendly_name>` carries a JSON object of the
 * device's exposes (`temperature`, `humidity`, `co2`, `illuminance`,
 * `occupancy` …, plus `battery`, `linkquality` … which are ignored);
 * `<topic>/availability` carries `online`/`offline` (legacy) or
 * `{"state":"online"}`. The entry's `topic` is the device topic. The
 * optional `last_seen` field (ISO 8601 or epoch ms) is the reading's time.
 */
class Zigbee2MqttFormat implements MappedFormat {
  readonly name = 'zigbee2mqtt';
  private readonly availability: string;
  constructor(private readonly entry: MappedEntry) {
    this.availability = entry.availabilityTopic ?? `${entry.topic}/availability`;
  }

  topics(): string[] {
    return [this.entry.topic, this.availability];
  }

  parse(msg: RawMessage): FormatResult {
    const text = decodeUtf8(msg.payload);
    if (typeof text !== 'string') return text;
    if (topicMatches(this.availability, msg.topic)) return availabilityResult(this.entry, text);
    const obj = parseJsonObject(text);
    if ('kind' in obj) return obj;
    const o = obj.value;
    return mapValues(this.entry, {
      get: (path) => lookup(o, path),
      ts: o.last_seen,
      fieldCount: Object.keys(o).length,
    });
  }
}

export const zigbee2mqtt: MappedFormatFactory = {
  name: 'zigbee2mqtt',
  // zigbee2mqtt 1.x sends raw `illuminance` and `illuminance_lux`; 2.x sends lux as `illuminance`:
  // the first present wins, so lux is taken from either.
  defaultMap: {
    temperature: 'temperature',
    humidity: 'humidity',
    co2: 'co2',
    illuminance_lux: 'illuminance',
    illuminance: 'illuminance',
    occupancy: 'occupancy',
    power: 'power',
    energy: 'energy',
  },
  create: (entry) => new Zigbee2MqttFormat(entry),
};
