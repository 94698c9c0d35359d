import { errorMessage, KaitekiError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { Notice, Notifier } from './notifier.js';

export interface RetryOptions {
  attempts: number;
  backoffMs: number;
}

/**
 * Sends notices to channels in the background: `send` returns at once and
 * never throws, so a slow or broken channel never blocks rule evaluation.
 * Each failed attempt is retried with exponential backoff (backoffMs, ×2 …)
 * up to `attempts` in all unless the error is not retryable; every outcome is
 * counted (`kaiteki_notify_sent_total{channel,result}`) and failures logged.
 * At most `maxInFlight` sends wait at once; beyond that notices are dropped
 * and counted (a dead SMTP server must not grow memory without bound).
 */
export class Dispatcher {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private readonly sent;
  private readonly seconds;

  constructor(
    private readonly notifiers: ReadonlyMap<string, Notifier>,
    private readonly retry: RetryOptions,
    private readonly log: Logger,
    metrics: Metrics,
    private readonly maxInFlight = 1000,
  ) {
    this.sent = metrics.counter('kaiteki_notify_sent_total', 'Notification attempts by channel and result', [
      'channel',
      'result',
    ]);
    this.seconds = metrics.histogram('kaiteki_notify_seconds', 'Time to deliver a notice, retries included', [
      'channel',
    ]);
  }

  channels(): string[] {
    return [...this.notifiers.keys()];
  }

  send(notice: Notice, channels: readonly string[]): void {
    for (const name of channels) {
      const n = this.notifiers.get(name);
      if (!n) continue;
      if (this.stopped || this.inFlight.size >= this.maxInFlight) {
        this.sent.inc({ channel: name, result: 'dropped' });
        this.log.error({ channel: name, alert: notice.alert.id }, 'notice dropped: too many sends waiting');
        continue;
      }
      const p = this.deliver(n, notice).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }

  /** Waits for every send under way (retries included). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops retrying (pending backoffs give up), waits for sends under way, closes the channels. */
  async close(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) {
      clearTimeout(t);
      (t as unknown as { wake?: () => void }).wake?.();
    }
    await this.drain();
    for (const n of this.notifiers.values()) await n.close().catch(() => undefined);
  }

  private async deliver(n: Notifier, notice: Notice): Promise<void> {
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await n.send(notice);
        this.sent.inc({ channel: n.name, result: 'ok' });
        this.seconds.observe({ channel: n.name }, (performance.now() - started) / 1000);
        return;
      } catch (err) {
        const retryable = err instanceof KaitekiError ? err.retryable : true;
        const fields = {
          channel: n.name,
          alert: notice.alert.id,
          event: notice.kind,
          attempt,
          err: errorMessage(err),
        };
        if (!retryable || attempt >= this.retry.attempts || this.stopped) {
          this.sent.inc({ channel: n.name, result: 'failed' });
          this.log.error(fields, 'notice could not be delivered');
          return;
        }
        this.sent.inc({ channel: n.name, result: 'retry' });
        this.log.warn(fields, 'notice failed; retrying');
        await this.sleep(this.retry.backoffMs * 2 ** (attempt - 1));
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      t.unref();
      Object.assign(t, { wake: resolve });
      this.timers.add(t);
    });
  }
}
