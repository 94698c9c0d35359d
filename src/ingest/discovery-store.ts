import { stringify } from 'yaml';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { SLUG } from '../core/reading.js';
import type { Inventory } from '../inventory/inventory.js';
import type { FieldTargetConfig, SensorConfig } from '../inventory/schema.js';
import { type Proposal, parseDiscovery, unsafeTopic } from './discovery.js';
import type { FormatResult, PayloadFormat, RawMessage } from './format.js';
import { entryRoutes, type FormatRegistry, routeKey } from './formats/registry.js';
import type { FormatRouter } from './router.js';

/**
 * Proposals from Home Assistant discovery, in memory, keyed by discovery
 * topic. Bounded: past `max` the oldest unconfirmed proposal is dropped.
 */
export class ProposalStore {
  private readonly byTopic = new Map<string, Proposal>();
  constructor(private readonly max = 1000) {}

  upsert(p: Proposal): void {
    const prev = this.byTopic.get(p.discoveryTopic);
    if (prev?.confirmed) p.confirmed = prev.confirmed;
    this.byTopic.delete(p.discoveryTopic);
    if (this.byTopic.size >= this.max) {
      for (const [k, v] of this.byTopic) {
        if (!v.confirmed) {
          this.byTopic.delete(k);
          break;
        }
      }
    }
    if (this.byTopic.size < this.max) this.byTopic.set(p.discoveryTopic, p);
  }

  remove(discoveryTopic: string): void {
    this.byTopic.delete(discoveryTopic);
  }

  get(id: string): Proposal | undefined {
    for (const p of this.byTopic.values()) if (p.id === id) return p;
    return undefined;
  }

  list(): Proposal[] {
    return [...this.byTopic.values()];
  }

  get size(): number {
    return this.byTopic.size;
  }
}

/**
 * The discovery topics as a payload format: records proposals in the store
 * and yields no readings (`ignore`); a malformed config is a counted rejection.
 */
export class DiscoveryFormat implements PayloadFormat {
  readonly name = 'homeassistant-discovery';
  constructor(
    private readonly store: ProposalStore,
    readonly prefix: string,
    private readonly clock: Clock,
    /** the native topic prefix (`mqtt.topicPrefix`): discovered topics under it are refused */
    private readonly nativePrefix = 'kaiteki',
  ) {}

  parse(msg: RawMessage): FormatResult {
    const r = parseDiscovery(msg.topic, msg.payload, this.prefix, this.clock.now(), this.nativePrefix);
    switch (r.kind) {
      case 'proposal':
        this.store.upsert(r.proposal);
        return { kind: 'ignore' };
      case 'remove':
        this.store.remove(r.discoveryTopic);
        return { kind: 'ignore' };
      default:
        return r;
    }
  }
}

export type ConfirmOutcome =
  | { ok: true; sensor: SensorConfig & { site: string }; yaml: string }
  | { ok: false; status: 400 | 404 | 409 | 422; error: string };

/**
 * Turns a proposal into a live inventory entry (format `homeassistant`):
 * proposals confirmed into the same sensor id with the same state topic
 * share one entry and one map. Returns the YAML to add to `sensors/*.yaml`
 * to keep it after a restart; `onConfirm` lets the app register the sensor
 * (e.g. in the inventory, for `unregistered: reject`).
 */
export class DiscoveryService {
  private readonly confirmed = new Map<string, SensorConfig & { site: string }>();

  constructor(
    private readonly deps: {
      config: Config;
      inventory: Inventory;
      router: FormatRouter;
      registry: FormatRegistry;
      store: ProposalStore;
      clock: Clock;
      onConfirm?: (sensor: SensorConfig & { site: string }) => void;
    },
  ) {}

  confirm(id: string, body: unknown): ConfirmOutcome {
    const p = this.deps.store.get(id);
    if (!p) return { ok: false, status: 404, error: `no proposal "${id.slice(0, 32)}"` };
    if (!p.supported || !p.quantity || p.path === undefined) {
      return { ok: false, status: 422, error: `proposal is not supported: ${p.reason ?? 'no quantity'}` };
    }
    const { config } = this.deps;
    // Checked again here (a proposal may come from an older parse): a confirmed
    // discovery must never subscribe to a wildcard or take over native topics.
    for (const t of [p.stateTopic, p.availabilityTopic]) {
      const why = t === undefined ? undefined : unsafeTopic(t, config.mqtt.topicPrefix);
      if (why) return { ok: false, status: 422, error: `topic "${t!.slice(0, 64)}" ${why}` };
    }
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const zone = b.zone;
    const sensorId = b.sensor ?? p.suggestedSensor;
    const site = b.site ?? config.site.id;
    for (const [what, v] of [
      ['zone', zone],
      ['sensor', sensorId],
      ['site', site],
    ] as const) {
      if (typeof v !== 'string' || !SLUG.test(v))
        return { ok: false, status: 400, error: `${what} must be a slug ([a-z0-9][a-z0-9_-]*)` };
    }
    const z = zone as string;
    const s = sensorId as string;
    const st = site as string;
    if (config.zones.length > 0 && st === config.site.id && !config.zones.some((c) => c.id === z)) {
      return {
        ok: false,
        status: 400,
        error: `zone must be one of ${config.zones.map((c) => c.id).join(', ')}`,
      };
    }
    const key = `${st}/${s}`;
    if (this.deps.inventory.get(st, s))
      return { ok: false, status: 409, error: `sensor "${key}" is already in the inventory files` };
    const prev = this.confirmed.get(key);
    if (prev && (prev.topic !== p.stateTopic || prev.zone !== z)) {
      return {
        ok: false,
        status: 409,
        error: `sensor "${key}" is already confirmed for ${prev.topic} in zone ${prev.zone}`,
      };
    }
    const target: FieldTargetConfig = p.unit ? { quantity: p.quantity, unit: p.unit } : p.quantity;
    const entry: SensorConfig & { site: string } = {
      id: s,
      zone: z,
      site: st,
      quantities: [...new Set([...(prev?.quantities ?? []), p.quantity])],
      calibration: {},
      format: 'homeassistant',
      topic: p.stateTopic,
      map: { ...(prev?.map ?? {}), [p.path]: target },
    };
    if (p.availabilityTopic) entry.availabilityTopic = p.availabilityTopic;
    if (p.device?.name ?? p.name)
      entry.name = { ja: (p.device?.name ?? p.name)!, en: (p.device?.name ?? p.name)! };
    const r = entryRoutes(entry, this.deps.registry);
    if (typeof r === 'string') return { ok: false, status: 422, error: r };
    this.deps.router.set(routeKey(st, s), r.routes);
    this.confirmed.set(key, entry);
    p.confirmed = { site: st, zone: z, sensor: s, at: this.deps.clock.now() };
    this.deps.onConfirm?.(entry);
    const { calibration: _c, ...forYaml } = entry;
    const yamlEntry = st === config.site.id ? { ...forYaml, site: undefined } : forYaml;
    return { ok: true, sensor: entry, yaml: stringify({ sensors: [JSON.parse(JSON.stringify(yamlEntry))] }) };
  }
}
