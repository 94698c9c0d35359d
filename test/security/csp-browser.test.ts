import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { CHROMIUM, launchChromium, watchConsole } from '../browser/fixture.js';
import { startApp, testConfig } from '../helpers/app.js';

/**
 * Every page works under the Content-Security-Policy: Chromium reports each
 * blocked script, style or connection as a console error, so a page that
 * still relies on inline script or style attributes fails here.
 */
describe.skipIf(!CHROMIUM)('pages under the Content-Security-Policy (Chromium)', () => {
  const clock = new ManualClock(Date.parse('2026-11-30T10:00:00+09:00')); // Monday 10:00 JST
  let app: Awaited<ReturnType<typeof startApp>>;
  let browser: Browser;

  beforeAll(async () => {
    app = await startApp({
      config: testConfig({
        site: { id: 'takatsu', name: { ja: '高津区役所', en: 'Takatsu Ward Office' } },
        zones: [
          { id: 'lobby', name: { ja: 'ロビー', en: 'Lobby' }, kind: 'lobby' },
          { id: 'kumin-counter', name: { ja: '区民課', en: 'Residents' }, kind: 'counter' },
        ],
      }),
      clock,
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.cleanup();
  });

  it('the HTML eco report keeps its own styles (a document policy: inline style, no script)', async () => {
    const page = await browser.newPage();
    const errors = watchConsole(page);
    const res = await page.goto(`${app.url}/api/reports/eco?format=html`, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("default-src 'none'");
    // the report's <style> applied: headings carry their coloured rule
    expect(await page.$eval('h2', (h) => getComputedStyle(h).borderLeftWidth)).toBe('4px');
    expect(errors.filter((e) => /Content Security Policy|Refused to/i.test(e.text))).toEqual([]);
    await page.close();
  });

  for (const path of ['/', '/?lang=en', '/alerts', '/visit', '/visit/poster']) {
    it(`${path} loads its scripts and styles with nothing refused`, async () => {
      const page = await browser.newPage();
      const errors = watchConsole(page);
      const res = await page.goto(`${app.url}${path}`, { waitUntil: 'load' });
      expect(res?.status()).toBe(200);
      expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
      // the page's module ran: it has built something beyond the static HTML
      await page.waitForFunction(() => document.body.querySelectorAll('*').length > 5, undefined, {
        timeout: 10_000,
      });
      await page.waitForLoadState('networkidle').catch(() => undefined);
      const refused = errors.filter((e) => /Content Security Policy|Refused to/i.test(e.text));
      expect(refused).toEqual([]);
      await page.close();
    });
  }
});
