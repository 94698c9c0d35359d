import { KaitekiError } from '../core/errors.js';

/**
 * Why a remote write failed, which decides what the drainer does with the batch:
 * - `unavailable` (network, timeout, 5xx incl. 1.6's 500 "engine: error syncing wal"): back off, retry the same batch;
 * - `throttled` (429, 503 with Retry-After): wait `retryAfterMs`, retry;
 * - `auth` (401/403, unknown database/bucket 404): retry slowly, health shows it; the data is fine, the setup is not;
 * - `data` (400/413/422): some point in the batch is bad or the batch is too big: split it, keep the bad point aside.
 */
export type WriteFailure = 'unavailable' | 'throttled' | 'auth' | 'data';

export class StoreWriteError extends KaitekiError {
  readonly failure: WriteFailure;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    opts: { failure: WriteFailure; status?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, {
      cause: opts.cause,
      retryable: opts.failure === 'unavailable' || opts.failure === 'throttled',
    });
    this.failure = opts.failure;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** Classifies an HTTP status (undefined = no response: network error or timeout). */
export function failureOf(status: number | undefined): WriteFailure {
  if (status === undefined) return 'unavailable';
  if (status === 429) return 'throttled';
  if (status === 401 || status === 403 || status === 404) return 'auth';
  if (status === 400 || status === 413 || status === 422) return 'data';
  if (status >= 500) return 'unavailable';
  return 'data';
}

/** `Retry-After` header (seconds or HTTP date) in ms, capped at 5 minutes. */
export function parseRetryAfter(
  header: string | string[] | undefined | null,
  now = Date.now(),
): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || v === null || v === '') return undefined;
  const secs = Number(v);
  const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(v) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, ms), 300_000);
}
