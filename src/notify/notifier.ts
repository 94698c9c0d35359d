import type { AlertJson } from '../alerts/alert.js';
import type { SilenceJson } from '../alerts/silences.js';

/** Notices about an alert's own course. */
export type AlertNoticeKind = 'firing' | 'reminder' | 'escalated' | 'resolved';
/** …and announcements of what people did about it. */
export type NoticeKind = AlertNoticeKind | 'acknowledged' | 'silenced';

/** One message about one alert, or one group of alerts of one rule, already rendered in the configured language. */
export interface Notice {
  kind: NoticeKind;
  lang: 'ja' | 'en';
  /** one line: `【警告】1階ロビー CO2 1,250 ppm（基準 1,000 ppm 以下）が15分継続` */
  title: string;
  /** several lines: what, where, value against the limit, since when, what to do, links */
  text: string;
  /** the alert page for these alerts, with a signed expiring token (acknowledge and silence from a phone) */
  url?: string;
  /** the wall dashboard */
  wallUrl?: string;
  /** the first alert of the notice (the only one unless grouped) */
  alert: AlertJson;
  /** every alert the notice is about (grouped notices name several zones) */
  alerts: AlertJson[];
  /** acknowledged / silenced: who, and their comment or reason */
  by?: string;
  comment?: string;
  silence?: SilenceJson;
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
