import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readYamlObject, zodIssues } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { ConfigError, type ConfigIssue } from '../core/errors.js';
import { inventoryFileSchema, type SensorConfig } from './schema.js';

export interface Sensor extends SensorConfig {
  site: string;
  intervalSeconds: number;
  /** file it came from, for messages */
  file: string;
}

/**
 * The sensor inventory: which sensors exist, where they are, how often they
 * report and how to correct them. Looked up by (site, sensor id).
 */
export class Inventory {
  private readonly bySensor = new Map<string, Sensor>();
  private readonly list: Sensor[];

  constructor(
    sensors: readonly Sensor[],
    readonly staleAfterIntervals = 3,
  ) {
    this.list = [...sensors];
    for (const s of sensors) this.bySensor.set(`${s.site}/${s.id}`, s);
  }

  get sensors(): readonly Sensor[] {
    return this.list;
  }

  /** Adds (or replaces) a sensor at run time, e.g. a confirmed Home Assistant discovery proposal. */
  add(s: Sensor): void {
    const key = `${s.site}/${s.id}`;
    const i = this.list.findIndex((x) => `${x.site}/${x.id}` === key);
    if (i >= 0) this.list[i] = s;
    else this.list.push(s);
    this.bySensor.set(key, s);
  }

  get(site: string, sensor: string): Sensor | undefined {
    return this.bySensor.get(`${site}/${sensor}`);
  }

  // When a sensor is stale is the one judgement's (Judgement.staleAfterMs / freshness, src/core/judgement.ts),
  // which reads the intervals from here: the inventory keeps no copy of the policy.
}

/** Loads every inventory file named in config (globs allowed); all problems at once. */
export function loadInventory(config: Config, cwd = process.cwd()): Inventory {
  const issues: ConfigIssue[] = [];
  const sensors: Sensor[] = [];
  const seen = new Map<string, string>();
  const zoneIds = new Set(config.zones.map((z) => z.id));
  for (const pattern of config.inventory.files) {
    const files = expand(pattern, cwd);
    for (const file of files) {
      let raw: unknown;
      try {
        raw = readYamlObject(file, pattern !== 'sensors/default.yaml');
      } catch (err) {
        if (err instanceof ConfigError) {
          issues.push(...err.issues);
          continue;
        }
        throw err;
      }
      const parsed = inventoryFileSchema.safeParse(raw ?? {});
      if (!parsed.success) {
        issues.push(...zodIssues(parsed.error, raw, file));
        continue;
      }
      parsed.data.sensors.forEach((s) => {
        const site = s.site ?? config.site.id;
        const key = `${site}/${s.id}`;
        const prev = seen.get(key);
        if (prev)
          issues.push({
            file,
            path: `sensors[${s.id}].id`,
            message: `sensor "${s.id}" is already defined in ${prev}`,
          });
        seen.set(key, file);
        if (site === config.site.id && zoneIds.size > 0 && !zoneIds.has(s.zone)) {
          issues.push({
            file,
            path: `sensors[${s.id}].zone`,
            message: `expected one of the configured zones (${[...zoneIds].join(', ')}), got "${s.zone}"`,
          });
        }
        sensors.push({
          ...s,
          site,
          intervalSeconds: s.intervalSeconds ?? config.inventory.defaultIntervalSeconds,
          file,
        });
      });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return new Inventory(sensors, config.inventory.staleAfterIntervals);
}

/** `dir/*.yaml`-style patterns (a `*` in the file name only; Node 20 has no fs.glob). */
function expand(pattern: string, cwd: string): string[] {
  if (!pattern.includes('*')) return [pattern];
  const dir = dirname(pattern);
  const re = new RegExp(
    `^${basename(pattern)
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')}$`,
  );
  let names: string[];
  try {
    names = readdirSync(join(cwd, dir));
  } catch {
    return [];
  }
  return names
    .filter((n) => re.test(n))
    .sort()
    .map((n) => join(dir, n));
}
