import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { KaitekiError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { Metrics } from '../../src/core/metrics.js';
import { Dispatcher } from '../../src/notify/dispatcher.js';
import { renderNotice } from '../../src/notify/messages.js';
import { BaseNotifier, type Notice } from '../../src/notify/notifier.js';
import { routeChannels } from '../../src/notify/policy.js';
import { NotifierRegistry } from '../../src/notify/registry.js';
import { webhookBody } from '../../src/notify/webhook.js';

class Flaky extends BaseNotifier {
  readonly type = 'flaky';
  calls = 0;
  constructor(
    name: string,
    private readonly failures: number,
    private readonly retryable = true,
  ) {
    super(name);
  }
  async send(): Promise<void> {
    this.calls++;
    if (this.calls <= this.failures) throw new KaitekiError('down', { retryable: this.retryable });
  }
}

const alert: Alert = {
  id: 1,
  ruleId: 'comfort.co2',
  kind: 'threshold',
  category: 'comfort',
  severity: 'warning',
  state: 'firing',
  subject: 's',
  site: 'takatsu',
  zone: 'lobby',
  quantity: 'co2',
  openedAt: 0,
  firedAt: 0,
  value: 1200,
  peak: 1200,
  limit: { above: 1000 },
  notifyCount: 0,
  resolvedNotified: false,
};
const notice: Notice = renderNotice([alert], 'firing', { lang: 'ja', now: 600_000 });

async function counts(m: Metrics) {
  const v = (await m.registry.getSingleMetric('kaiteki_notify_sent_total')?.get())?.values ?? [];
  return Object.fromEntries(v.map((x) => [`${x.labels.channel}:${x.labels.result}`, x.value]));
}

describe('dispatcher', () => {
  it('retries with backoff a bounded number of times, counting every outcome, without blocking the caller', async () => {
    const m = new Metrics();
    const ok = new Flaky('recovers', 2);
    const dead = new Flaky('dead', 99);
    const d = new Dispatcher(
      new Map([
        ['recovers', ok],
        ['dead', dead],
      ]),
      { attempts: 3, backoffMs: 5 },
      silentLogger,
      m,
    );
    const t0 = performance.now();
    d.send(notice, ['recovers', 'dead', 'unknown']);
    expect(performance.now() - t0).toBeLessThan(5);
    await d.drain();
    expect([ok.calls, dead.calls]).toEqual([3, 3]);
    expect(await counts(m)).toEqual({
      'recovers:retry': 2,
      'recovers:ok': 1,
      'dead:retry': 2,
      'dead:failed': 1,
    });
  });

  it('does not retry a non-retryable error', async () => {
    const m = new Metrics();
    const bad = new Flaky('bad', 99, false);
    const d = new Dispatcher(new Map([['bad', bad]]), { attempts: 5, backoffMs: 1 }, silentLogger, m);
    d.send(notice, ['bad']);
    await d.drain();
    expect(bad.calls).toBe(1);
    expect(await counts(m)).toEqual({ 'bad:failed': 1 });
  });
});

describe('registry and routing', () => {
  it('refuses a provider registered twice and two channels with one name', () => {
    const r = new NotifierRegistry().register('webhook', (c) => new Flaky(c.name, 0));
    expect(() => r.register('webhook', (c) => new Flaky(c.name, 0))).toThrow(/already registered/);
    const deps = { secrets: {}, log: silentLogger, timeoutMs: 1000 };
    const ch = { type: 'webhook' as const, name: 'chat', url: 'http://x/', style: 'generic' as const };
    expect(() => r.build([ch, ch], deps)).toThrow(/defined twice/);
    expect([...r.build([ch], deps).keys()]).toEqual(['log', 'chat']);
    expect([
      ...r.build([], { ...deps, secrets: { webhookUrl: 'https://hooks.slack.com/x' } }).keys(),
    ]).toEqual(['log', 'webhook']);
  });

  it('routes by category, severity and zone; the log always', () => {
    const routes = [
      { categories: ['service' as const], minSeverity: 'info' as const, channels: ['counter-chat'] },
      { minSeverity: 'critical' as const, channels: ['mail'] },
      { zones: ['office'], minSeverity: 'info' as const, channels: ['office-chat'] },
    ];
    const all = ['log', 'counter-chat', 'mail', 'office-chat'];
    expect(
      routeChannels({ category: 'service', severity: 'warning', zone: 'kumin-counter' }, routes, all),
    ).toEqual(['log', 'counter-chat']);
    expect(routeChannels({ category: 'comfort', severity: 'critical', zone: 'office' }, routes, all)).toEqual(
      ['log', 'mail', 'office-chat'],
    );
    expect(routeChannels({ category: 'comfort', severity: 'critical', zone: 'office' }, [], all)).toEqual(
      all,
    );
  });

  it('webhook bodies for Slack and Teams', () => {
    const slack = webhookBody({ ...notice, title: 'a <b> & c' }, 'slack') as {
      text: string;
      blocks: unknown[];
    };
    expect(slack.text).toBe('a &lt;b&gt; &amp; c');
    expect(slack.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*a &lt;b&gt; &amp; c*' },
    });
    const teams = webhookBody(notice, 'teams') as {
      attachments: { contentType: string; content: { body: { text: string }[] } }[];
    };
    expect(teams.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(teams.attachments[0]!.content.body[0]!.text).toBe(notice.title);
  });
});
