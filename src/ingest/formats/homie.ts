import type { FormatResult, RawMessage } from '../format.js';
import { type MappedEntry, type MappedFormat, type MappedFormatFactory, mapValues } from './mapped.js';
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
 * Stateful, bounded: remembers `$unit` only for mapped properties, and
 * holds at most one value per mapped property. A value must not be converted
 * before its unit is known (70 °F is not 70 °C): when neither the map nor a
 * `$unit` names it, the value waits for its `$unit` (then it is converted and
 * released with its own arrival time); if the next value comes and still no
 * `$unit`, the device declares none and both are taken as canonical. `$unit`
 * filters are subscribed first, so retained units arrive before values.
 */
class HomieFormat implements MappedFormat {
  readonly name = 'homie';
  private readonly units = new Map<string, string>();
  /** a value waiting for its property's `$unit` (one per mapped property) */
  private readonly held = new Map<string, { text: string; at: number }>();
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
      const waiting = this.held.get(path);
      if (!waiting || text === '') return { kind: 'ignore' };
      this.held.delete(path);
      return this.values(path, waiting.text, waiting.at);
    }
    const text = decodeUtf8(msg.payload);
    if (typeof text !== 'string') return text;
    const unitKnown = this.entry.map.get(path)?.unit !== undefined || this.units.has(path);
    if (!unitKnown && !msg.retain) {
      const waiting = this.held.get(path);
      if (!waiting) {
        this.held.set(path, { text, at: msg.receivedAt });
        return { kind: 'ignore' };
      }
      // A second value and still no $unit: the device declares none.
      this.held.delete(path);
      const first = this.values(path, waiting.text, waiting.at);
      const now = this.values(path, text);
      if (first.kind !== 'values') return now;
      if (now.kind !== 'values') return first;
      return { kind: 'values', candidates: [...first.candidates, ...now.candidates] };
    }
    return this.values(path, text);
  }

  private values(path: string, text: string, ts?: number): FormatResult {
    return mapValues(this.entry, {
      get: (p) => (p === path ? text.trim() : undefined),
      unitOf: (p) => this.units.get(p),
      ...(ts === undefined ? {} : { ts }),
    });
  }
}

export const homie: MappedFormatFactory = {
  name: 'homie',
  defaultMap: {},
  create: (entry) => new HomieFormat(entry),
};
