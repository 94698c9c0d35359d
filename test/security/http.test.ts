import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { connectClient, startApp, testConfig } from '../helpers/app.js';
import { waitFor } from '../helpers/binaries.js';

const TOKEN = 'security-test-token';
type Running = Awaited<ReturnType<typeof startApp>>;

function appConfig(raw: Record<string, unknown> = {}) {
  const config = testConfig(
    {
      zones: [{ id: 'lobby', name: { ja: 'ロビー', en: 'Lobby' }, kind: 'lobby' }],
      ...raw,
    },
    { KAITEKI_ADMIN_TOKEN: TOKEN },
  );
  const rulesFile = join(config.store.dataDir, 'rules.json');
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
        },
      ],
    }),
  );
  return { ...config, alerts: { ...config.alerts, rulesFile } };
}

describe('HTTP security (real service)', () => {
  let app: Running;
  const clock = new ManualClock(Date.parse('2026-11-10T01:00:00Z')); // Tuesday 10:00 JST: open

  beforeAll(async () => {
    app = await startApp({ config: appConfig(), clock });
  });
  afterAll(async () => {
    await app?.cleanup();
  });

  it('sends the security headers on every page, asset and API answer', async () => {
    const paths = [
      '/',
      '/index.html',
      '/js/main.js',
      '/css/wall.css',
      '/vendor/chart.umd.min.js',
      '/alerts',
      '/visit',
      '/visit/poster',
      '/api/site',
      '/api/latest',
      '/api/audit',
      '/api/nothing-here',
      '/healthz',
      '/metrics',
      '/no-such-page',
    ];
    for (const path of paths) {
      const res = await fetch(`${app.url}${path}`);
      await res.arrayBuffer();
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      // Express's own 404 answer for a path nothing serves sets a stricter policy of its own
      if (path === '/no-such-page') {
        expect(csp, path).toBe("default-src 'none'");
        continue;
      }
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("script-src-attr 'none'");
      expect(csp, path).toContain("frame-ancestors 'self'");
      expect(csp, path).toContain("object-src 'none'");
      expect(csp, path).not.toContain('unsafe-inline');
      expect(csp, path).not.toContain('unsafe-eval');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('x-powered-by'), path).toBeNull();
    }
  });

  it('an admin route refuses a request without the token before reading its body', async () => {
    const total = 8 * 1024 * 1024;
    // the request announces 8 MB and sends 64 KB: a server reading the body first would never answer
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(`${app.url}/api/discovery/some-proposal/confirm`);
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': String(total) },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', (err) => {
        if (!(err as NodeJS.ErrnoException).code?.startsWith('ECONNRESET')) reject(err);
      });
      req.write(Buffer.alloc(64 * 1024, 0x20));
    });
    expect(status).toBe(401);
  });

  it('/api/audit needs the admin token', async () => {
    expect((await fetch(`${app.url}/api/audit`)).status).toBe(401);
    const res = await fetch(`${app.url}/api/audit`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
  });

  it('an acknowledgement appears in /api/audit with who, when and from which address', async () => {
    const mqtt = await connectClient(app.mqttUrl);
    const t = clock.now();
    for (const [i, co2] of [1420, 1450].entries()) {
      await mqtt.publishAsync(
        'kaiteki/default/lobby/env-1',
        JSON.stringify({ co2, ts: t - 2000 + i * 1000 }),
        {
          qos: 1,
        },
      );
    }
    mqtt.end(true);
    let id: number | undefined;
    await waitFor(
      async () => {
        const list = (await (await fetch(`${app.url}/api/alerts?state=active`)).json()) as { id: number }[];
        id = list[0]?.id;
        return id !== undefined;
      },
      10_000,
      'the CO2 alert',
    );
    const ack = await fetch(`${app.url}/api/alerts/${id}/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ by: '施設係' }),
    });
    expect(ack.status).toBe(200);
    const res = await fetch(`${app.url}/api/audit?action=alert.acknowledge`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const { entries } = (await res.json()) as {
      entries: { action: string; target: string; ip: string; actor: string; time: string }[];
    };
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: 'alert.acknowledge', target: String(id), ip: '127.0.0.1' });
    expect(entries[0]!.actor).toContain('施設係');
    expect(Date.parse(entries[0]!.time)).toBe(clock.now());
  });
});

describe('HTTP rate limits (real service)', () => {
  let app: Running;

  beforeAll(async () => {
    app = await startApp({
      config: appConfig({
        http: { rateLimit: { windowSeconds: 600, reports: 2, series: 1000, authFailures: 3 } },
      }),
    });
  });
  afterAll(async () => {
    await app?.cleanup();
  });

  it('limits report requests per client: 429 with Retry-After', async () => {
    for (let i = 0; i < 2; i++) {
      expect((await fetch(`${app.url}/api/reports/eco?fy=abc`)).status).toBe(400);
    }
    const res = await fetch(`${app.url}/api/reports/eco?fy=abc`);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await (await fetch(`${app.url}/metrics`)).text()).toContain(
      'kaiteki_http_rate_limited_total{limit="reports"} 1',
    );
  });

  it('locks a client out after repeated wrong admin tokens', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${app.url}/api/audit`, { headers: { authorization: 'Bearer wrong' } });
      expect(r.status).toBe(401);
    }
    // even the right token is refused while locked out
    const r = await fetch(`${app.url}/api/audit`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.status).toBe(429);
  });
});
