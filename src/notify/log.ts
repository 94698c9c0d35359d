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
    };
    if (n.kind !== 'resolved' && n.alert.severity === 'critical') this.log.warn(fields, n.title);
    else this.log.info(fields, n.title);
  }
}
