import type { ChannelConfig } from '../alerts/config.js';
import type { Secrets } from '../config/schema.js';
import { KaitekiError } from '../core/errors.js';
import { child, type Logger } from '../core/log.js';
import { EmailNotifier } from './email.js';
import { LogNotifier } from './log.js';
import type { Notifier } from './notifier.js';
import { styleForUrl, WebhookNotifier } from './webhook.js';

export interface ProviderDeps {
  secrets: Secrets;
  log: Logger;
  timeoutMs: number;
}

export type ProviderFactory = (cfg: ChannelConfig, deps: ProviderDeps) => Notifier;

/**
 * Notification providers by type, Uptime Kuma style: one file per provider,
 * registered here. Registering a type twice, or two channels with one name,
 * is a start-up error.
 */
export class NotifierRegistry {
  private readonly providers = new Map<string, ProviderFactory>();

  register(type: string, factory: ProviderFactory): this {
    if (this.providers.has(type)) throw new KaitekiError(`notifier provider "${type}" is already registered`);
    this.providers.set(type, factory);
    return this;
  }

  types(): string[] {
    return [...this.providers.keys()];
  }

  /**
   * Builds the channels: `log` always, each configured channel, and a
   * `webhook` channel from KAITEKI_WEBHOOK_URL when no webhook is configured.
   */
  build(channels: readonly ChannelConfig[], deps: ProviderDeps): Map<string, Notifier> {
    const list: ChannelConfig[] = [...channels];
    const url = deps.secrets.webhookUrl;
    if (url && !list.some((c) => c.type === 'webhook')) {
      list.push({ type: 'webhook', name: 'webhook', url, style: styleForUrl(url) });
    }
    const out = new Map<string, Notifier>([['log', new LogNotifier('log', child(deps.log, 'notify'))]]);
    for (const c of list) {
      if (out.has(c.name)) throw new KaitekiError(`notification channel "${c.name}" is defined twice`);
      const factory = this.providers.get(c.type);
      if (!factory) throw new KaitekiError(`no notifier provider for type "${c.type}"`);
      out.set(c.name, factory(c, deps));
    }
    return out;
  }
}

export function defaultRegistry(): NotifierRegistry {
  return new NotifierRegistry()
    .register('webhook', (c, d) => {
      if (c.type !== 'webhook') throw new KaitekiError('webhook provider given another channel type');
      const url = c.url ?? d.secrets.webhookUrl;
      if (!url) {
        throw new KaitekiError(
          `webhook channel "${c.name}" has no url: set alerts.channels[].url or KAITEKI_WEBHOOK_URL`,
        );
      }
      return new WebhookNotifier(c.name, url, c.style, d.timeoutMs);
    })
    .register('email', (c, d) => {
      if (c.type !== 'email') throw new KaitekiError('email provider given another channel type');
      return new EmailNotifier(c.name, {
        host: c.host,
        port: c.port,
        secure: c.secure,
        from: c.from,
        to: c.to,
        ...(c.username ? { username: c.username } : {}),
        ...(d.secrets.smtpPassword ? { password: d.secrets.smtpPassword } : {}),
        timeoutMs: d.timeoutMs,
      });
    });
}
