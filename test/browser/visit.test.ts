import { mkdirSync, readFileSync } from 'node:fs';
import jsQRModule from 'jsqr';
import type { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ManualClock } from '../../src/core/clock.js';
import type { Reading } from '../../src/core/reading.js';
import type { VisitPattern, VisitSnapshot } from '../../src/http/visit-data.js';
import { type Inventory, loadInventory } from '../../src/inventory/inventory.js';
import { seedRecentHistory } from '../../src/sim/history.js';
import { SimModel } from '../../src/sim/model.js';
import { startApp, testConfig } from '../helpers/app.js';
import { freePort } from '../helpers/binaries.js';
import { contrastProblems, fitProblems, VIEWPORTS } from './fit.js';
import { CHROMIUM, launchChromium, watchConsole } from './fixture.js';

if (!CHROMIUM) console.warn('visitor page browser tests skipped: /usr/bin/chromium not installed');

// jsqr is CommonJS with an ESM-style typing: its default export is the module under NodeNext.
type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as unknown as Decode;

const PUBLIC_URL = 'https://takatsu.example.jp/visit';
/** Monday 30 Nov 2026, 10:00 JST: a busy open morning. */
const MONDAY_10 = Date.parse('2026-11-30T10:00:00+09:00');
/** Sunday 29 Nov 2026, 22:00 JST: closed; opens Monday 8:30. */
const SUNDAY_NIGHT = Date.parse('2026-11-29T22:00:00+09:00');

describe.skipIf(!CHROMIUM)('visitor page /visit in Chromium', () => {
  const clock = new ManualClock(MONDAY_10);
  let app: Awaited<ReturnType<typeof startApp>>;
  let publicPort: number;
  let browser: Browser;
  let tickets: Inventory;

  /** Fresh readings of every ticket machine at the clock's time, from the simulator's model. */
  const liveReadings = (ts: number): Reading[] => {
    const model = SimModel.fromConfig(app.ctx.config);
    return tickets.sensors.flatMap((s) =>
      Object.entries(model.step(s, undefined, ts).values).map(([quantity, value]) => ({
        site: s.site,
        zone: s.zone,
        sensor: s.id,
        quantity: quantity as Reading['quantity'],
        value: value!,
        ts,
        registered: true,
      })),
    );
  };

  beforeAll(async () => {
    const sample = parse(readFileSync('config/takatsu.yaml', 'utf8')) as Record<string, unknown>;
    publicPort = await freePort();
    // 保険年金課 takes visitors only in the morning (its own hours): at 13:00 one counter is open, one closed.
    const zones = (sample.zones as { id: string }[]).map((z) =>
      z.id === 'hoken-counter' ? { ...z, inUse: { open: '08:30', close: '12:00' } } : z,
    );
    const config = testConfig({
      site: sample.site,
      zones,
      hours: sample.hours,
      inventory: { files: ['sensors/takatsu.yaml'] },
      alerts: { enabled: false },
      http: { host: '127.0.0.1', port: 0, public: { host: '127.0.0.1', port: publicPort } },
      visit: { url: PUBLIC_URL },
    });
    const inventory = loadInventory(config);
    // The history generator only reads `sensors`: the ticket machines alone keep the seed small.
    tickets = {
      sensors: inventory.sensors.filter((s) => s.quantities.includes('serving')),
    } as unknown as Inventory;
    expect(tickets.sensors.length).toBe(2);
    app = await startApp({ config, clock, inventory });
    // Two weeks of simulated history of the ticket machines (src/sim's history generator).
    const seeded = await seedRecentHistory(app.store, config, tickets, {
      now: MONDAY_10,
      hours: 15 * 24,
      stepMs: 10 * 60_000,
    });
    expect(seeded).toBeGreaterThan(10_000);
    for (const r of liveReadings(MONDAY_10 - 10_000)) app.ctx.latest.put(r);
    browser = await launchChromium();
    mkdirSync('test-output', { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.cleanup();
  });

  const open = async (path: string, viewport: { width: number; height: number }, base = app.url) => {
    const context = await browser.newContext({ viewport, timezoneId: 'America/New_York' });
    const page = await context.newPage();
    const errors = watchConsole(page);
    await page.goto(`${base}${path}`);
    await page.waitForSelector('body[data-ready]');
    return { page, errors, close: () => context.close() };
  };

  const snapshot = async () => (await (await fetch(`${app.url}/visit/api/counters`)).json()) as VisitSnapshot;

  it('shows every counter: people waiting, waiting time, the number called and the lamp in words (390×844)', async () => {
    const snap = await snapshot();
    expect(snap.open).toBe(true);
    expect(snap.counters.map((c) => c.name.ja)).toEqual(['区民課 窓口', '保険年金課 窓口']);
    const { page, errors, close } = await open('/visit', { width: 390, height: 844 });
    await page.waitForSelector('#pattern:not([hidden])');
    const cards = page.locator('.card');
    expect(await cards.count()).toBe(2);
    const lampWords = { blue: '空いています', yellow: 'やや混雑', red: '混雑' };
    for (const [i, c] of snap.counters.entries()) {
      expect(c.state).toBe('open');
      expect(c.serving).toBeGreaterThan(0);
      const card = cards.nth(i);
      expect(await card.locator('.serving .num').textContent()).toBe(String(c.serving));
      expect(await card.locator('.waiting .num').textContent()).toBe(String(c.waiting));
      expect(await card.locator('.wait .num').textContent()).toBe(String(c.waitMinutes));
      expect(await card.locator('.lamp-text').textContent()).toBe(lampWords[c.band!]);
      expect(await card.getAttribute('class')).toContain(`band-${c.band}`);
      // Each figure is inside the first screen, not just somewhere on the page.
      for (const sel of ['.serving .num', '.waiting .num', '.wait .num', '.lamp'])
        expect(await card.locator(sel).isVisible()).toBe(true);
    }
    const box = await cards.nth(0).boundingBox();
    expect(box!.y + box!.height).toBeLessThan(844);
    expect(await fitProblems(page)).toEqual([]);
    expect(await contrastProblems(page)).toEqual([]); // WCAG AA for every text on the page
    expect(await page.locator('#asof').textContent()).toContain('10:00 現在');
    await page.screenshot({ path: 'test-output/visit-390.png', fullPage: true });
    expect(errors).toEqual([]);
    await close();
  });

  it('shows today by hour beside the usual pattern for this weekday, from the stored history', async () => {
    const p = (await (await fetch(`${app.url}/visit/api/pattern`)).json()) as VisitPattern;
    expect(p.isToday).toBe(true);
    expect(p.weekday).toBe(1);
    // Mondays 16 and 23 Nov are in the history; the 23rd is 勤労感謝の日 (closed) and is left out.
    expect(p.days).toBe(1);
    expect(p.weeks).toBe(8);
    expect(p.minDays).toBe(3);
    expect(p.hours).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16]);
    for (const c of p.counters) {
      // one Monday is not "the usual Monday": no pattern, and the page says why
      expect(c.days).toBe(1);
      expect(c.usual.every((v) => v === null)).toBe(true);
      // today so far: the hours before 10:00 have figures, the later ones not yet
      expect(c.today.slice(0, 2).every((v) => v !== null)).toBe(true);
      expect(c.today.slice(3).every((v) => v === null)).toBe(true);
    }
    const { page, close } = await open('/visit', { width: 390, height: 844 });
    await page.waitForSelector('#pattern:not([hidden])');
    expect(await page.locator('#pattern-title').textContent()).toBe('時間帯別の待ち時間（混雑予想）');
    expect(await page.locator('.pcounter').count()).toBe(2);
    expect(await page.locator('.pcounter').first().locator('.prow').count()).toBe(9);
    expect(await page.locator('.pattern-legend').first().textContent()).toContain('データ不足（1日分）');
    expect(await page.locator('.pattern-legend').first().textContent()).not.toContain('いつもの月曜日');
    expect(await page.locator('#pattern-note').textContent()).toBe(
      '今日のこれまでの待ち時間。月曜日の目安はデータ不足（1日分）のため出していません。',
    );
    await close();
    const en = await open('/visit?lang=en', { width: 390, height: 844 });
    await en.page.waitForSelector('#pattern:not([hidden])');
    expect(await en.page.locator('.pattern-legend').first().textContent()).toContain(
      'Not enough data (1 days)',
    );
    expect(await en.page.locator('#pattern-note').textContent()).not.toContain('8 weeks');
    await en.close();
  });

  it('with three past Mondays the usual pattern is their median, over the weeks the server says', async () => {
    // Two more open Mondays (2 and 9 Nov): 10, 20 and the seeded day's figure → median per hour.
    const extra: Reading[] = [];
    for (const [day, minutes] of [
      ['2026-11-02', 10],
      ['2026-11-09', 20],
    ] as const)
      for (const s of tickets.sensors)
        for (let m = 8 * 60 + 30; m < 17 * 60; m += 10)
          extra.push({
            site: s.site,
            zone: s.zone,
            sensor: s.id,
            quantity: 'wait_minutes',
            value: minutes,
            ts: Date.parse(
              `${day}T${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00+09:00`,
            ),
            registered: true,
          });
    await app.store.write(extra);
    clock.set(MONDAY_10 + 61 * 60_000); // the usual pattern is cached for an hour
    try {
      const p = (await (await fetch(`${app.url}/visit/api/pattern`)).json()) as VisitPattern;
      expect(p.days).toBe(3);
      const kumin = p.counters[0]!;
      expect(kumin.days).toBe(3);
      // hours 9–16 have all three days; the median lies within the two written days' 10 and 20
      expect(kumin.usual.slice(1).every((v) => v !== null && v >= 10 && v <= 20)).toBe(true);
      const { page, close } = await open('/visit', { width: 390, height: 844 });
      await page.waitForSelector('#pattern:not([hidden])');
      expect(await page.locator('.pattern-legend').first().textContent()).toContain('いつもの月曜日');
      expect(await page.locator('#pattern-note').textContent()).toBe(
        '今日のこれまでの待ち時間と、過去8週間の月曜日の目安（中央値）。',
      );
      await close();
    } finally {
      clock.set(MONDAY_10);
    }
  });

  it('fits without sideways scrolling or clipped text at 320 px and every screen size, in both languages', async () => {
    const sizes = [{ width: 320, height: 640 }, ...VIEWPORTS];
    for (const lang of ['', '?lang=en']) {
      for (const vp of sizes) {
        const { page, errors, close } = await open(`/visit${lang}`, vp);
        await page.waitForSelector('#pattern:not([hidden])');
        expect(await fitProblems(page), `${vp.width}×${vp.height} ${lang}`).toEqual([]);
        if (vp.width === 320 || vp.width === 1920)
          await page.screenshot({
            path: `test-output/visit-${vp.width}${lang ? '-en' : ''}.png`,
            fullPage: true,
          });
        expect(errors).toEqual([]);
        await close();
      }
    }
    const { page, close } = await open('/visit?lang=en', { width: 390, height: 844 });
    expect(await page.locator('.card .serving .fig-label').first().textContent()).toBe('Now serving');
    expect(await page.locator('#lang').textContent()).toBe('日本語');
    await close();
  }, 120_000);

  it('at night says the counters are closed and when they open, with no figures', async () => {
    clock.set(SUNDAY_NIGHT);
    try {
      const snap = await snapshot();
      expect(snap.open).toBe(false);
      expect(snap.nextOpen).toBe(new Date(Date.parse('2026-11-30T08:30:00+09:00')).toISOString());
      expect(snap.counters.every((c) => c.state === 'closed' && c.waiting === null && c.band === null)).toBe(
        true,
      );
      const { page, close } = await open('/visit', { width: 390, height: 844 });
      expect(await page.locator('#closed').isVisible()).toBe(true);
      expect(await page.locator('#closed-title').textContent()).toBe('受付時間外です');
      expect(await page.locator('#closed-next').textContent()).toBe('次の受付開始：11月30日（月）8:30');
      expect(await page.locator('.card .num').count()).toBe(0);
      expect(await page.locator('.card-closed').count()).toBe(2);
      // Closed on a Sunday: the forecast is Monday's.
      await page.waitForSelector('#pattern:not([hidden])');
      expect(await page.locator('#pattern-title').textContent()).toBe('11月30日（月）の混雑予想');
      await page.screenshot({ path: 'test-output/visit-night.png', fullPage: true });
      await close();
      // The waiting-area display says the same, from the same server judgement, instead of "0人 0分".
      for (const vp of [
        { width: 1920, height: 1080 },
        { width: 1080, height: 1920 },
      ]) {
        const context = await browser.newContext({ viewport: vp });
        const wall = await context.newPage();
        const errors = watchConsole(wall);
        await wall.goto(`${app.url}/?layout=counter-kumin`);
        await wall.waitForSelector('#wall[data-ready]');
        await expect.poll(() => wall.locator('.counter-closed').isVisible(), { timeout: 10_000 }).toBe(true);
        expect(await wall.locator('.closed-title').textContent()).toBe('受付時間外');
        expect(await wall.locator('.closed-next').textContent()).toBe('次の受付 明日 8:30');
        expect(await wall.locator('.counter-figures').isVisible()).toBe(false);
        expect(await fitProblems(wall)).toEqual([]);
        await wall.screenshot({ path: `test-output/counter-closed-${vp.width}x${vp.height}.png` });
        // This app runs without alerts (alerts.enabled false): their 503s are the expected answer.
        expect(errors.filter((e) => !/\/api\/(alerts|silences)/.test(e.url))).toEqual([]);
        await context.close();
      }
    } finally {
      clock.set(MONDAY_10);
    }
  });

  it('never shows old figures as current: a silent ticket machine shows when it was last updated', async () => {
    clock.set(MONDAY_10 + 20 * 60_000);
    try {
      const snap = await snapshot();
      expect(
        snap.counters.every((c) => c.state === 'stale' && c.waiting === null && c.serving === null),
      ).toBe(true);
      const { page, close } = await open('/visit', { width: 390, height: 844 });
      expect(await page.locator('.card .num').count()).toBe(0);
      expect(await page.locator('.card-stale').first().textContent()).toBe(
        '情報が更新されていません（最終更新 9:59）。表示できる最新の情報がありません。',
      );
      await close();
    } finally {
      clock.set(MONDAY_10);
    }
  });

  it('says plainly when the page itself has had nothing new for a while (connection lost)', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.clock.install();
    // No live stream (it ends at once) and, after the first load, no answers at all.
    await page.route('**/visit/api/stream', (r) =>
      r.fulfill({ status: 200, contentType: 'text/event-stream', body: 'retry: 600000\n\n' }),
    );
    await page.goto(`${app.url}/visit`);
    await page.waitForSelector('body[data-ready]');
    expect(await page.locator('#conn').isHidden()).toBe(true);
    await page.route('**/visit/api/counters', (r) => r.abort());
    await page.clock.fastForward('02:00');
    await expect.poll(() => page.locator('#conn').isVisible()).toBe(true);
    expect(await page.locator('#conn').textContent()).toBe(
      '接続が切れています。10:00 時点の情報です。再接続しています…',
    );
    expect(await page.evaluate(() => document.body.classList.contains('old'))).toBe(true);
    await context.close();
  });

  it('updates live over the stream when a new reading arrives', async () => {
    const { page, close } = await open('/visit', { width: 390, height: 844 });
    const fresh = liveReadings(MONDAY_10 - 5_000).map((r) =>
      r.zone === 'kumin-counter' && r.quantity === 'serving' ? { ...r, value: 777 } : r,
    );
    for (const r of fresh) app.ctx.latest.put(r);
    app.ctx.bus.emit('readings', fresh);
    await expect
      .poll(() => page.locator('.card').first().locator('.serving .num').textContent(), { timeout: 10_000 })
      .toBe('777');
    await close();
  });

  it('serves only the visitor page on the public listener, with no internal ids', async () => {
    const base = `http://127.0.0.1:${publicPort}`;
    const page0 = await fetch(`${base}/visit`);
    expect(page0.status).toBe(200);
    expect(page0.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${base}/visit/assets/visit.js`)).status).toBe(200);
    const body = await (await fetch(`${base}/visit/api/counters`)).text();
    expect(body).not.toMatch(/kumin-ticket|kumin-counter|hoken-counter|co2|temperature/);
    for (const path of [
      '/api/latest',
      '/api/site',
      '/api/stream',
      '/metrics',
      '/healthz',
      '/index.html',
      '/js/main.js',
    ])
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    const { page, errors, close } = await open('/visit', { width: 390, height: 844 }, base);
    expect(await page.locator('.card').count()).toBe(2);
    expect(errors).toEqual([]);
    await close();
  });

  it('checks itself: the layout and contrast checks catch clipped text and grey on white', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.setContent(
      '<p style="color:#aaa;background:#fff;font-size:16px">grey</p>' +
        '<div style="width:50px;overflow:hidden;white-space:nowrap">a long line of text here</div>',
    );
    expect((await contrastProblems(page)).map((p) => p.text)).toEqual(['grey']);
    expect((await fitProblems(page)).map((p) => p.what)).toContain('clipped');
    await context.close();
  });

  it('prints an A4 poster whose QR code decodes to the configured public URL', async () => {
    const context = await browser.newContext({ viewport: { width: 794, height: 1123 } });
    const page = await context.newPage();
    const errors = watchConsole(page);
    await page.goto(`${app.url}/visit/poster`);
    const png = PNG.sync.read(await page.screenshot({ path: 'test-output/visit-poster.png' }));
    const qr = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(qr?.data).toBe(PUBLIC_URL);
    expect(await page.locator('.url').textContent()).toBe(PUBLIC_URL);
    expect(await fitProblems(page)).toEqual([]);
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the wall closes each counter by its own hours, not the building’s (13:00: one open, one closed)', async () => {
    const ONE_PM = Date.parse('2026-11-30T13:00:00+09:00');
    clock.set(ONE_PM);
    try {
      const fresh = liveReadings(ONE_PM - 10_000);
      for (const r of fresh) app.ctx.latest.put(r);
      app.ctx.bus.emit('readings', fresh); // arrival now: fresh (staleness is judged by arrival)
      const snap = await snapshot();
      expect(snap.open).toBe(true);
      expect(snap.counters.map((c) => c.state)).toEqual(['open', 'closed']);
      expect(snap.counters[1]!.nextOpen).toBe(
        new Date(Date.parse('2026-12-01T08:30:00+09:00')).toISOString(),
      );
      const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
      const wall = await context.newPage();
      await wall.goto(`${app.url}/`);
      await wall.waitForSelector('#wall[data-ready]');
      const kumin = wall.locator('.counters .counter[data-zone="kumin-counter"]');
      const hoken = wall.locator('.counters .counter[data-zone="hoken-counter"]');
      await expect.poll(() => hoken.locator('.counter-closed').isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await hoken.locator('.closed-next').textContent()).toBe('次の受付 明日 8:30');
      expect(await kumin.locator('.counter-closed').isVisible()).toBe(false);
      expect(await kumin.locator('.counter-figures').isVisible()).toBe(true);
      await context.close();
      // the visitor page: the closed counter says when it opens again
      const { page, close } = await open('/visit', { width: 390, height: 844 });
      expect(await page.locator('.card').nth(1).locator('.card-next').textContent()).toBe(
        '次の受付開始：12月1日（火）8:30',
      );
      expect(await page.locator('.card').nth(0).locator('.card-closed').count()).toBe(0);
      await close();
    } finally {
      clock.set(MONDAY_10);
    }
  });
});
