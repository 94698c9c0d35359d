import type { Logger } from '../core/log.js';
import { BaseNotifier, type Notice } from './notifier.js';

/** Writes every notice to the log (always on: the record of what was announced). */
export class LogNotifier extends BaseNotifier {
  readonly type = 'log';
  constructor(
    name: string,
    private readonly log: Logger,
  ) {
    super(name);
  }

  async send(n: Notice): Promise<void> {
    const fields = {
      alert: n.alert.id,
      rule: n.alert.rule,
      event: n.kind,
      severity: n.alert.severity,
      zone: n.alert.zone,
      ...(n.alerts.length > 1
        ? { alerts: n.alerts.map((a) => a.id), zones: n.alerts.map((a) => a.zone) }
        : {}),
    };
    const course = n.kind === 'firing' || n.kind === 'reminder' || n.kind === 'escalated';
    if (course && n.alert.severity === 'critical') this.log.warn(fields, n.title);
    else this.log.info(fields, n.title);
  }
}
