import { mkdirSync, readFileSync } from 'node:fs';
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Clock } from '../../src/core/clock.js';
import { connectClient, startApp, testConfig } from '../helpers/app.js';
import { CHROMIUM, type ConsoleError, launchChromium, watchConsole } from './fixture.js';

/**
 * The wall at night draws what the server judged: 閉庁中 / Closed tiles with their
 * values, no red for a cold empty building, the alerts panel empty; building
 * protection (3 °C) is the one thing that turns a tile red at night; a sensor that
 * stops sending goes stale by arrival time. The server runs on a clock set to
 * Sunday 22:46 JST (the hour of the original complaint), whatever the real time.
 */

const SITE = 'takatsu';
const NIGHT = Date.parse('2026-11-29T22:46:00+09:00');

describe.skipIf(CHROMIUM === undefined)('wall at night: the server judges, the wall draws', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  let browser: Browser;
  let page: Page;
  let mqtt: MqttClient;
  let errors: ConsoleError[];
  const realStart = Date.now();
  let offset = 0;
  const clock: Clock = { now: () => NIGHT + (Date.now() - realStart) + offset };
  const zones = (parse(readFileSync('config/takatsu.yaml', 'utf8')) as { zones: { id: string }[] }).zones;

  const publish = (zone: string, values: Record<string, number>) =>
    new Promise<void>((resolve, reject) =>
      mqtt.publish(
        `kaiteki/${SITE}/${zone}/env-${zone}`,
        JSON.stringify({ ...values, ts: clock.now() }),
        { qos: 1 },
        (e) => (e ? reject(e) : resolve()),
      ),
    );
  const tile = (zone: string) => page.locator(`.tile[data-zone="${zone}"]`);

  beforeAll(async () => {
    const site = parse(readFileSync('config/takatsu.yaml', 'utf8')) as Record<string, unknown>;
    const config = testConfig({
      site: site.site,
      zones: site.zones,
      hours: site.hours,
      alerts: { rulesFile: 'config/rules.yaml', quietHours: { enabled: false } },
      report: { schedule: { enabled: false } },
    });
    app = await startApp({ config, clock });
    mqtt = await connectClient(app.mqttUrl);
    // a cold, dark, empty building: 16.8 °C is below the comfort minimum, but nobody is there
    for (const z of zones)
      await publish(z.id, { temperature: 16.8, humidity: 45, co2: 450, illuminance: 3, lights: 0 });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    errors = watchConsole(page);
    await page.goto(`${app.url}/`);
    await page.waitForSelector('#wall[data-ready]');
    mkdirSync('test-output', { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    mqtt?.end(true);
    await app?.cleanup();
  });

  it('shows 閉庁中 tiles with their values, no red, and no alerts', async () => {
    for (const z of zones) {
      await expect.poll(() => tile(z.id).getAttribute('data-state'), { timeout: 10_000 }).toBe('closed');
      expect(await tile(z.id).locator('.status-badge').textContent()).toBe('閉庁中');
      expect(await tile(z.id).locator('.value[data-q="temperature"] .num').textContent()).toBe('16.8');
    }
    expect(await page.locator('.status-out, .status-caution').count()).toBe(0);
    // nothing red anywhere in the tiles (computed colours, not only classes)
    const red = await page.evaluate(
      () =>
        Array.from(document.querySelectorAll<HTMLElement>('.tile, .tile *'))
          .map((el) => getComputedStyle(el))
          .filter((s) =>
            [s.backgroundColor, s.borderTopColor, s.color].some((c) =>
              /^rgb\(2[0-5]\d, [0-9]{1,2}, [0-9]{1,2}\)$/.test(c),
            ),
          ).length,
    );
    expect(red).toBe(0);
    // the server says the same: closed, values kept, no reasons; and no alert is open
    const status = (await (await fetch(`${app.url}/api/status`)).json()) as {
      zone: string;
      state: string;
      inUse: boolean;
      reasons: unknown[];
      since: string;
    }[];
    expect(status.map((s) => s.state)).toEqual(zones.map(() => 'closed'));
    expect(status.every((s) => !s.inUse && s.reasons.length === 0)).toBe(true);
    expect(status[0]?.since).toBe('2026-11-27T08:00:00.000Z'); // closed since Friday 17:00 JST
    const alerts = (await (await fetch(`${app.url}/api/alerts?state=active`)).json()) as unknown[];
    expect(alerts).toEqual([]);
    await expect.poll(() => page.locator('.alerts .alert').count()).toBe(0);
    await page.screenshot({ path: 'test-output/wall-night.png' });
  });

  it('building protection turns a tile red at night (3 °C in the lobby)', async () => {
    await publish('lobby', { temperature: 3 });
    await expect.poll(() => tile('lobby').getAttribute('data-state'), { timeout: 10_000 }).toBe('out');
    expect(await tile('lobby').locator('.status-badge').textContent()).toBe('建物保全'); // not a comfort matter
    expect(await tile('lobby').locator('.value[data-q="temperature"]').getAttribute('class')).toContain(
      'status-out',
    );
    // the other zones stay closed
    expect(await tile(zones[1]!.id).getAttribute('data-state')).toBe('closed');
    await page.screenshot({ path: 'test-output/wall-night-protection.png' });
  });

  it('a sensor that stops sending goes stale by arrival time, with "last seen"', async () => {
    offset += 4 * 60_000; // past 3 × the default 60 s interval, nothing arrived
    await page.reload();
    await page.waitForSelector('#wall[data-ready]');
    await expect.poll(() => tile('lobby').getAttribute('data-state'), { timeout: 10_000 }).toBe('stale');
    // (with a date when the page's own clock is on another day than the server's injected one)
    expect(await tile('lobby').locator('.status-badge').textContent()).toMatch(
      /^最終受信 (\d+\/\d+ )?\d\d:\d\d$/,
    );
    expect(await tile('lobby').locator('.value[data-q="temperature"]').getAttribute('class')).toContain(
      'stale',
    );
  });

  it('logged no console errors', () => {
    expect(errors).toEqual([]);
  });
});
