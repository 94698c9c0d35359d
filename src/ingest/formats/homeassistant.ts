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
import { decodeUtf8 } from './util.js';

/**
 * A device announced by Home Assistant MQTT discovery and confirmed by an
 * operator (src/ingest/discovery.ts), or written by hand: the entry's
 * `topic` is the entity's `state_topic`, map keys are field paths from
 * its `value_template` (`temperature`, `a.b`) or `$` for the whole payload
 * (`{{ value }}`); `availabilityTopic` is its `availability_topic`.
 * Several entities sharing one state topic share one entry (one map).
 */
class HomeAssistantFormat implements MappedFormat {
  readonly name = 'homeassistant';
  private readonly wantsJson: boolean;
  constructor(private readonly entry: MappedEntry) {
    this.wantsJson = [...entry.map.keys()].some((k) => k !== '$');
  }

  topics(): string[] {
    return this.entry.availabilityTopic
      ? [this.entry.topic, this.entry.availabilityTopic]
      : [this.entry.topic];
  }

  parse(msg: RawMessage): FormatResult {
    const text = decodeUtf8(msg.payload);
    if (typeof text !== 'string') return text;
    if (this.entry.availabilityTopic && topicMatches(this.entry.availabilityTopic, msg.topic)) {
      return availabilityResult(this.entry, text);
    }
    let json: unknown;
    if (this.wantsJson) {
      try {
        json = JSON.parse(text);
      } catch (err) {
        return {
          kind: 'reject',
          reason: 'invalid_json',
          detail: `invalid JSON: ${(err as Error).message.slice(0, 120)}`,
        };
      }
    }
    const fieldCount = typeof json === 'object' && json !== null ? Object.keys(json).length : undefined;
    return mapValues(this.entry, {
      get: (path) => (path === '$' ? text.trim() : lookup(json, path)),
      ...(fieldCount === undefined ? {} : { fieldCount }),
    });
  }
}

export const homeassistant: MappedFormatFactory = {
  name: 'homeassistant',
  defaultMap: {},
  create: (entry) => new HomeAssistantFormat(entry),
};
