import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { App, type AppOptions } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { silentLogger } from '../../src/core/log.js';

/** A config for tests: temp data dir, ephemeral ports, quiet logs; `raw` is merged on top. */
export function testConfig(raw: Record<string, unknown> = {}, env: Record<string, string> = {}): Config {
  const dataDir = mkdtempSync(join(tmpdir(), 'kaiteki-test-'));
  const base: Record<string, unknown> = {
    http: { host: '127.0.0.1', port: 0 },
    inventory: { files: [] },
    ...raw,
    store: { dataDir, ...((raw.store as object) ?? {}) },
    mqtt: {
      embedded: { host: '127.0.0.1', port: 0 },
      reconnectPeriodMs: 200,
      ...((raw.mqtt as object) ?? {}),
    },
  };
  return parseConfig(base, 'test', env);
}

/** Starts an App for a test; `stop()` also removes its data dir. */
export async function startApp(
  opts: Partial<AppOptions> & { config: Config },
): Promise<App & { cleanup(): Promise<void> }> {
  const app = new App({ log: silentLogger, ...opts });
  await app.start();
  return Object.assign(app, {
    cleanup: async () => {
      await app.stop();
      rmSync(opts.config.store.dataDir, { recursive: true, force: true });
    },
  });
}

export async function connectClient(url: string, clientId?: string): Promise<MqttClient> {
  const c = mqtt.connect(url, {
    clientId: clientId ?? `test-${Math.random().toString(16).slice(2)}`,
    reconnectPeriod: 200,
  });
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
  return c;
}

export async function getJson<T = unknown>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}
