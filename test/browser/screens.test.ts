import { mkdirSync } from 'node:fs';
import type { MqttClient } from 'mqtt';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { connectClient } from '../helpers/app.js';
import { MOSQUITTO, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { contrastProblems, fitProblems, VIEWPORTS } from './fit.js';
import {
  CHROMIUM,
  history,
  launchChromium,
  publish,
  removeDir,
  startWallApp,
  watchConsole,
} from './fixture.js';

const CAN_RUN = CHROMIUM !== undefined && MOSQUITTO !== undefined;

/** A busy morning: six zones over the CO2 limit (six alerts), queues at both counters. */
const VALUES: Record<string, Record<string, number>> = {
  lobby: { temperature: 23.1, humidity: 46, co2: 1180, illuminance: 980, lights: 1 },
  'kumin-counter': { temperature: 24.8, humidity: 42, co2: 1210, illuminance: 820, lights: 1 },
  'kumin-waiting': { temperature: 27.6, humidity: 61, co2: 1380, illuminance: 640, lights: 1 },
  'hoken-counter': { temperature: 22.0, humidity: 50, co2: 1120, illuminance: 800, lights: 1 },
  'waiting-2f': { temperature: 21.5, humidity: 38, co2: 1050, illuminance: 420, lights: 1 },
  office: { temperature: 25.2, humidity: 52, co2: 1240, illuminance: 760, lights: 1 },
};

const ALERTS = Object.entries(VALUES).map(([zone, v], i) => ({
  id: i + 1,
  zone,
  rule: 'comfort.co2',
  category: 'comfort',
  quantity: 'co2',
  value: v.co2,
  limit: { above: 1000 },
  severity: i === 0 ? 'critical' : 'warning',
  state: i === 1 ? 'acknowledged' : 'firing',
  ackedBy: i === 1 ? '施設管理 山田' : undefined,
  openedAt: new Date(Date.now() - (i + 1) * 7 * 60_000).toISOString(),
}));

describe.skipIf(!CAN_RUN)(
  'every screen size: nothing hidden, nothing clipped (wall and counter display)',
  () => {
    let mosquitto: Mosquitto;
    let app: App & { cleanup(): Promise<void> };
    let mqtt: MqttClient;
    let browser: Browser;
    const dirs: string[] = [];

    beforeAll(async () => {
      mosquitto = await startMosquitto();
      const started = await startWallApp(mosquitto);
      app = started.app;
      dirs.push(started.inventoryDir);
      await app.store.write(history(started.config, Date.now()));
      mqtt = await connectClient(mosquitto.url);
      const t = Date.now();
      for (const [zone, v] of Object.entries(VALUES)) {
        // One reading each: the test config's CO2 rule needs two, so the alerts are only the ones given below.
        await publish(mqtt, zone, `env-${zone}`, { ...v, ts: t - 1000 });
      }
      await publish(mqtt, 'kumin-counter', 'queue-kumin-counter', {
        waiting: 23,
        wait_minutes: 34,
        serving: 128,
      });
      await publish(mqtt, 'hoken-counter', 'queue-hoken-counter', {
        waiting: 4,
        wait_minutes: 8,
        serving: 57,
      });
      browser = await launchChromium();
      mkdirSync('test-output', { recursive: true });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      mqtt?.end(true);
      await app?.cleanup();
      await mosquitto?.close();
      for (const d of dirs) removeDir(d);
    });

    const open = async (path: string, vp: { width: number; height: number }) => {
      const context = await browser.newContext({ viewport: vp, timezoneId: 'Asia/Tokyo' });
      const page = await context.newPage();
      const errors = watchConsole(page);
      // Six active alerts, as the alerts API gives them (rules only fire while zones are in use).
      await page.route('**/api/alerts?state=active', (route) => route.fulfill({ json: ALERTS }));
      await page.goto(`${app.url}${path}`);
      await page.waitForSelector('#wall[data-ready]');
      // Values from the live stream and the trends loaded: what a person would see after a moment.
      await page.waitForFunction(() => {
        const k = (window as unknown as { kaiteki?: { tiles: unknown[]; chartPoints(): number } }).kaiteki;
        const nums = Array.from(document.querySelectorAll('.num, .count'));
        return (
          k !== undefined &&
          (k.tiles.length === 0 || k.chartPoints() > 0) &&
          nums.some((n) => n.textContent !== '—')
        );
      });
      return { page, errors, close: () => context.close() };
    };

    for (const lang of ['ja', 'en'] as const) {
      for (const vp of VIEWPORTS) {
        it(`wall ${vp.width}×${vp.height} ${lang}: every alert shown or counted, no overflow, no clipped text`, async () => {
          const { page, errors, close } = await open(`/${lang === 'en' ? '?lang=en' : ''}`, vp);
          await expect.poll(() => page.locator('.alert-count').textContent(), { timeout: 10_000 }).toBe('6');
          const cards = await page.locator('.alert-list li.alert').count();
          const note = (await page.locator('.alert-note').textContent()) ?? '';
          const more = Number(/(\d+)/.exec(note)?.[1] ?? 0);
          expect(cards).toBeGreaterThan(0);
          expect(cards + more).toBe(6);
          if (vp.width >= 1920) {
            // Read from 3–5 m: quantity labels at least 28 px, chart axis labels at least 16 px.
            const sizes = await page.evaluate(() => ({
              labels: Array.from(document.querySelectorAll('.tile .value')).map((e) =>
                Number.parseFloat(getComputedStyle(e).fontSize),
              ),
              ticks: (
                window as unknown as {
                  kaiteki: {
                    tiles: {
                      chart: {
                        chart: { options: { scales: Record<string, { ticks: { font: { size: number } } }> } };
                      };
                    }[];
                  };
                }
              ).kaiteki.tiles.flatMap((t) =>
                Object.values(t.chart.chart.options.scales).map((sc) => sc.ticks.font.size),
              ),
            }));
            expect(sizes.labels.length).toBe(30);
            expect(Math.min(...sizes.labels)).toBeGreaterThanOrEqual(28);
            expect(Math.min(...sizes.ticks)).toBeGreaterThanOrEqual(16);
            // Each trend draws the limits it is judged against: 18–28 °C and 1000 ppm (the zone status's limits).
            const lines = await page.evaluate(() =>
              (
                window as unknown as {
                  kaiteki: {
                    tiles: {
                      chart: {
                        chart: { options: { plugins: { kaitekiLimits: { lines: { value: number }[] } } } };
                      };
                    }[];
                  };
                }
              ).kaiteki.tiles.map((t) =>
                (t.chart.chart.options.plugins.kaitekiLimits.lines as { value: number }[]).map(
                  (l) => l.value,
                ),
              ),
            );
            for (const l of lines) expect(l).toEqual([18, 28, 1000]);
            expect(await contrastProblems(page)).toEqual([]);
          }
          const problems = await fitProblems(page);
          await page.screenshot({ path: `test-output/screen-wall-${vp.width}x${vp.height}-${lang}.png` });
          expect(problems).toEqual([]);
          expect(errors).toEqual([]);
          await close();
        });
      }
    }

    for (const vp of VIEWPORTS) {
      it(`counter display ${vp.width}×${vp.height}: the called number, no overflow, no clipped text`, async () => {
        const { page, errors, close } = await open('/?layout=counter-kumin', vp);
        await expect.poll(() => page.locator('.counters.big .serving-num').textContent()).toBe('128');
        const problems = await fitProblems(page);
        await page.screenshot({ path: `test-output/screen-counter-${vp.width}x${vp.height}.png` });
        expect(problems).toEqual([]);
        expect(errors).toEqual([]);
        await close();
      });
    }
  },
);
