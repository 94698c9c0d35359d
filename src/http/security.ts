import type { Express, RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Metrics } from '../core/metrics.js';

/**
 * The Content-Security-Policy every page gets: scripts, styles and
 * connections from this server only — no inline script or event handler, no
 * CDN, no framing by other sites. Styles set through the CSSOM (Chart.js) are
 * not affected; `style="…"` attributes and `<style>` blocks are refused.
 */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'self'"],
} as const;

/**
 * Security headers for every response (pages, assets, API): CSP (above),
 * `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` (signed
 * alert-page links must not leak through a Referer), `X-Frame-Options`,
 * cross-origin opener/resource policies. No HSTS and no
 * upgrade-insecure-requests: Kaiteki speaks plain HTTP on the LAN; the TLS
 * reverse proxy in front sets HSTS (docs/security.md).
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { ...CSP_DIRECTIVES } },
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'sameorigin' },
  });
}

export interface RateLimits {
  /** window, seconds */
  windowSeconds: number;
  /** report generation (XLSX, CSV, HTML, PDF) per client per window */
  reports: number;
  /** time-series queries per client per window */
  series: number;
  /** refused admin attempts (401/403) per client per window; beyond, every API call from it is 429 */
  authFailures: number;
}

/**
 * Per-client rate limits (client = `req.ip`, so set `http.trustProxy` when a
 * reverse proxy is in front) on the expensive routes, and a lock-out after
 * repeated wrong admin tokens. Answers 429 with `Retry-After` and
 * `RateLimit-*` headers; each limit hit counts in
 * `kaiteki_http_rate_limited_total{limit}`.
 */
export function applyRateLimits(app: Express, limits: RateLimits, metrics?: Metrics): void {
  const counter = metrics?.counter('kaiteki_http_rate_limited_total', 'Requests refused by a rate limit', [
    'limit',
  ]);
  const windowMs = limits.windowSeconds * 1000;
  const make = (name: string, limit: number, extra: Parameters<typeof rateLimit>[0] = {}) => {
    counter?.inc({ limit: name }, 0);
    return rateLimit({
      windowMs,
      limit,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      handler: (_req, res, _next, options) => {
        counter?.inc({ limit: name });
        res.status(options.statusCode).json({ error: `too many requests (${name}); try again later` });
      },
      ...extra,
    });
  };
  app.use('/api/reports', make('reports', limits.reports));
  app.use('/api/series', make('series', limits.series));
  app.use(
    '/api',
    make('auth_failures', limits.authFailures, {
      // only refused admin attempts count; once over the limit every API request from the client is refused
      requestWasSuccessful: (_req, res) => res.statusCode !== 401 && res.statusCode !== 403,
      skipSuccessfulRequests: true,
    }),
  );
}
