import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { type Browser, chromium, type Page } from 'playwright-core';
import { parse } from 'yaml';
import type { Config } from '../../src/config/schema.js';
import type { Quantity } from '../../src/core/quantities.js';
import type { Reading } from '../../src/core/reading.js';
import { startApp, testConfig } from '../helpers/app.js';
import { findBinary, freePort } from '../helpers/binaries.js';
import type { Mosquitto } from '../helpers/mosquitto.js';

/** Debian's Chromium; under CI=true a missing one throws (findBinary), elsewhere the suite skips. */
export const CHROMIUM = findBinary('chromium', ['/usr/bin/chromium', '/usr/bin/chromium-browser']);

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM!, headless: true, args: CHROMIUM_ARGS });
}

export const SITE = 'takatsu';
export const ENV_QUANTITIES: Quantity[] = ['temperature', 'humidity', 'co2', 'illuminance', 'lights'];
export const COUNTER_ZONES = ['kumin-counter', 'hoken-counter'];

/** The sample site's zones and hours (config/takatsu.yaml) with a test inventory: one 30 s sensor per zone, counters on the counter zones. */
/** Admin token of the wall test app (acknowledging alerts). */
export const WALL_ADMIN_TOKEN = 'wall-admin-token';

export function wallConfig(
  mqttUrl: string,
  httpPort: number,
  dataDir?: string,
): { config: Config; inventoryDir: string } {
  const sample = parse(readFileSync('config/takatsu.yaml', 'utf8')) as Record<string, unknown>;
  const zones = sample.zones as Array<{ id: string }>;
  const inventoryDir = mkdtempSync(join(tmpdir(), 'kaiteki-wall-inv-'));
  const sensors = zones.flatMap((z) => [
    { id: `env-${z.id}`, zone: z.id, quantities: ENV_QUANTITIES, intervalSeconds: 30 },
    ...(COUNTER_ZONES.includes(z.id)
      ? [
          {
            id: `queue-${z.id}`,
            zone: z.id,
            quantities: ['waiting', 'wait_minutes', 'serving'],
            intervalSeconds: 30,
          },
        ]
      : []),
  ]);
  const file = join(inventoryDir, 'sensors.json');
  writeFileSync(file, JSON.stringify({ sensors }));
  // One quick CO2 rule (two readings over the limit, no pending period) so a browser test can raise a real alert.
  const rulesFile = join(inventoryDir, 'rules.json');
  writeFileSync(
    rulesFile,
    JSON.stringify({
      rules: [
        {
          id: 'comfort.co2',
          category: 'comfort',
          quantity: 'co2',
          above: 'limits.co2.max',
          severity: 'warning',
          for: '0s',
          readings: 2,
          clearFor: '10m',
          when: { hours: 'any' }, // comfort rules judge only in-use hours; these tests run at any hour
        },
      ],
    }),
  );
  const config = testConfig(
    {
      site: sample.site,
      // in use at every hour: these tests run at any time of day (tests of closed hours use their own clock)
      zones: zones.map((z) => ({ ...z, inUse: 'always' })),
      hours: sample.hours,
      inventory: { files: [file] },
      mqtt: { url: mqttUrl, clientId: `kaiteki-wall-${httpPort}` },
      http: { host: '127.0.0.1', port: httpPort },
      alerts: { rulesFile },
      ...(dataDir ? { store: { dataDir } } : {}),
    },
    { KAITEKI_ADMIN_TOKEN: WALL_ADMIN_TOKEN },
  );
  return { config, inventoryDir };
}

/** A running app on a fixed port (so it can be stopped and started again at the same address). */
export async function startWallApp(mosquitto: Mosquitto, port?: number, dataDir?: string) {
  const httpPort = port ?? (await freePort());
  const { config, inventoryDir } = wallConfig(mosquitto.url, httpPort, dataDir);
  const app = await startApp({ config });
  return { app, config, httpPort, inventoryDir };
}

export function publish(
  client: MqttClient,
  zone: string,
  sensor: string,
  payload: Record<string, unknown>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    client.publish(`kaiteki/${SITE}/${zone}/${sensor}`, JSON.stringify(payload), { qos: 1 }, (err) =>
      err ? reject(err) : resolve(),
    );
  });
}

/** Six hours of plausible history for every zone, straight into the store (for trends in screenshots). */
export function history(config: Config, now: number): Reading[] {
  const out: Reading[] = [];
  const step = 5 * 60_000;
  config.zones.forEach((z, zi) => {
    for (let ts = now - 6 * 3_600_000; ts < now - 60_000; ts += step) {
      const k = (ts - now) / 3_600_000;
      const v = (quantity: Quantity, value: number, sensor = `env-${z.id}`): Reading => ({
        site: SITE,
        zone: z.id,
        sensor,
        quantity,
        value,
        ts,
        registered: true,
      });
      out.push(
        v('temperature', 22.5 + zi * 0.4 + Math.sin(k + zi) * 0.8),
        v('co2', 520 + zi * 60 + 120 * Math.sin(k * 1.3 + zi) ** 2),
      );
      if (COUNTER_ZONES.includes(z.id)) out.push(v('wait_minutes', 15 + 10 * Math.sin(k), `queue-${z.id}`));
    }
  });
  return out;
}

export interface ConsoleError {
  at: number;
  text: string;
  url: string;
}

/** Console errors and page errors, with the time they happened and the resource they are about. */
export function watchConsole(page: Page): ConsoleError[] {
  const errors: ConsoleError[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push({ at: Date.now(), text: m.text(), url: m.location().url });
  });
  page.on('pageerror', (e) => errors.push({ at: Date.now(), text: `pageerror: ${e.message}`, url: '' }));
  return errors;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
