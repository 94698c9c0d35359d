import type { FormatResult, RawMessage } from '../format.js';
import {
  availabilityResult,
  type MappedEntry,
  type MappedFormat,
  type MappedFormatFactory,
  mapValues,
  topicMatches,
} from './mapped.js';
import { decodeUtf8 } from './util.js';

/**
 * ESPHome (MQTT component): every entity publishes a plain value to
 * `<topic_prefix>/<component_type>/<object_id>/state` (`23.4`, `ON`, `nan`),
 * and the node announces `online`/`offline` on `<topic_prefix>/status`
 * (birth and will message). The entry's `topic` is the node's topic prefix;
 * map keys are object ids (`temperature`, `co2`, `lobby_co2` …). An entity
 * not in the map (wifi_signal, uptime) is ignored.
 */
class EsphomeFormat implements MappedFormat {
  readonly name = 'esphome';
  private readonly status: string;
  private readonly depth: number;
  constructor(private readonly entry: MappedEntry) {
    this.status = entry.availabilityTopic ?? `${entry.topic}/status`;
    this.depth = entry.topic.split('/').length;
  }

  topics(): string[] {
    return [`${this.entry.topic}/sensor/+/state`, `${this.entry.topic}/binary_sensor/+/state`, this.status];
  }

  parse(msg: RawMessage): FormatResult {
    if (topicMatches(this.status, msg.topic)) {
      const text = decodeUtf8(msg.payload);
      return typeof text === 'string' ? availabilityResult(this.entry, text) : text;
    }
    const levels = msg.topic.split('/');
    // <prefix…>/<component>/<object_id>/state
    if (levels.length !== this.depth + 3 || levels[levels.length - 1] !== 'state') {
      return {
        kind: 'reject',
        reason: 'bad_topic',
        detail: 'expected <prefix>/<component>/<object_id>/state',
      };
    }
    const objectId = levels[this.depth + 1]!;
    if (!this.entry.map.has(objectId)) return { kind: 'ignore' };
    const text = decodeUtf8(msg.payload);
    if (typeof text !== 'string') return text;
    return mapValues(this.entry, { get: (path) => (path === objectId ? text.trim() : undefined) });
  }
}

export const esphome: MappedFormatFactory = {
  name: 'esphome',
  defaultMap: {
    temperature: 'temperature',
    humidity: 'humidity',
    co2: 'co2',
    illuminance: 'illuminance',
    occupancy: 'occupancy',
  },
  create: (entry) => new EsphomeFormat(entry),
};
