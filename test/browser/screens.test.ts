import { mkdirSync } from 'node:fs';
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
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

/**
 * Where a wall counter is crowded: its lamp (the band pill) closer than 4 px
 * to the figures or to any figure's label, number or unit, or two figures
 * overlapping. Empty when every counter is clear.
 */
function crowdedCounters(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const near = (a: DOMRect, b: DOMRect, gap: number) =>
      a.left < b.right + gap && b.left < a.right + gap && a.top < b.bottom + gap && b.top < a.bottom + gap;
    const parts = (f: Element) =>
      [f, ...Array.from(f.querySelectorAll('.label, .serving-num, .count, .wait-num, .cunit'))].map((e) =>
        e.getBoundingClientRect(),
      );
    for (const c of Array.from(document.querySelectorAll('.counters:not(.big) .counter:not(.closed)'))) {
      const zone = c.getAttribute('data-zone');
      const band = c.querySelector('.band')!.getBoundingClientRect();
      const block = c.querySelector('.counter-figures')!.getBoundingClientRect();
      const figures = Array.from(c.querySelectorAll('.counter-figures > div')).map(parts);
      if (figures.length !== 3 || band.width === 0) out.push(`${zone}: band or figures missing`);
      if (near(band, block, 4)) out.push(`${zone}: band touches the figures`);
      for (const [i, f] of figures.entries()) {
        if (f.some((r) => near(band, r, 4))) out.push(`${zone}: band touches figure ${i}`);
        for (const g of figures.slice(i + 1))
          if (f.some((a) => g.some((b) => near(a, b, 0)))) out.push(`${zone}: figures overlap (${i})`);
      }
    }
    return out;
  });
}

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

    const open = async (
      path: string,
      vp: { width: number; height: number },
      setup?: (page: Page) => Promise<unknown>,
    ) => {
      const context = await browser.newContext({ viewport: vp, timezoneId: 'Asia/Tokyo' });
      const page = await context.newPage();
      const errors = watchConsole(page);
      // Six active alerts, as the alerts API gives them (rules only fire while zones are in use).
      await page.route('**/api/alerts?state=active', (route) => route.fulfill({ json: ALERTS }));
      await setup?.(page);
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
            // The counter queues too: 呼出番号 / 待ち人数 / 待ち時間 at least 28 px, their units at least 24 px.
            const counterSizes = await page.evaluate(() => {
              const px = (sel: string) =>
                Array.from(document.querySelectorAll(sel)).map((e) =>
                  Number.parseFloat(getComputedStyle(e).fontSize),
                );
              return {
                labels: px('.counters:not(.big) .counter .label'),
                numbers: px('.counters:not(.big) .counter :is(.serving-num, .count, .wait-num)'),
                units: px('.counters:not(.big) .counter .cunit'),
              };
            });
            expect(counterSizes.labels.length).toBe(6);
            expect(Math.min(...counterSizes.labels)).toBeGreaterThanOrEqual(28);
            expect(Math.min(...counterSizes.numbers)).toBeGreaterThanOrEqual(50);
            expect(Math.min(...counterSizes.units)).toBeGreaterThanOrEqual(24);
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
          expect(await crowdedCounters(page)).toEqual([]);
          const problems = await fitProblems(page);
          await page.screenshot({ path: `test-output/screen-wall-${vp.width}x${vp.height}-${lang}.png` });
          expect(problems).toEqual([]);
          expect(errors).toEqual([]);
          await close();
        });
      }
    }

    // One page per language and state, resized through every screen size (page loads are rate limited).
    for (const lang of ['ja', 'en'] as const) {
      it(`wall ${lang}, every screen size: closed counters say when they open, no lamp, nothing clipped`, async () => {
        // Both counters closed until the day after tomorrow (the longest opening text), as the
        // visitor snapshot says outside their hours.
        const nextOpen = new Date(Date.now() + 2 * 86_400_000).toISOString();
        const { page, errors, close } = await open(`/${lang === 'en' ? '?lang=en' : ''}`, VIEWPORTS[0], (p) =>
          p.route('**/visit/api/counters', async (route) => {
            const snap = (await (await route.fetch()).json()) as { counters: Record<string, unknown>[] };
            await route.fulfill({
              json: {
                ...snap,
                open: false,
                nextOpen,
                counters: snap.counters.map((c) => ({
                  ...c,
                  state: 'closed',
                  waiting: null,
                  waitMinutes: null,
                  serving: null,
                  band: null,
                  nextOpen,
                })),
              },
            });
          }),
        );
        await expect.poll(() => page.locator('.counters .counter-closed:visible').count()).toBe(2);
        for (const c of await page.locator('.counters .counter').all()) {
          expect(await c.locator('.closed-next').textContent()).toMatch(
            lang === 'en' ? /^Opens / : /^次の受付 /,
          );
          expect(await c.locator('.band').isVisible()).toBe(false);
          expect(await c.locator('.counter-figures').isVisible()).toBe(false);
        }
        for (const vp of VIEWPORTS) {
          await page.setViewportSize(vp);
          // The counter panel only: the alerts panel re-fits its cards on its next redraw, not on a resize.
          const problems = await fitProblems(page, { within: '.counters' });
          await page
            .locator('.counters')
            .screenshot({ path: `test-output/screen-counters-closed-${vp.width}x${vp.height}-${lang}.png` });
          expect(problems, `${vp.width}×${vp.height}`).toEqual([]);
        }
        expect(errors).toEqual([]);
        await close();
      });

      it(`wall ${lang}, every screen size: stale counters say when they were last seen, nothing clipped`, async () => {
        const { page, errors, close } = await open(`/${lang === 'en' ? '?lang=en' : ''}`, VIEWPORTS[0]);
        // The server's judgement for the counters turned stale (a silent ticket machine, last heard
        // yesterday: the longest "last seen" text); the page redraws every 5 s.
        await page.evaluate(() => {
          const { state } = (
            window as unknown as {
              kaiteki: { state: { statuses: Map<string, { values: Record<string, object> }> } };
            }
          ).kaiteki;
          const ts = new Date(Date.now() - 26 * 3_600_000).toISOString();
          for (const zone of ['kumin-counter', 'hoken-counter']) {
            const values = state.statuses.get(zone)!.values;
            for (const q of ['waiting', 'wait_minutes', 'serving'])
              values[q] = { ...values[q], stale: true, ts, band: null };
          }
        });
        await expect
          .poll(() => page.locator('.counters .counter .seen:visible').count(), { timeout: 10_000 })
          .toBe(2);
        expect(await page.locator('.counters .band-text').allTextContents()).toEqual(
          lang === 'en' ? ['wait unknown', 'wait unknown'] : ['待ち時間不明', '待ち時間不明'],
        );
        for (const vp of VIEWPORTS) {
          await page.setViewportSize(vp);
          const crowded = await crowdedCounters(page);
          const problems = await fitProblems(page, { within: '.counters' });
          await page
            .locator('.counters')
            .screenshot({ path: `test-output/screen-counters-stale-${vp.width}x${vp.height}-${lang}.png` });
          expect(crowded, `${vp.width}×${vp.height}`).toEqual([]);
          expect(problems, `${vp.width}×${vp.height}`).toEqual([]);
        }
        expect(errors).toEqual([]);
        await close();
      });
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
