import type { AlertJson } from '../alerts/alert.js';

export type NoticeKind = 'firing' | 'reminder' | 'escalated' | 'resolved';

/** One message about one alert, already rendered in the configured language. */
export interface Notice {
  kind: NoticeKind;
  lang: 'ja' | 'en';
  /** one line: `【警告】1階ロビー CO2 1,250 ppm（基準 1,000 ppm 以下）が15分継続` */
  title: string;
  /** several lines: where, value, peak, limit, since when, how to acknowledge */
  text: string;
  /** URL of the acknowledge endpoint (POST with the admin token), when publicUrl is configured */
  ackUrl?: string;
  alert: AlertJson;
}

/**
 * A notification channel (Uptime Kuma style: one file per provider on this
 * small base). `send` resolves once the remote accepted the notice and throws
 * a KaitekiError whose `retryable` says whether sending again may help; it
 * never retries by itself (the dispatcher does, with backoff).
 */
export interface Notifier {
  /** channel name from config (`facilities-chat`), unique */
  readonly name: string;
  /** provider type: `webhook`, `email`, `log` */
  readonly type: string;
  send(notice: Notice): Promise<void>;
  /** releases connections; may be called more than once */
  close(): Promise<void>;
}

/** Base for providers: holds the name; close() is a no-op unless overridden. */
export abstract class BaseNotifier implements Notifier {
  abstract readonly type: string;
  constructor(readonly name: string) {}
  abstract send(notice: Notice): Promise<void>;
  async close(): Promise<void> {}
}
