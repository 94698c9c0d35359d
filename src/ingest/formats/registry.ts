import type { Config } from '../../config/schema.js';
import { ConfigError, type ConfigIssue, KaitekiError } from '../../core/errors.js';
import type { Inventory, Sensor } from '../../inventory/inventory.js';
import type { SensorConfig } from '../../inventory/schema.js';
import type { PayloadFormat } from '../format.js';
import { FormatRouter, type Route } from '../router.js';
import { esphome } from './esphome.js';
import { homeassistant } from './homeassistant.js';
import { homie } from './homie.js';
import { type MappedEntry, type MappedFormatFactory, toFieldMap } from './mapped.js';
import { shelly } from './shelly.js';
import { tasmota } from './tasmota.js';
import { zigbee2mqtt } from './zigbee2mqtt.js';

/** Third-party payload formats by name. Registering a name twice is a start-up error. */
export class FormatRegistry {
  private readonly factories = new Map<string, MappedFormatFactory>();

  register(factory: MappedFormatFactory): this {
    if (factory.name === 'kaiteki' || this.factories.has(factory.name)) {
      throw new KaitekiError(`payload format "${factory.name}" is already registered`);
    }
    this.factories.set(factory.name, factory);
    return this;
  }

  get(name: string): MappedFormatFactory | undefined {
    return this.factories.get(name);
  }

  names(): string[] {
    return [...this.factories.keys()];
  }
}

/** The built-in formats: zigbee2mqtt, tasmota, esphome, homeassistant, shelly, homie. */
export function defaultRegistry(): FormatRegistry {
  return new FormatRegistry()
    .register(zigbee2mqtt)
    .register(tasmota)
    .register(esphome)
    .register(homeassistant)
    .register(shelly)
    .register(homie);
}

/** Routes of one third-party inventory entry (one format instance per entry), or what is wrong with it. */
export function entryRoutes(
  s: SensorConfig & { site: string },
  registry: FormatRegistry,
): { routes: Route[]; format: PayloadFormat } | string {
  const factory = registry.get(s.format);
  if (!factory)
    return `unknown format "${s.format}" (expected kaiteki or one of ${registry.names().join(', ')})`;
  if (s.topic === undefined) return `format "${s.format}" needs the device's source topic`;
  const map = toFieldMap(s.map ?? factory.defaultMap);
  if (map.size === 0) return `format "${s.format}" has no default field map: name the fields in map`;
  const entry: MappedEntry = { site: s.site, zone: s.zone, sensor: s.id, topic: s.topic, map };
  if (s.availabilityTopic !== undefined) entry.availabilityTopic = s.availabilityTopic;
  const format = factory.create(entry);
  return { format, routes: format.topics().map((filter) => ({ filter, format })) };
}

/** Route group key of an inventory entry. */
export function routeKey(site: string, sensor: string): string {
  return `sensor:${site}/${sensor}`;
}

/**
 * The app's router: the native contract plus one route group per
 * third-party inventory entry, and the Home Assistant discovery topics when
 * a discovery format is given. Throws ConfigError listing every bad entry.
 */
export function buildRouter(
  config: Config,
  inventory: Inventory,
  opts: { registry?: FormatRegistry; discovery?: { prefix: string; format: PayloadFormat } } = {},
): FormatRouter {
  const registry = opts.registry ?? defaultRegistry();
  const router = new FormatRouter(config.mqtt.topicPrefix, config.mqtt.sites, config.mqtt.sharedGroup);
  const issues: ConfigIssue[] = [];
  for (const s of inventory.sensors as readonly Sensor[]) {
    if (s.format === 'kaiteki') continue;
    const r = entryRoutes(s, registry);
    if (typeof r === 'string') {
      issues.push({ file: s.file, path: `sensors.${s.id}.format`, message: r });
      continue;
    }
    router.set(routeKey(s.site, s.id), r.routes);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  if (opts.discovery) {
    const { prefix, format } = opts.discovery;
    router.set('discovery', [
      { filter: `${prefix}/+/+/config`, format },
      { filter: `${prefix}/+/+/+/config`, format },
    ]);
  }
  return router;
}
