import { KaitekiError } from '../core/errors.js';
import { BaseNotifier, type Notice } from './notifier.js';

export type WebhookStyle = 'generic' | 'slack' | 'teams';

const COLOURS: Record<string, string> = {
  info: '2196F3',
  warning: 'FFC107',
  critical: 'E53935',
  resolved: '43A047',
};

/**
 * POSTs a JSON body to a URL: `generic` (the whole notice and its alerts),
 * `slack` (incoming webhook: Block Kit with an "open" button to the signed
 * alert page) or `teams` (a Workflows/Power Automate webhook taking an
 * Adaptive Card with the same buttons). 5xx, 429 and network errors are
 * retryable; other 4xx are not (the URL or body is wrong).
 */
export class WebhookNotifier extends BaseNotifier {
  readonly type = 'webhook';
  constructor(
    name: string,
    private readonly url: string,
    private readonly style: WebhookStyle,
    private readonly timeoutMs: number,
  ) {
    super(name);
  }

  async send(notice: Notice): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(webhookBody(notice, this.style)),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new KaitekiError(`webhook ${this.name}: request failed`, { cause: err, retryable: true });
    }
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) {
      throw new KaitekiError(`webhook ${this.name}: HTTP ${res.status}`, {
        retryable: res.status >= 500 || res.status === 429 || res.status === 408,
      });
    }
  }
}

export function webhookBody(n: Notice, style: WebhookStyle): unknown {
  const ja = n.lang === 'ja';
  const lines = n.text.split('\n').slice(1);
  // Links get buttons; the plain text keeps them too (e-mail, clients without buttons).
  const body = lines.filter((l) => !l.startsWith('▶'));
  const button =
    n.kind === 'resolved'
      ? ja
        ? 'アラートを開く'
        : 'Open alert'
      : ja
        ? '開いて確認する'
        : 'Open and acknowledge';
  const wall = ja ? '壁面ダッシュボード' : 'Wall dashboard';
  switch (style) {
    case 'slack':
      return {
        text: escapeSlack(n.title),
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: `*${escapeSlack(n.title)}*` } },
          {
            type: 'section',
            text: { type: 'mrkdwn', text: escapeSlack(body.filter((l) => !isIdLine(l)).join('\n')) || ' ' },
          },
          ...(n.url || n.wallUrl
            ? [
                {
                  type: 'actions',
                  elements: [
                    ...(n.url
                      ? [
                          {
                            type: 'button',
                            text: { type: 'plain_text', text: button },
                            url: n.url,
                            ...(n.kind === 'resolved' || n.kind === 'acknowledged' || n.kind === 'silenced'
                              ? {}
                              : { style: n.alert.severity === 'critical' ? 'danger' : 'primary' }),
                          },
                        ]
                      : []),
                    ...(n.wallUrl
                      ? [{ type: 'button', text: { type: 'plain_text', text: wall }, url: n.wallUrl }]
                      : []),
                  ],
                },
              ]
            : []),
          ...body.filter(isIdLine).map((l) => ({
            type: 'context',
            elements: [{ type: 'mrkdwn', text: escapeSlack(l) }],
          })),
        ],
      };
    case 'teams':
      return {
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: {
              $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
              type: 'AdaptiveCard',
              version: '1.4',
              msteams: { width: 'Full' },
              body: [
                { type: 'TextBlock', text: n.title, weight: 'Bolder', wrap: true, color: teamsColour(n) },
                ...body.map((line) => ({
                  type: 'TextBlock',
                  text: line,
                  wrap: true,
                  spacing: 'None',
                  ...(isIdLine(line) ? { isSubtle: true, size: 'Small' } : {}),
                })),
              ],
              actions: [
                ...(n.url ? [{ type: 'Action.OpenUrl', title: button, url: n.url }] : []),
                ...(n.wallUrl ? [{ type: 'Action.OpenUrl', title: wall, url: n.wallUrl }] : []),
              ],
            },
          },
        ],
      };
    default:
      return {
        event: n.kind,
        title: n.title,
        text: n.text,
        colour: `#${n.kind === 'resolved' || n.kind === 'acknowledged' ? COLOURS.resolved : COLOURS[n.alert.severity]}`,
        url: n.url ?? null,
        wallUrl: n.wallUrl ?? null,
        by: n.by ?? null,
        comment: n.comment ?? null,
        ...(n.silence ? { silence: n.silence } : {}),
        alert: n.alert,
        alerts: n.alerts,
      };
  }
}

/** The last line: sensor, rule and alert ids, for whoever needs them. */
function isIdLine(line: string): boolean {
  return /^[（(](sensor |rule |センサー |ルール )/.test(line);
}

function teamsColour(n: Notice): string {
  if (n.kind === 'resolved' || n.kind === 'acknowledged') return 'Good';
  return n.alert.severity === 'critical'
    ? 'Attention'
    : n.alert.severity === 'warning'
      ? 'Warning'
      : 'Default';
}

/** Slack treats &, < and > as control characters in text. */
function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Picks the body style from a well-known URL when none is configured. */
export function styleForUrl(url: string): WebhookStyle {
  if (/hooks\.slack\.com/.test(url)) return 'slack';
  if (/(webhook\.office\.com|logic\.azure\.com|powerplatform\.com)/.test(url)) return 'teams';
  return 'generic';
}
