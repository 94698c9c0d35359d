import type { Transporter } from 'nodemailer';
import { KaitekiError } from '../core/errors.js';
import { BaseNotifier, type Notice } from './notifier.js';

export interface EmailOptions {
  host: string;
  port: number;
  secure: boolean;
  from: string;
  to: string[];
  username?: string;
  /** from KAITEKI_SMTP_PASSWORD only */
  password?: string;
  timeoutMs: number;
}

/**
 * Plain-text e-mail over SMTP (nodemailer, one pooled transport). SMTP 4xx
 * replies and connection errors are retryable; 5xx replies are not.
 */
export class EmailNotifier extends BaseNotifier {
  readonly type = 'email';
  private transport?: Transporter;

  constructor(
    name: string,
    private readonly opts: EmailOptions,
  ) {
    super(name);
  }

  async send(notice: Notice): Promise<void> {
    // Loaded on first use (~15 MB): only sites with an e-mail channel pay for it.
    const { default: nodemailer } = await import('nodemailer');
    this.transport ??= nodemailer.createTransport({
      host: this.opts.host,
      port: this.opts.port,
      secure: this.opts.secure,
      ...(this.opts.username ? { auth: { user: this.opts.username, pass: this.opts.password ?? '' } } : {}),
      connectionTimeout: this.opts.timeoutMs,
      greetingTimeout: this.opts.timeoutMs,
      socketTimeout: this.opts.timeoutMs,
    });
    try {
      await this.transport.sendMail({
        from: this.opts.from,
        to: this.opts.to,
        subject: notice.title,
        text: notice.text,
        headers: { 'X-Kaiteki-Alert': String(notice.alert.id), 'X-Kaiteki-Event': notice.kind },
      });
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      throw new KaitekiError(`email ${this.name}: ${code ? `SMTP ${code}` : 'send failed'}`, {
        cause: err,
        retryable: code === undefined || code < 500,
      });
    }
  }

  override async close(): Promise<void> {
    this.transport?.close();
    this.transport = undefined;
  }
}
