import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlerting } from '../../src/alerts/index.js';
import type { App } from '../../src/app.js';
import type { Reading } from '../../src/core/reading.js';
import { LinkSigner } from '../../src/http/links.js';
import type { Notice } from '../../src/notify/notifier.js';
import { webhookBody } from '../../src/notify/webhook.js';
import { connectClient, startApp, testConfig } from '../helpers/app.js';
import { freePort, waitFor } from '../helpers/binaries.js';
import { CHROMIUM, launchChromium, watchConsole } from './fixture.js';

const SECRET = 'alert-page-test-secret-0123456789abcdef';
const ADMIN = 'alert-page-admin-token';
const OUT = 'test-output';

interface Hook {
  event: string;
  title: string;
  text: string;
  url: string | null;
  wallUrl: string | null;
  by: string | null;
  alert: { id: number; zone: string; state: string };
  alerts: { id: number }[];
}

if (!CHROMIUM) console.warn('alert page browser test skipped: /usr/bin/chromium not installed');

describe.skipIf(!CHROMIUM)(
  'the staff alert page on a phone (real service, real webhook receiver, Chromium at 390×844)',
  () => {
    let app: App & { cleanup(): Promise<void> };
    let hook: Server;
    let mqtt: MqttClient;
    let browser: Browser;
    let page: Page;
    let rulesDir = '';
    const hooks: Hook[] = [];
    const of = (event: string) => hooks.filter((h) => h.event === event);

    beforeAll(async () => {
      hook = createServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => {
          body += d.toString('utf8');
        });
        req.on('end', () => {
          hooks.push(JSON.parse(body) as Hook);
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
      rulesDir = mkdtempSync(join(tmpdir(), 'kaiteki-alert-page-'));
      const rulesFile = join(rulesDir, 'rules.json');
      // One quick CO2 rule at every hour (the test runs at any time of day): two readings over the limit fire it.
      writeFileSync(
        rulesFile,
        JSON.stringify({
          rules: [
            {
              id: 'comfort.co2',
              category: 'comfort',
              quantity: 'co2',
              above: 'limits.co2.max',
              clearMargin: 50,
              for: '0s',
              readings: 2,
              clearFor: '10m',
              when: { hours: 'any' },
            },
          ],
        }),
      );
      const port = await freePort();
      const config = testConfig(
        {
          http: { host: '127.0.0.1', port },
          zones: [{ id: 'lobby', name: { ja: '1階ロビー', en: '1F Lobby' }, kind: 'lobby' }],
          inventory: { files: [] },
          alerts: {
            rulesFile,
            quietHours: { enabled: false },
            groupSeconds: 0.3,
            repeatMinutes: 60,
            publicUrl: `http://127.0.0.1:${port}`,
            retry: { attempts: 2, backoffMs: 10 },
          },
          report: { schedule: { enabled: false } },
        },
        {
          KAITEKI_ADMIN_TOKEN: ADMIN,
          KAITEKI_SECRET: SECRET,
          KAITEKI_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
        },
      );
      app = await startApp({ config, extensions: [createAlerting] });
      // six hours of CO2 history for the trend
      const now = Date.now();
      const past: Reading[] = [];
      for (let ts = now - 6 * 3_600_000; ts < now - 120_000; ts += 5 * 60_000) {
        const k = (now - ts) / 3_600_000;
        past.push({
          site: 'default',
          zone: 'lobby',
          sensor: 'env-1',
          quantity: 'co2',
          value: 1300 - k * 120 + 40 * Math.sin(k * 3),
          ts,
          registered: true,
        });
      }
      await app.store.write(past);
      mqtt = await connectClient(app.mqttUrl);
      browser = await launchChromium();
      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        timezoneId: 'Europe/London',
        locale: 'ja-JP',
      });
      page = await context.newPage();
      mkdirSync(OUT, { recursive: true });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      mqtt?.end(true);
      await app?.cleanup();
      await new Promise((r) => hook?.close(r));
      if (rulesDir) rmSync(rulesDir, { recursive: true, force: true });
    });

    const publish = (co2: number) =>
      new Promise<void>((resolve, reject) =>
        mqtt.publish('kaiteki/default/lobby/env-1', JSON.stringify({ co2 }), { qos: 1 }, (err) =>
          err ? reject(err) : resolve(),
        ),
      );
    const alertState = async (id: number) => {
      const res = await fetch(`${app.url}/api/alerts?ids=${id}`);
      return ((await res.json()) as { state: string; acknowledgedBy: string | null }[])[0]!;
    };

    it('opens the signed link from the webhook without changing anything, acknowledges with one tap and a name, and the receiver gets exactly one acknowledgement notice', async () => {
      const errors = watchConsole(page);
      await publish(1380);
      await publish(1420);
      await waitFor(() => of('firing').length === 1, 10_000, 'the firing webhook');
      const firing = of('firing')[0]!;
      // The link is in the text people read and in the body's url field.
      const link = /https?:\/\/\S+\/alerts\?t=\S+/.exec(firing.text)?.[0];
      expect(link).toBeDefined();
      expect(firing.url).toBe(link);
      expect(firing.text).not.toContain('/api/alerts');
      expect(firing.text).toContain('対応: 換気をお願いします');
      const id = firing.alert.id;

      const res = await page.goto(link!);
      expect(res?.status()).toBe(200);
      await page.locator(`#alert-${id} .ack-btn`).waitFor();
      await page.locator(`#alert-${id} svg.spark polyline`).waitFor();
      // Opening the link (and prefetching it, as chat apps do) changed nothing.
      expect((await fetch(link!)).status).toBe(200);
      expect(await alertState(id)).toMatchObject({ state: 'firing', acknowledgedBy: null });
      const card = page.locator(`#alert-${id}`);
      await expect(card.textContent()).resolves.toContain('1階ロビー');
      await expect(card.textContent()).resolves.toContain('基準 1,000 ppm 以下');
      // an above-limit alert shows its highest value (a below-limit one its lowest)
      await expect(card.locator('.facts > div').first().textContent()).resolves.toBe('最高1,420 ppm');
      await page.screenshot({ path: join(OUT, 'alert-page-390x844-ja.png'), fullPage: true });

      // The name is asked once: not stored yet, so the name field shows.
      await page.locator(`#alert-${id} input[name="by"]`).fill('施設係 山田');
      await page.locator(`#alert-${id} input[name="comment"]`).fill('窓を開けました');
      await page.locator(`#alert-${id} .ack-btn`).click();
      await waitFor(() => of('acknowledged').length === 1, 10_000, 'the acknowledgement webhook');
      expect(of('acknowledged')[0]!.title).toContain('施設係 山田さんが確認しました');
      expect(await alertState(id)).toMatchObject({ state: 'acknowledged', acknowledgedBy: '施設係 山田' });
      await page.locator(`#alert-${id}.is-acked`).waitFor();
      await expect(page.locator(`#alert-${id}`).textContent()).resolves.toContain('窓を開けました');
      // written to the audit trail under the person's name
      const audit = (await (
        await fetch(`${app.url}/api/audit?action=alert.acknowledge`, {
          headers: { authorization: `Bearer ${ADMIN}` },
        })
      ).json()) as { entries: { actor: string; target: string; detail: { via: string } }[] };
      expect(audit.entries).toEqual([
        expect.objectContaining({
          actor: '施設係 山田',
          target: String(id),
          detail: expect.objectContaining({ via: 'link' }),
        }),
      ]);
      // remembered on this phone
      expect(await page.evaluate(() => localStorage.getItem('kaiteki.name'))).toBe('施設係 山田');

      // Acknowledging again (API client with the admin token) announces nothing new.
      const again = await fetch(`${app.url}/api/alerts/${id}/ack`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ by: 'api' }),
      });
      expect(again.status).toBe(200);

      // A silence from the page: the sensor for 30 minutes, with a reason.
      await page.locator(`#alert-${id} details.silence summary`).click();
      // building protection is never silenced (src/alerts/silences.ts): the form says so
      expect(await page.locator(`#alert-${id} .silence-form .hint.protect`).textContent()).toContain(
        '建物保全の重大アラートは通知を止めても届きます',
      );
      await page.locator(`#alert-${id} select[name="minutes"]`).selectOption('30');
      await page.locator(`#alert-${id} input[name="reason"]`).fill('センサー修理');
      await page.locator(`#alert-${id} .silence-form button[type="submit"]`).click();
      await waitFor(() => of('silenced').length === 1, 10_000, 'the silence webhook');
      // Everything sent after the acknowledgement has arrived: still exactly one acknowledgement notice.
      expect(of('acknowledged')).toHaveLength(1);
      expect(of('silenced')[0]!.title).toContain('センサー env-1');
      const silences = (await (await fetch(`${app.url}/api/silences`)).json()) as {
        active: boolean;
        sensor: string;
        by: string;
      }[];
      expect(silences).toEqual([
        expect.objectContaining({ active: true, sensor: 'env-1', by: '施設係 山田' }),
      ]);
      await page.locator('.silence-row').first().waitFor();
      await page.locator(`#alert-${id} .badge.muted`).waitFor(); // 「通知停止中」 on the alert itself
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(OUT, 'alert-page-390x844-ja-acked.png'), fullPage: true });
      expect(await page.locator('#status.warn').count()).toBe(0);
      expect(errors).toEqual([]);

      // English
      await page.goto(`${link}&lang=en`);
      await page.locator(`#alert-${id}`).waitFor();
      await expect(page.locator(`#alert-${id}`).textContent()).resolves.toContain('Acknowledged');
      await page.screenshot({ path: join(OUT, 'alert-page-390x844-en.png'), fullPage: true });
      // a script error while drawing is caught and shown as a warning, not logged: none may show
      expect(await page.locator('#status.warn').count()).toBe(0);

      // The Slack-style notice, rendered as a chat client would show it.
      const notice: Notice = {
        kind: 'firing',
        lang: 'ja',
        title: firing.title,
        text: firing.text,
        url: firing.url!,
        wallUrl: firing.wallUrl!,
        alert: firing.alert as never,
        alerts: firing.alerts as never,
      };
      writeFileSync(join(OUT, 'slack-notice.json'), JSON.stringify(webhookBody(notice, 'slack'), null, 2));
      await page.setContent(slackMockHtml(webhookBody(notice, 'slack')));
      await page.screenshot({ path: join(OUT, 'slack-notice-390.png'), fullPage: true });
    }, 60_000);

    it('refuses a tampered or expired link with a clear page, and refuses the acknowledgement too', async () => {
      const link = of('firing')[0]!.url!;
      const token = new URL(link).searchParams.get('t')!;
      const last = token.at(-1) === 'A' ? 'B' : 'A';
      const tampered = `${token.slice(0, -1)}${last}`;
      let res = await page.goto(`${app.url}/alerts?t=${tampered}`);
      expect(res?.status()).toBe(403);
      await expect(page.textContent('h1')).resolves.toBe('このリンクは無効です');
      await expect(page.textContent('body')).resolves.toContain('This link is not valid');

      const id = of('firing')[0]!.alert.id;
      const expired = new LinkSigner(Buffer.from(SECRET, 'utf8')).sign([id], Date.now() - 60_000);
      res = await page.goto(`${app.url}/alerts?t=${expired}`);
      expect(res?.status()).toBe(410);
      await expect(page.textContent('h1')).resolves.toBe('このリンクは有効期限が切れています');
      await page.screenshot({ path: join(OUT, 'alert-page-expired.png') });

      // another alert id in a validly signed shape but with the wrong key
      const forged = new LinkSigner(Buffer.from('another key', 'utf8')).sign([id], Date.now() + 3_600_000);
      for (const t of [tampered, expired, forged]) {
        const ack = await fetch(`${app.url}/api/alerts/${id}/ack`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: t, by: 'mallory' }),
        });
        expect(ack.status).toBe(403);
      }
      expect(await alertState(id)).toMatchObject({ acknowledgedBy: '施設係 山田' });
    });
  },
);

describe.skipIf(!CHROMIUM)('a notice held by quiet hours, on the alert page', () => {
  it('shows “held until” with the end of quiet hours, in /api/alerts and on the page', async () => {
    // Quiet hours from an hour ago to two hours from now (JST), whatever time the test runs.
    const hhmm = (ms: number) => new Date(ms + 9 * 3_600_000).toISOString().slice(11, 16);
    const now = Date.now();
    const to = hhmm(now + 2 * 3_600_000);
    const dir = mkdtempSync(join(tmpdir(), 'kaiteki-alert-held-'));
    const rulesFile = join(dir, 'rules.json');
    writeFileSync(
      rulesFile,
      JSON.stringify({
        rules: [
          {
            id: 'comfort.co2',
            category: 'comfort',
            quantity: 'co2',
            above: 1000,
            for: '0s',
            readings: 1,
            when: { hours: 'any' },
          },
        ],
      }),
    );
    const app = await startApp({
      config: testConfig({
        zones: [{ id: 'lobby', name: { ja: '1階ロビー', en: '1F Lobby' }, kind: 'lobby' }],
        alerts: {
          rulesFile,
          groupSeconds: 0,
          quietHours: {
            enabled: true,
            from: hhmm(now - 3_600_000),
            to,
            closedDays: false,
            minSeverity: 'critical',
          },
        },
      }),
      extensions: [createAlerting],
    });
    const browser = await launchChromium();
    try {
      app.ctx.bus.emit('readings', [
        {
          site: 'default',
          zone: 'lobby',
          sensor: 'env-1',
          quantity: 'co2',
          value: 1500,
          ts: Date.now(),
          registered: true,
        },
      ]);
      let held: { heldUntil: string | null; notified: boolean } | undefined;
      await waitFor(
        async () => {
          held = ((await (await fetch(`${app.url}/api/alerts?state=active`)).json()) as (typeof held)[])[0];
          return !!held?.heldUntil;
        },
        10_000,
        'the held notice',
      );
      expect(held!.notified).toBe(false);
      expect(hhmm(Date.parse(held!.heldUntil!))).toBe(to);
      const page = await (
        await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 })
      ).newPage();
      await page.goto(`${app.url}/alerts`);
      await page.locator('.alert .held').waitFor();
      // 「夜間・休日のため 07:30 まで保留中」, with the date when that is not today
      await expect(page.locator('.alert .held dd').textContent()).resolves.toMatch(
        new RegExp(`^夜間・休日のため (\\S+ )?${to} まで保留中$`),
      );
      // read-only without a link: no buttons
      expect(await page.locator('.ack-btn').count()).toBe(0);
      await page.screenshot({ path: join(OUT, 'alert-page-390x844-held.png'), fullPage: true });
    } finally {
      await browser.close();
      await app.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** A Slack-like rendering of Block Kit JSON (section, actions, context), enough to see how a notice reads in chat. */
function slackMockHtml(body: unknown): string {
  const esc = (x: string) => x.replace(/&(?!amp;|lt;|gt;)/g, '&amp;');
  const mrkdwn = (x: string) =>
    esc(x)
      .replace(/\*([^*\n]+)\*/g, '<b>$1</b>')
      .replace(/\n/g, '<br>');
  const blocks = (body as { blocks: Record<string, unknown>[] }).blocks;
  const html = blocks
    .map((b) => {
      if (b.type === 'section') return `<div class="sec">${mrkdwn((b.text as { text: string }).text)}</div>`;
      if (b.type === 'context')
        return `<div class="ctx">${(b.elements as { text: string }[]).map((e) => mrkdwn(e.text)).join(' ')}</div>`;
      if (b.type === 'actions')
        return `<div class="act">${(b.elements as { text: { text: string }; style?: string }[])
          .map((e) => `<span class="btn ${e.style ?? ''}">${esc(e.text.text)}</span>`)
          .join('')}</div>`;
      return '';
    })
    .join('');
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><style>
    body{margin:0;font:15px/1.46 "Noto Sans CJK JP",sans-serif;color:#1d1c1d;background:#fff}
    .msg{display:flex;gap:8px;padding:12px 12px 16px}
    .av{width:36px;height:36px;border-radius:6px;background:#12263f;color:#fff;font-weight:700;display:flex;align-items:center;justify-content:center;flex:none}
    .name{font-weight:900}.app{font-size:10px;background:#e8e8e8;border-radius:3px;padding:0 3px;margin-left:4px;color:#555}
    .time{color:#616061;font-size:12px;margin-left:6px}
    .sec{margin:4px 0;word-break:break-word}.ctx{color:#616061;font-size:12px;margin-top:6px}
    .act{display:flex;flex-wrap:wrap;gap:8px;margin-top:8px}
    .btn{border:1px solid #ddd;border-radius:4px;padding:4px 12px;font-weight:700;font-size:14px}
    .btn.primary{background:#007a5a;color:#fff;border-color:#007a5a}.btn.danger{background:#e01e5a;color:#fff;border-color:#e01e5a}
  </style></head><body><div class="msg"><div class="av">快</div><div><div><span class="name">Kaiteki</span><span class="app">アプリ</span><span class="time">10:05</span></div>${html}</div></div></body></html>`;
}
