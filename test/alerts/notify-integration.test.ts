import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/notify/registry.js';
import { harness } from './harness.js';

const MIN = 60_000;

interface Mail {
  subject: string;
  body: string;
}

describe('notifications to a real webhook receiver and SMTP server', () => {
  let http: Server;
  let smtp: SMTPServer;
  let webhookUrl = '';
  let smtpPort = 0;
  const hooks: Record<string, unknown>[] = [];
  const mails: Mail[] = [];
  let failNext = 0;

  beforeAll(async () => {
    http = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString('utf8');
      });
      req.on('end', () => {
        if (failNext > 0) {
          failNext--;
          res.writeHead(503).end();
          return;
        }
        hooks.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    webhookUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`;
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, cb) {
        let raw = '';
        stream.on('data', (d: Buffer) => {
          raw += d.toString('utf8');
        });
        stream.on('end', () => {
          const [head, ...rest] = raw.split(/\r?\n\r?\n/);
          const subject = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(head ?? '')?.[1] ?? '';
          mails.push({ subject: decodeMime(subject), body: decodeQuotedPrintable(rest.join('\n\n')) });
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    smtpPort = (smtp.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((r) => http.close(r));
    await new Promise<void>((r) => smtp.close(() => r()));
  });

  it('exactly one message per incident, one reminder after the repeat interval, one resolved notice — on both channels', async () => {
    const h = await harness({
      registry: defaultRegistry(),
      env: { KAITEKI_WEBHOOK_URL: webhookUrl },
      alerts: {
        repeatMinutes: 30,
        publicUrl: 'https://kaiteki.example.jp',
        retry: { attempts: 3, backoffMs: 10, timeoutMs: 2000 },
        channels: [
          {
            type: 'email',
            name: 'facilities-mail',
            host: '127.0.0.1',
            port: smtpPort,
            from: 'kaiteki@example.jp',
            to: ['facilities@example.jp'],
          },
        ],
      },
    });
    try {
      failNext = 1; // the first webhook delivery fails once and is retried
      const step = async (value: number, minutes: number) => {
        for (let i = 0; i < minutes; i++) {
          h.read('co2', value);
          h.advance(MIN);
        }
        await h.alerting.drain();
      };
      await step(1250, 8);
      expect(hooks.map((b) => b.event)).toEqual(['firing']);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.subject).toMatch(
        /^【警告】1階ロビー CO2 1,250 ppm（基準 1,000 ppm 以下）が\d+分継続$/,
      );
      // e-mail and webhook both point to the signed alert page, not to an API route
      expect(mails[0]!.body).toMatch(/https:\/\/kaiteki\.example\.jp\/alerts\?t=\d+\.\d+\.[\w-]{43}/);
      expect(mails[0]!.body).not.toContain('/api/alerts');
      expect(hooks[0]).toMatchObject({
        url: expect.stringMatching(/^https:\/\/kaiteki\.example\.jp\/alerts\?t=/),
        wallUrl: 'https://kaiteki.example.jp/',
        alert: { zone: 'lobby', state: 'firing' },
      });
      await step(1250, 30);
      expect(hooks.map((b) => b.event)).toEqual(['firing', 'reminder']);
      expect(mails).toHaveLength(2);
      await step(800, 10);
      await step(800, 60);
      expect(hooks.map((b) => b.event)).toEqual(['firing', 'reminder', 'resolved']);
      expect(mails.map((m) => m.subject.slice(0, 4))).toEqual(['【警告】', '【警告・', '【解消】']);
      const sent = await h.ctx.metrics.registry.getSingleMetric('kaiteki_notify_sent_total')?.get();
      const count = (channel: string, result: string) =>
        sent?.values.find((v) => v.labels.channel === channel && v.labels.result === result)?.value ?? 0;
      expect(count('webhook', 'retry')).toBe(1);
      expect(count('webhook', 'ok')).toBe(3);
      expect(count('facilities-mail', 'ok')).toBe(3);
    } finally {
      await h.close();
    }
  });
});

/** Decodes RFC 2047 encoded words (`=?UTF-8?B?…?=` / `?Q?`) in a header value. */
function decodeMime(s: string): string {
  return s
    .replace(/\r?\n[ \t]/g, '')
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9a-f]{2})/gi, (_x, hex: string) =>
                String.fromCharCode(Number.parseInt(hex, 16)),
              ),
            'latin1',
          ).toString('utf8'),
    );
}

function decodeQuotedPrintable(s: string): string {
  const bytes = s
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
