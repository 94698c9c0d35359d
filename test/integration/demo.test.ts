import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { freePort, waitFor } from '../helpers/binaries.js';
import { type ServiceProcess, startService } from '../helpers/service-process.js';

const TOKEN = 'demo-admin-token';

interface Hook {
  event: string;
  alert: { id: number; rule: string; zone: string };
}

/**
 * Issue 4's "done when", on the real `kaiteki demo` (embedded broker, simulated
 * Takatsu fleet): a forced CO2 episode in the lobby sends exactly one webhook
 * notice, acknowledging it stops reminders, and recovery sends exactly one
 * resolved notice. The rule is the default CO2 rule with a short pending
 * period and a 6-second reminder interval, so the test takes seconds, not an hour.
 */
describe('demo: a forced CO2 episode in the lobby', () => {
  let hook: Server;
  let svc: ServiceProcess | undefined;
  const received: Hook[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'kaiteki-demo-'));

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString('utf8');
      });
      req.on('end', () => {
        received.push(JSON.parse(body) as Hook);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const rulesFile = join(dir, 'rules.yaml');
    writeFileSync(
      rulesFile,
      stringify({
        rules: [
          {
            id: 'comfort.co2',
            category: 'comfort',
            quantity: 'co2',
            above: 'limits.co2.max',
            clearMargin: 50,
            for: '0s',
            readings: 1,
            clearFor: '0s',
            when: { hours: 'any' }, // comfort rules judge only in-use hours; this test runs at any hour
          },
        ],
      }),
    );
    const site = parse(readFileSync('config/takatsu.yaml', 'utf8')) as Record<string, unknown>;
    const configFile = join(dir, 'demo.yaml');
    writeFileSync(
      configFile,
      stringify({
        ...site,
        alerts: { rulesFile, repeatMinutes: 0.1, groupSeconds: 0, quietHours: { enabled: false } },
        report: { schedule: { enabled: false } },
      }),
    );
    svc = await startService(
      {
        KAITEKI_CONFIG: configFile,
        KAITEKI_DATA_DIR: join(dir, 'data'),
        KAITEKI_MQTT_PORT: String(await freePort()),
        KAITEKI_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
        KAITEKI_ADMIN_TOKEN: TOKEN,
      },
      ['demo', '--speed', '10', '--episode', 'lobby-env:co2=1600:20s'],
    );
  });

  afterAll(async () => {
    await svc?.stop();
    await new Promise((r) => hook?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends one notice, stops reminding once acknowledged, and one resolved notice', async () => {
    const lobby = () => received.filter((h) => h.alert.rule === 'comfort.co2' && h.alert.zone === 'lobby');
    await waitFor(() => lobby().some((h) => h.event === 'firing'), 15_000, 'the firing notice').catch((e) => {
      throw new Error(`${(e as Error).message}; service output:\n${svc!.output().slice(-3000)}`);
    });
    const id = lobby()[0]!.alert.id;
    const ack = await fetch(`${svc!.url}/api/alerts/${id}/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ by: 'demo' }),
    });
    expect(ack.status).toBe(200);
    // The episode lasts 20 s; reminders would come every 6 s if the acknowledgement did not stop them.
    await waitFor(() => lobby().some((h) => h.event === 'resolved'), 45_000, 'the resolved notice');
    await new Promise((r) => setTimeout(r, 1000));
    expect(lobby().map((h) => h.event)).toEqual(['firing', 'acknowledged', 'resolved']);
  });
});
