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
 * POSTs a JSON body to a URL: `generic` (the whole notice and alert),
 * `slack` (incoming webhook `{text}`) or `teams` (a Workflows/Power Automate
 * webhook taking an Adaptive Card). 5xx, 429 and network errors are
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
  switch (style) {
    case 'slack':
      return { text: escapeSlack(n.text) };
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
                ...n.text
                  .split('\n')
                  .slice(1)
                  .map((line) => ({ type: 'TextBlock', text: line, wrap: true, spacing: 'None' })),
              ],
              ...(n.ackUrl
                ? {
                    actions: [
                      {
                        type: 'Action.OpenUrl',
                        title: n.lang === 'ja' ? 'アラートを開く' : 'Open alert',
                        url: n.ackUrl.replace(/\/ack$/, ''),
                      },
                    ],
                  }
                : {}),
            },
          },
        ],
      };
    default:
      return {
        event: n.kind,
        title: n.title,
        text: n.text,
        colour: `#${n.kind === 'resolved' ? COLOURS.resolved : COLOURS[n.alert.severity]}`,
        ackUrl: n.ackUrl ?? null,
        alert: n.alert,
      };
  }
}

function teamsColour(n: Notice): string {
  if (n.kind === 'resolved') return 'Good';
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
