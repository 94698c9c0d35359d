import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, startApp, testConfig } from '../helpers/app.js';

describe('GET /api/status and the listen addresses', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    app = await startApp({
      config: testConfig({
        http: { host: '0.0.0.0', port: 0 },
        // the eco judgement depends on the month: pinned to a heating season all year so the test means the same in every month
        limits: { eco: { coolingMonths: [], heatingMonths: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] } },
        zones: [
          { id: 'lobby', name: { ja: 'ロビー', en: 'Lobby' }, inUse: 'always' },
          { id: 'office', name: { ja: '事務室', en: 'Office' }, inUse: 'always' },
        ],
      }),
    });
  });
  afterAll(async () => {
    await app.cleanup();
  });

  it('logs and reports the addresses it really listens on (all interfaces for 0.0.0.0)', () => {
    const port = new URL(app.url).port;
    expect(app.urls).toContain(`http://127.0.0.1:${port}`);
    expect(app.urls.every((u) => u.endsWith(`:${port}`))).toBe(true);
  });

  it('gives every configured zone, nodata before any reading, then the judged state with reasons and limits', async () => {
    const empty = (await (await fetch(`${app.url}/api/status`)).json()) as { zone: string; state: string }[];
    expect(empty.map((s) => [s.zone, s.state])).toEqual([
      ['lobby', 'nodata'],
      ['office', 'nodata'],
    ]);
    const pub = await connectClient(app.mqttUrl);
    pub.publish('kaiteki/default/lobby/env-1', JSON.stringify({ temperature: 29.5, co2: 700 }), { qos: 1 });
    let lobby: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && lobby?.state !== 'out'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      lobby = (
        (await (await fetch(`${app.url}/api/status?zone=lobby`)).json()) as Record<string, unknown>[]
      )[0];
    }
    expect(lobby).toMatchObject({
      zone: 'lobby',
      inUse: true,
      state: 'out',
      reasons: [
        {
          kind: 'limit',
          id: 'comfort.temperature',
          quantity: 'temperature',
          value: 29.5,
          limit: 28,
          bound: 'max',
        },
      ],
      // eco apart from comfort: over-heated (22 °C while heating), not a reason for the zone's state
      eco: [
        {
          kind: 'limit',
          id: 'eco.overheating',
          quantity: 'temperature',
          value: 29.5,
          limit: 22,
          bound: 'max',
        },
      ],
      limits: {
        temperature: { min: 18, max: 28 },
        co2: { max: 1000 },
        protection: { temperature: { min: 10, max: 35 } },
      },
      values: { temperature: { value: 29.5, stale: false, state: 'out' }, co2: { value: 700, state: 'ok' } },
    });
    expect(typeof lobby?.since).toBe('string');
    pub.end(true);
  });
});
