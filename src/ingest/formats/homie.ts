import type { FormatResult, RawMessage } from '../format.js';
import { type MappedEntry, type MappedFormat, type MappedFormatFactory, mapValues } from './mapped.js';
import { unitMatters } from './units.js';
import { decodeUtf8 } from './util.js';

const ONLINE_STATES: Record<string, boolean> = {
  ready: true,
  sleeping: true,
  alert: true,
  disconnected: false,
  lost: false,
};

/**
 * Homie v4: `homie/<device>/<node>/<property>` carries a plain value
 * (`21.5`, `true`); `…/<property>/$unit` gives its unit (retained;
 * `$datatype` is not needed: values are read by their content, and a
 * string, enum or color value is rejected by normalise with a reason); `homie/<device>/$state` is ready / sleeping / alert (online),
 * disconnected / lost (offline) or init (ignored). The entry's `topic` is
 * the device topic `homie/<device>`; map keys are `<node>.<property>`.
 *
 * Stateful, bounded: remembers `$unit` only for mapped properties. A value
 * is never converted before its unit is known (70 °F is not 70 °C), and
 * nothing is held in memory (a held value would be acknowledged and lost on
 * a crash): a value of a quantity that has more than one unit (temperature,
 * humidity, CO₂ …) whose unit neither the map nor a `$unit` names is a
 * counted rejection, `unit_unknown`. `$unit` filters are subscribed first,
 * so retained units arrive before values; a device that declares no `$unit`
 * needs the unit in its map (`{ quantity: temperature, unit: °C }`).
 */
class HomieFormat implements MappedFormat {
  readonly name = 'homie';
  private readonly units = new Map<string, string>();
  private readonly depth: number;
  constructor(private readonly entry: MappedEntry) {
    this.depth = entry.topic.split('/').length;
  }

  topics(): string[] {
    const t = this.entry.topic;
    return [`${t}/+/+/$unit`, `${t}/$state`, `${t}/+/+`];
  }

  parse(msg: RawMessage): FormatResult {
    const rest = msg.topic.split('/').slice(this.depth);
    if (rest.length === 1 && rest[0] === '$state') {
      const text = decodeUtf8(msg.payload);
      if (typeof text !== 'string') return text;
      const state = text.trim().toLowerCase();
      if (state === 'init') return { kind: 'ignore' };
      const online = ONLINE_STATES[state];
      if (online === undefined) {
        return {
          kind: 'reject',
          reason: 'not_a_number',
          detail: `$state must be a Homie state, got "${state.slice(0, 32)}"`,
        };
      }
      const { site, zone, sensor } = this.entry;
      return { kind: 'status', status: { site, zone, sensor, online } };
    }
    if (rest.length < 2 || rest.length > 3 || rest.some((l) => l.startsWith('$')) !== (rest.length === 3)) {
      return { kind: 'ignore' }; // other attributes ($name, $nodes, $properties …)
    }
    const path = `${rest[0]}.${rest[1]}`;
    if (!this.entry.map.has(path)) return { kind: 'ignore' };
    if (rest.length === 3) {
      if (rest[2] !== '$unit') return { kind: 'ignore' };
      // An empty retained message deletes the attribute.
      const text = msg.payload.length === 0 ? '' : decodeUtf8(msg.payload);
      if (typeof text !== 'string') return text;
      if (text === '') this.units.delete(path);
      else this.units.set(path, text.slice(0, 32));
      return { kind: 'ignore' };
    }
    const text = decodeUtf8(msg.payload);
    if (typeof text !== 'string') return text;
    const target = this.entry.map.get(path)!;
    if (target.unit === undefined && !this.units.has(path) && unitMatters(target.quantity)) {
      return {
        kind: 'reject',
        reason: 'unit_unknown',
        detail:
          `${path}: no $unit received yet and no unit in the map; ${target.quantity} is not stored ` +
          `without its unit (set it in the inventory map, e.g. { quantity: ${target.quantity}, unit: … })`,
      };
    }
    return this.values(path, text);
  }

  private values(path: string, text: string): FormatResult {
    return mapValues(this.entry, {
      get: (p) => (p === path ? text.trim() : undefined),
      unitOf: (p) => this.units.get(p),
    });
  }
}

export const homie: MappedFormatFactory = {
  name: 'homie',
  defaultMap: {},
  create: (entry) => new HomieFormat(entry),
};
