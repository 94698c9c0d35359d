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

const NOTIFY = new Set(['NotifyStatus', 'NotifyFullStatus']);

/**
 * Shelly Gen2+ (RPC over MQTT): `<id>/events/rpc` carries notification
 * frames `{"method":"NotifyStatus","params":{"ts":…,"temperature:0":{"tC":21.5}}}`
 * (only the components that changed; NotifyFullStatus carries all);
 * `<id>/status/<component>` carries one component's status when "generic
 * status update" is on; `<id>/online` carries `true`/`false`. The entry's
 * `topic` is the device's topic prefix (its id by default); map keys are
 * `<component>.<key>` (`temperature:0.tC`, `humidity:0.rh`). A `tF` key is
 * in °F. A notification about other components (wifi, sys) is ignored.
 */
class ShellyFormat implements MappedFormat {
  readonly name = 'shelly';
  private readonly online: string;
  private readonly depth: number;
  constructor(private readonly entry: MappedEntry) {
    this.online = entry.availabilityTopic ?? `${entry.topic}/online`;
    this.depth = entry.topic.split('/').length;
  }

  topics(): string[] {
    return [`${this.entry.topic}/events/rpc`, `${this.entry.topic}/status/+`, this.online];
  }

  parse(msg: RawMessage): FormatResult {
    const text = decodeUtf8(msg.payload);
    if (typeof text !== 'string') return text;
    if (topicMatches(this.online, msg.topic)) return availabilityResult(this.entry, text);
    const obj = parseJsonObject(text);
    if ('kind' in obj) return obj;
    const levels = msg.topic.split('/');
    const unitOf = (path: string) => (path.endsWith('.tF') ? '°F' : undefined);
    if (levels[this.depth] === 'status' && levels.length === this.depth + 2) {
      const component = levels[this.depth + 1]!;
      const prefix = `${component}.`;
      return mapValues(
        this.entry,
        {
          get: (path) => (path.startsWith(prefix) ? lookup(obj.value, path.slice(prefix.length)) : undefined),
          unitOf,
        },
        'ignore',
      );
    }
    const frame = obj.value;
    if (typeof frame.method !== 'string' || !NOTIFY.has(frame.method)) return { kind: 'ignore' }; // NotifyEvent, RPC replies
    const params = frame.params;
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      return { kind: 'reject', reason: 'not_an_object', detail: `${frame.method} without a params object` };
    }
    const p = params as Record<string, unknown>;
    return mapValues(this.entry, { get: (path) => lookup(p, path), unitOf, ts: p.ts }, 'ignore');
  }
}

export const shelly: MappedFormatFactory = {
  name: 'shelly',
  defaultMap: {
    'temperature:0.tC': 'temperature',
    'humidity:0.rh': 'humidity',
    'illuminance:0.lux': 'illuminance',
  },
  create: (entry) => new ShellyFormat(entry),
};
