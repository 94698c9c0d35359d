import { resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '../core/errors.js';
import { Judgement } from '../core/judgement.js';
import { type Inventory, loadInventory } from '../inventory/inventory.js';
import { loadRules } from '../rules/compile.js';
import { loadConfig } from './load.js';
import type { Config } from './schema.js';

export interface CheckResult {
  issues: ConfigIssue[];
  config?: Config;
  inventory?: Inventory;
  rules?: number;
}

/**
 * `kaiteki check-config`: the configuration, the sensor inventory and the
 * rules file, each checked for meaning as well as types; every problem of
 * all three at once (a config error still lets the rules be checked against
 * the defaults where possible).
 */
export function checkConfig(
  env: Record<string, string | undefined> = process.env,
  file?: string,
): CheckResult {
  const issues: ConfigIssue[] = [];
  const collect = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ConfigError) {
        issues.push(...err.issues);
        return undefined;
      }
      throw err;
    }
  };
  let config = collect(() => (file === undefined ? loadConfig(env) : loadConfig(env, file)));
  // problems of meaning only: go on with the typed config, so the inventory and rules are checked too
  if (!config && issues.length > 0) {
    try {
      config = loadConfig(env, file ?? env.KAITEKI_CONFIG ?? undefined, { typesOnly: true });
    } catch {
      // type errors: nothing more can be checked against this config
    }
  }
  if (!config) return { issues };
  const inventory = collect(() => loadInventory(config));
  const rules = config.alerts.enabled
    ? collect(() => loadRules(resolve(config.alerts.rulesFile), config, new Judgement(config)).length)
    : 0;
  return {
    issues,
    config,
    ...(inventory ? { inventory } : {}),
    ...(rules === undefined ? {} : { rules }),
  };
}
