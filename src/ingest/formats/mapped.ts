import type { Quantity } from '../../core/quantities.js';
import type { FieldTargetConfig } from '../../inventory/schema.js';
import type { Candidate, FormatResult, PayloadFormat } from '../format.js';
import { toNumber } from '../normalise.js';
import { toCanonical } from './units.js';

/** Where one source field goes (an inventory `map` entry, normalised). */
export interface FieldTarget {
  quantity: Quantity;
  /** the unit the source sends; wins over a unit the source declares */
  unit?: string;
  scale?: number;
  offset?: number;
}

/**
 * One inventory entry of a third-party format, as a format instance needs
 * it: the ids its readings carry, its source topic and its field map (in
 * order: when two paths feed one quantity, the first present wins).
 */
export interface MappedEntry {
  site: string;
  zone: string;
  sensor: string;
  topic: string;
  availabilityTopic?: string;
  map: ReadonlyMap<string, FieldTarget>;
}

/**
 * A payload format bound to one inventory entry. `topics()` are the MQTT
 * filters it needs; `parse` is pure and never throws (PayloadFormat).
 */
export interface MappedFormat extends PayloadFormat {
  topics(): string[];
}

/** Builds the format for one entry; `defaultMap` applies when the entry names no `map`. */
export interface MappedFormatFactory {
  readonly name: string;
  readonly defaultMap: Readonly<Record<string, FieldTargetConfig>>;
  create(entry: MappedEntry): MappedFormat;
}

export function toFieldMap(map: Readonly<Record<string, FieldTargetConfig>>): Map<string, FieldTarget> {
  const out = new Map<string, FieldTarget>();
  for (const [path, t] of Object.entries(map)) out.set(path, typeof t === 'string' ? { quantity: t } : t);
  return out;
}

/**
 * The value at a dotted path (`SCD40.CarbonDioxide`, `temperature:0.tC`);
 * a `*` segment matches any key (first match in payload order) except those
 * `skip` names. Own properties only (`__proto__` in a payload is just a key).
 */
export function lookup(obj: unknown, path: string, skip?: (key: string) => boolean): unknown {
  return walk(obj, path.split('.'), 0, skip);
}

function walk(cur: unknown, segs: string[], i: number, skip?: (key: string) => boolean): unknown {
  if (i === segs.length) return cur;
  const seg = segs[i]!;
  if (Array.isArray(cur)) return /^\d+$/.test(seg) ? walk(cur[Number(seg)], segs, i + 1, skip) : undefined;
  if (typeof cur !== 'object' || cur === null) return undefined;
  const rec = cur as Record<string, unknown>;
  if (seg === '*') {
    for (const k of Object.keys(rec)) {
      if (skip?.(k)) continue;
      const v = walk(rec[k], segs, i + 1, skip);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  return Object.hasOwn(rec, seg) ? walk(rec[seg], segs, i + 1, skip) : undefined;
}

/** What a format extracted from one message, for `mapValues`. */
export interface SourceFields {
  /** raw value at a map path; undefined when absent */
  get(path: string): unknown;
  /** the unit the source itself declares for that path (Tasmota TempUnit, Homie $unit …) */
  unitOf?(path: string): string | undefined;
  /** raw timestamp from the payload, if any */
  ts?: unknown;
  /** how many fields the message carried, to count the ones not mapped */
  fieldCount?: number;
}

/**
 * Applies an entry's map: each present, non-null field becomes its
 * quantity, converted to the canonical unit. Numbers are converted here;
 * whatever is not a number (`"Normal"`, an object) is passed on as it is so
 * that normalise() rejects it with a reason. Fields not in the map
 * (battery, linkquality …) are ignored, never a reason to reject.
 * `whenEmpty`: a message with no mapped field is a rejection (`no_values`)
 * or, for formats that send partial updates (Shelly, per-topic values), ignored.
 */
export function mapValues(
  entry: MappedEntry,
  src: SourceFields,
  whenEmpty: 'reject' | 'ignore' = 'reject',
): FormatResult {
  const values: Partial<Record<Quantity, unknown>> = {};
  let used = 0;
  for (const [path, target] of entry.map) {
    if (values[target.quantity] !== undefined) continue;
    const raw = src.get(path);
    if (raw === undefined || raw === null) continue; // null: the device does not know yet (z2m after a restart)
    values[target.quantity] = convert(target, raw, target.unit ?? src.unitOf?.(path));
    used++;
  }
  if (used === 0) {
    if (whenEmpty === 'ignore') return { kind: 'ignore' };
    const paths = [...entry.map.keys()].slice(0, 8).join(', ');
    return {
      kind: 'reject',
      reason: 'no_values',
      detail: `none of the mapped fields (${paths}) is in the message`.slice(0, 200),
    };
  }
  const c: Candidate = { site: entry.site, zone: entry.zone, sensor: entry.sensor, values };
  if (src.ts !== undefined && src.ts !== null) c.ts = src.ts;
  const ignored = Math.max(0, (src.fieldCount ?? used) - used);
  return ignored > 0
    ? { kind: 'values', candidates: [c], ignoredFields: ignored }
    : { kind: 'values', candidates: [c] };
}

function convert(t: FieldTarget, raw: unknown, unit: string | undefined): unknown {
  if (unit === undefined && t.scale === undefined && t.offset === undefined) return raw;
  const n = toNumber(raw);
  if (typeof n !== 'number') return raw; // normalise() rejects it, with the reason
  const c = unit === undefined ? n : toCanonical(t.quantity, n, unit);
  // An unconvertible unit becomes a value normalise() rejects, with the unit in its detail.
  if (c === undefined)
    return `${String(raw).slice(0, 16)} ${unit!.slice(0, 16)} (unit not convertible to ${t.quantity})`;
  return c * (t.scale ?? 1) + (t.offset ?? 0);
}

const ONLINE = new Set(['online', 'true', '1', 'available', 'connected', 'ready']);
const OFFLINE = new Set(['offline', 'false', '0', 'unavailable', 'disconnected', 'lost']);

/**
 * Availability in the shapes devices send: `online`/`Online`/`offline`,
 * `true`/`false` (Shelly), or JSON `{"state":"online"}` (zigbee2mqtt ≥ 1.x
 * with JSON availability, 2.x default). Undefined when it is none of these.
 */
export function parseAvailability(text: string): boolean | undefined {
  let word = text.trim();
  if (word.startsWith('{') || word.startsWith('"')) {
    try {
      const v: unknown = JSON.parse(word);
      if (typeof v === 'string') word = v;
      else if (typeof v === 'object' && v !== null && typeof (v as { state?: unknown }).state === 'string') {
        word = (v as { state: string }).state;
      } else return undefined;
    } catch {
      return undefined;
    }
  }
  const w = word.trim().toLowerCase();
  if (ONLINE.has(w)) return true;
  if (OFFLINE.has(w)) return false;
  return undefined;
}

/** A status result for the entry, or a rejection naming what was sent. */
export function availabilityResult(entry: MappedEntry, text: string): FormatResult {
  const online = parseAvailability(text);
  if (online === undefined) {
    return {
      kind: 'reject',
      reason: 'not_a_number',
      detail: `availability must be online/offline, got "${text.trim().slice(0, 32)}"`,
    };
  }
  return { kind: 'status', status: { site: entry.site, zone: entry.zone, sensor: entry.sensor, online } };
}

/** Topic filter match on a topic string (`+` one level, `#` the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  if (filter === topic) return true;
  if (!filter.includes('+') && !filter.includes('#')) return false;
  const p = filter.split('/');
  const l = topic.split('/');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '#') return true;
    if (i >= l.length) return false;
    if (p[i] !== '+' && p[i] !== l[i]) return false;
  }
  return p.length === l.length;
}
