import { type Request, type Response, Router } from 'express';
import type { Clock } from '../core/clock.js';
import { errorMessage, KaitekiError } from '../core/errors.js';
import { fiscalYearOf } from '../core/jst.js';
import type { Logger } from '../core/log.js';
import { REPORT_FORMATS, type ReportFormat } from './config.js';
import {
  CONTENT_TYPES,
  generateReport,
  type ReportSources,
  renderReport,
  reportFileNames,
} from './generate.js';
import { admitPdf } from './pdf.js';

/** `attachment; filename="ascii"; filename*=UTF-8''…` (RFC 6266 / RFC 5987). */
export function contentDisposition(ja: string, ascii: string, inline = false): string {
  const encoded = encodeURIComponent(ja).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii.replace(/["\\]/g, '_')}"; filename*=UTF-8''${encoded}`;
}

/**
 * `GET /reports/eco?fy=2026&format=xlsx|csv|html|pdf` (mounted under /api).
 * `fy` defaults to the current fiscal year (a year-to-date report up to the
 * current hour); a year not yet begun or a bad parameter is a 400.
 */
export function reportRouter(src: ReportSources & { log: Logger; clock: Clock }): Router {
  const router = Router();
  router.get('/reports/eco', async (req: Request, res: Response) => {
    const fyText = typeof req.query.fy === 'string' ? req.query.fy : undefined;
    const format = (typeof req.query.format === 'string' ? req.query.format : 'xlsx') as ReportFormat;
    const fy = fyText === undefined ? fiscalYearOf(src.clock.now()) : Number(fyText);
    if (!Number.isInteger(fy) || fy < 2000 || fy > 2100) {
      res.status(400).json({ error: `fy must be a fiscal year like 2026, got ${JSON.stringify(fyText)}` });
      return;
    }
    if (!REPORT_FORMATS.includes(format)) {
      res
        .status(400)
        .json({ error: `format must be one of ${REPORT_FORMATS.join(', ')}, got ${JSON.stringify(format)}` });
      return;
    }
    // PDF: one Chromium prints one report at a time; a short queue, then 429 (docs/security.md)
    const slot = format === 'pdf' ? admitPdf() : undefined;
    if (slot && 'retryAfterSeconds' in slot) {
      res.setHeader('Retry-After', String(slot.retryAfterSeconds));
      res.status(429).json({
        error: 'the PDF printer is busy; try again shortly',
        retryAfterSeconds: slot.retryAfterSeconds,
      });
      return;
    }
    try {
      const report = await generateReport(src, { fy });
      const body = await renderReport(report, format);
      const names = reportFileNames(report, format);
      res.setHeader('Content-Type', CONTENT_TYPES[format]);
      res.setHeader('Content-Disposition', contentDisposition(names.ja, names.ascii, format === 'html'));
      res.setHeader('Cache-Control', 'no-store');
      res.send(body);
    } catch (err) {
      const known = err instanceof KaitekiError;
      const status = known && /has not started/.test(err.message) ? 400 : 500;
      if (status === 500) src.log.error({ err: errorMessage(err), fy, format }, 'eco report failed');
      res.status(status).json({ error: errorMessage(err) });
    } finally {
      slot?.release();
    }
  });
  return router;
}
