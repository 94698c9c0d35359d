import express, { type Request, type Response, Router } from 'express';
import { type AuditLog, auditFrom } from '../audit/audit.js';
import type { Bus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import { errorMessage, KaitekiError } from '../core/errors.js';
import { fiscalYearOf } from '../core/jst.js';
import type { Logger } from '../core/log.js';
import { requireAdmin } from '../http/auth.js';
import { RECORD_FORMATS, REPORT_FORMATS, type RecordFormat, type ReportFormat } from './config.js';
import {
  CONTENT_TYPES,
  generateReport,
  type ReportSources,
  renderReport,
  reportFileNames,
} from './generate.js';
import { admitPdf } from './pdf.js';
import {
  generateRecord,
  parseRecordPeriod,
  RECORD_CONTENT_TYPES,
  recordFileNames,
  renderRecord,
} from './record/generate.js';
import { calibrationChecks, parseOfficialCsv, saveOfficial } from './record/official.js';

/** CSP of an HTML report: inline styles only, no script, nothing loaded from elsewhere. */
export const REPORT_DOCUMENT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; script-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

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
export function reportRouter(
  src: ReportSources & { log: Logger; clock: Clock; bus?: Bus; adminToken?: string; audit?: AuditLog },
): Router {
  const router = Router();
  // HTML reports are self-contained documents with their own <style> and inline SVG charts, and no
  // script: they get a policy of their own instead of the pages' (which refuses inline styles).
  router.use('/reports', (req, res, next) => {
    if (req.query.format === 'html') res.setHeader('Content-Security-Policy', REPORT_DOCUMENT_CSP);
    next();
  });
  /**
   * `GET /reports/record?from=2026-10&months=2&format=xlsx|csv|html`: the legal
   * air-environment record (空気環境測定記録) for the months from `from`.
   */
  router.get('/reports/record', async (req: Request, res: Response) => {
    const format = (typeof req.query.format === 'string' ? req.query.format : 'xlsx') as RecordFormat;
    if (!RECORD_FORMATS.includes(format)) {
      res
        .status(400)
        .json({ error: `format must be one of ${RECORD_FORMATS.join(', ')}, got ${JSON.stringify(format)}` });
      return;
    }
    let period: { fromMonth: string; months: number };
    try {
      period = parseRecordPeriod(
        typeof req.query.from === 'string' ? req.query.from : undefined,
        typeof req.query.months === 'string' ? req.query.months : undefined,
      );
    } catch (err) {
      res.status(400).json({ error: errorMessage(err) });
      return;
    }
    try {
      const rec = await generateRecord(src, period);
      const names = recordFileNames(rec, format);
      res.setHeader('Content-Type', RECORD_CONTENT_TYPES[format]);
      res.setHeader('Content-Disposition', contentDisposition(names.ja, names.ascii, format === 'html'));
      res.setHeader('Cache-Control', 'no-store');
      res.send(await renderRecord(rec, format));
    } catch (err) {
      const status = err instanceof KaitekiError && /not begun/.test(err.message) ? 400 : 500;
      if (status === 500)
        src.log.error({ err: errorMessage(err), ...period }, 'air-environment record failed');
      res.status(status).json({ error: errorMessage(err) });
    }
  });
  /**
   * `POST /reports/record/official` (admin; body: the official measurement CSV
   * `date,time,zone,item,value`): keeps the values for the record and raises
   * a calibration notice (bus `calibration`) for each sensor that drifts, and
   * bus `calibrated` for each sensor found within tolerance.
   */
  router.post(
    '/reports/record/official',
    requireAdmin(src.adminToken),
    express.text({ type: () => true, limit: '2mb' }),
    async (req: Request, res: Response) => {
      const body = typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : Buffer.alloc(0);
      const parsed = parseOfficialCsv(body, src.config);
      if (parsed.values.length === 0) {
        res
          .status(400)
          .json({ error: 'no official measurement values in the body', rejected: parsed.rejected });
        return;
      }
      try {
        const kept = saveOfficial(src.config, parsed.values);
        const { drifting: needs, within } = await calibrationChecks(src, parsed.values);
        for (const n of needs) src.bus?.emit('calibration', n);
        // a sensor within tolerance resolves its calibration alert (src/alerts)
        for (const n of within) src.bus?.emit('calibrated', n);
        src.audit?.record({
          ...auditFrom(req),
          action: 'report.official',
          target: [
            ...new Set(parsed.values.map((v) => new Date(v.ts + 9 * 3_600_000).toISOString().slice(0, 10))),
          ].join(','),
          detail: { rows: parsed.values.length, rejected: parsed.rejected.length, drifting: needs.length },
        });
        res.json({
          imported: parsed.values.length,
          kept,
          rejected: parsed.rejected,
          calibration: needs,
          calibrated: within,
        });
      } catch (err) {
        src.log.error({ err: errorMessage(err) }, 'official measurement import failed');
        res.status(500).json({ error: errorMessage(err) });
      }
    },
  );
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
