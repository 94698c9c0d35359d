import { createHash } from 'node:crypto';
import type { Quantity } from '../core/quantities.js';
import type { RejectReason } from './format.js';
import { templatePath } from './formats/template.js';
import { canonicalUnit, toCanonical } from './formats/units.js';
import { decodeUtf8, parseJsonObject } from './formats/util.js';

/**
 * A device entity announced by Home Assistant MQTT discovery
 * (`<prefix>/<component>/[<node_id>/]<object_id>/config`), described as the
 * inventory entry it would become. A proposal is never a reading source
 * until an operator confirms it (POST /api/discovery/:id/confirm).
 */
export interface Proposal {
  /** stable id: a hash of the discovery topic */
  id: string;
  discoveryTopic: string;
  component: 'sensor' | 'binary_sensor';
  name?: string;
  uniqueId?: string;
  device?: { name?: string; identifiers: string[]; manufacturer?: string; model?: string };
  stateTopic: string;
  availabilityTopic?: string;
  valueTemplate?: string;
  deviceClass?: string;
  unit?: string;
  /** field path from the value template (`$` = whole payload) */
  path?: string;
  quantity?: Quantity;
  /** false when Kaiteki cannot take readings from it; `reason` says why */
  supported: boolean;
  reason?: string;
  /** a sensor id the operator may accept */
  suggestedSensor: string;
  /** epoch ms when the discovery message was last seen */
  seenAt: number;
  confirmed?: { site: string; zone: string; sensor: string; at: number };
}

export type DiscoveryResult =
  | { kind: 'proposal'; proposal: Proposal }
  | { kind: 'remove'; discoveryTopic: string }
  | { kind: 'ignore' }
  | { kind: 'reject'; reason: RejectReason; detail: string };

/** The abbreviations of the keys Kaiteki reads (HA "MQTT discovery": abbreviations). */
const ABBREVIATIONS: Record<string, string> = {
  stat_t: 'state_topic',
  val_tpl: 'value_template',
  unit_of_meas: 'unit_of_measurement',
  dev_cla: 'device_class',
  dev: 'device',
  uniq_id: 'unique_id',
  obj_id: 'object_id',
  avty_t: 'availability_topic',
  avty: 'availability',
  pl_on: 'payload_on',
  pl_off: 'payload_off',
  t: 'topic',
  ids: 'identifiers',
  mf: 'manufacturer',
  mdl: 'model',
};

const SENSOR_CLASSES: Record<string, Quantity> = {
  temperature: 'temperature',
  humidity: 'humidity',
  carbon_dioxide: 'co2',
  illuminance: 'illuminance',
  power: 'power',
  energy: 'energy',
};
const BINARY_CLASSES: Record<string, Quantity> = {
  occupancy: 'occupancy',
  presence: 'occupancy',
  motion: 'occupancy',
  light: 'lights',
};
const UNIT_GUESS: Record<string, Quantity> = {
  ppm: 'co2',
  lx: 'illuminance',
  '°C': 'temperature',
  '°F': 'temperature',
};
const ON_OFF = new Set(['on', 'off', 'true', 'false', '1', '0']);

/**
 * Parses one discovery message. Pure. An empty payload removes the entity;
 * components other than sensor and binary_sensor are ignored, and so are
 * sensors whose device class is not a Kaiteki quantity (battery, voltage …).
 */
export function parseDiscovery(
  topic: string,
  payload: Buffer,
  prefix: string,
  now: number,
  nativePrefix = 'kaiteki',
): DiscoveryResult {
  const levels = topic.slice(prefix.length + 1).split('/');
  if (
    !topic.startsWith(`${prefix}/`) ||
    levels.length < 3 ||
    levels.length > 4 ||
    levels[levels.length - 1] !== 'config'
  ) {
    return {
      kind: 'reject',
      reason: 'bad_topic',
      detail: `expected ${prefix}/<component>/[<node_id>/]<object_id>/config`,
    };
  }
  const component = levels[0]!;
  if (component !== 'sensor' && component !== 'binary_sensor') return { kind: 'ignore' };
  if (payload.length === 0) return { kind: 'remove', discoveryTopic: topic };
  const text = decodeUtf8(payload);
  if (typeof text !== 'string') return text;
  const parsed = parseJsonObject(text);
  if ('kind' in parsed) return parsed;
  const c = expand(parsed.value);
  const stateTopic = str(c.state_topic);
  if (!stateTopic)
    return { kind: 'reject', reason: 'no_values', detail: 'discovery config without state_topic' };
  const deviceClass = str(c.device_class);
  const unit = str(c.unit_of_measurement);
  const canon = unit === undefined ? undefined : canonicalUnit(unit);
  const quantity =
    component === 'binary_sensor'
      ? BINARY_CLASSES[deviceClass ?? '']
      : (SENSOR_CLASSES[deviceClass ?? ''] ?? (canon ? UNIT_GUESS[canon] : undefined));
  if (!quantity) return { kind: 'ignore' }; // battery, voltage, linkquality …: not a Kaiteki quantity
  const objectId = levels[levels.length - 2]!;
  const p: Proposal = {
    id: createHash('sha256').update(topic).digest('hex').slice(0, 16),
    discoveryTopic: topic,
    component,
    stateTopic,
    quantity,
    supported: true,
    suggestedSensor: suggestSlug(str(c.unique_id) ?? str(c.object_id) ?? objectId),
    seenAt: now,
  };
  const optional = {
    name: str(c.name),
    uniqueId: str(c.unique_id),
    valueTemplate: str(c.value_template),
    deviceClass,
    unit,
    availabilityTopic: availabilityTopic(c),
  };
  for (const [k, v] of Object.entries(optional))
    if (v !== undefined) (p as unknown as Record<string, unknown>)[k] = v;
  const dev = c.device;
  if (typeof dev === 'object' && dev !== null && !Array.isArray(dev)) {
    const d = dev as Record<string, unknown>;
    const ids = Array.isArray(d.identifiers)
      ? d.identifiers.filter((x) => typeof x === 'string')
      : str(d.identifiers)
        ? [str(d.identifiers)!]
        : [];
    p.device = { identifiers: ids.slice(0, 8) };
    if (str(d.name)) p.device.name = str(d.name)!;
    if (str(d.manufacturer)) p.device.manufacturer = str(d.manufacturer)!;
    if (str(d.model)) p.device.model = str(d.model)!;
  }
  for (const [key, t] of [
    ['state_topic', p.stateTopic],
    ['availability_topic', p.availabilityTopic],
  ] as const) {
    const why = t === undefined ? undefined : unsafeTopic(t, nativePrefix);
    if (why) return unsupported(p, `${key} "${t!.slice(0, 64)}" ${why}`);
  }
  const tpl = templatePath(p.valueTemplate);
  if ('unsupported' in tpl) return unsupported(p, `value_template: ${tpl.unsupported}`);
  p.path = tpl.path;
  if (unit !== undefined && (canon === undefined || toCanonical(quantity, 1, unit) === undefined)) {
    return unsupported(p, `unit "${unit.slice(0, 16)}" cannot be converted to ${quantity}`);
  }
  if (component === 'binary_sensor') {
    for (const key of ['payload_on', 'payload_off'] as const) {
      const v = c[key];
      if (v !== undefined && !ON_OFF.has(String(v).toLowerCase()))
        return unsupported(p, `${key} "${String(v).slice(0, 16)}" is not ON/OFF`);
    }
  }
  return { kind: 'proposal', proposal: p };
}

/**
 * Why a discovered topic may not become a route (undefined when it may): a
 * wildcard would subscribe to far more than one entity (`#` = everything), a
 * `$` topic is the broker's own (`$SYS`), and a topic under the native prefix
 * would take native readings away from the native parser.
 */
export function unsafeTopic(topic: string, nativePrefix: string): string | undefined {
  if (topic.length === 0 || topic.length > 1024) return 'is empty or too long';
  if (topic.includes('+') || topic.includes('#')) return 'contains an MQTT wildcard';
  if (topic.includes('\u0000')) return 'contains a NUL character';
  if (topic.startsWith('$')) return 'is a broker topic ($SYS …)';
  if (topic === nativePrefix || topic.startsWith(`${nativePrefix}/`))
    return `is under the native prefix "${nativePrefix}/"`;
  return undefined;
}

function unsupported(p: Proposal, reason: string): DiscoveryResult {
  p.supported = false;
  p.reason = reason;
  return { kind: 'proposal', proposal: p };
}

/** Full key names, `~` replaced at the start or end of topic values (HA: "Using abbreviations and base topic"). */
function expand(raw: Record<string, unknown>): Record<string, unknown> {
  const base = typeof raw['~'] === 'string' ? raw['~'] : undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const key = ABBREVIATIONS[k] ?? k;
    let value = v;
    if (base !== undefined && typeof v === 'string' && key.endsWith('topic')) {
      value = v.startsWith('~') ? base + v.slice(1) : v.endsWith('~') ? v.slice(0, -1) + base : v;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      value = expand(value as Record<string, unknown>);
    if (Array.isArray(value))
      value = value.map((x) =>
        typeof x === 'object' && x !== null && !Array.isArray(x) ? expand(x as Record<string, unknown>) : x,
      );
    out[key] = value;
  }
  if (base !== undefined) {
    // nested availability entries inherit the base topic too
    const av = out.availability;
    if (Array.isArray(av)) {
      out.availability = av.map((a) => {
        if (typeof a !== 'object' || a === null) return a;
        const t = (a as Record<string, unknown>).topic;
        if (typeof t !== 'string') return a;
        return {
          ...a,
          topic: t.startsWith('~') ? base + t.slice(1) : t.endsWith('~') ? t.slice(0, -1) + base : t,
        };
      });
    }
  }
  return out;
}

function availabilityTopic(c: Record<string, unknown>): string | undefined {
  const direct = str(c.availability_topic);
  if (direct) return direct;
  if (Array.isArray(c.availability)) {
    for (const a of c.availability) {
      if (typeof a === 'object' && a !== null && typeof (a as { topic?: unknown }).topic === 'string')
        return (a as { topic: string }).topic;
    }
  }
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= 1024 ? v : undefined;
}

/** A slug from any id: lower case, other characters as `-`, at most 48 characters. */
export function suggestSlug(s: string): string {
  const slug = s
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '')
    .replace(/-+$/, '')
    .slice(0, 48);
  return slug === '' ? 'sensor' : slug;
}
