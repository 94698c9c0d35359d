import { isQuantity } from '../../core/quantities.js';
import type { FormatResult, PayloadFormat, RawMessage } from '../format.js';
import { parseTopic } from '../topic.js';
import { decodeUtf8, parseJsonObject } from './util.js';

const STATUS_WORDS: Record<string, boolean> = { online: true, offline: false };

/** The native contract: JSON object of quantities, plain value per quantity, status/LWT. */
export class KaitekiFormat implements PayloadFormat {
  readonly name = 'kaiteki';
  constructor(private readonly prefix: string) {}

  parse(msg: RawMessage): FormatResult {
    const t = parseTopic(msg.topic, this.prefix);
    if (typeof t === 'string') return { kind: 'reject', reason: 'bad_topic', detail: t };
    const text = decodeUtf8(msg.payload);
    if (typeof text !== 'string') return text;
    const { site, zone, sensor } = t;
    if (t.kind === 'status') {
      const word = text.trim().toLowerCase();
      if (!(word in STATUS_WORDS)) {
        return {
          kind: 'reject',
          reason: 'not_a_number',
          detail: `status must be online/offline, got "${word.slice(0, 32)}"`,
        };
      }
      return { kind: 'status', status: { site, zone, sensor, online: STATUS_WORDS[word]! } };
    }
    if (t.kind === 'value') {
      if (!isQuantity(t.quantity)) {
        return {
          kind: 'reject',
          reason: 'unknown_quantity',
          detail: `unknown quantity "${t.quantity.slice(0, 64)}"`,
        };
      }
      return { kind: 'values', candidates: [{ site, zone, sensor, values: { [t.quantity]: text.trim() } }] };
    }
    const obj = parseJsonObject(text);
    if ('kind' in obj) return obj;
    const values: Record<string, unknown> = {};
    let ignored = 0;
    let any = false;
    const o = obj.value;
    for (const k in o) {
      if (k === 'ts') continue;
      if (isQuantity(k)) {
        values[k] = o[k];
        any = true;
      } else ignored++;
    }
    if (!any) {
      return {
        kind: 'reject',
        reason: 'no_values',
        detail: 'the object holds no known quantity (temperature, co2, …)',
      };
    }
    return {
      kind: 'values',
      candidates: [{ site, zone, sensor, values, ts: obj.value.ts }],
      ignoredFields: ignored,
    };
  }
}
