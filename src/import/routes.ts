import express, { type Router } from 'express';
import { type AuditLog, auditFrom } from '../audit/audit.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { LatestCache } from '../core/latest.js';
import type { Logger } from '../core/log.js';
import { requireAdmin } from '../http/auth.js';
import type { Inventory } from '../inventory/inventory.js';
import type { RollupService } from '../store/rollup-service.js';
import type { DurableSink } from '../store/store.js';
import { ImportFileError } from './errors.js';
import type { ImportSummary, ImportTarget } from './importer.js';

/** Largest file the HTTP import takes (a year of one-minute readings of 50 series is ~1 GB of CSV: split it by month). */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024;

export interface ImportRouteDeps {
  config: Config;
  inventory: Inventory;
  /** ingest's durable acceptance step (the embedded store, or the outbox in front of InfluxDB) */
  sink: DurableSink;
  latest: LatestCache;
  rollups: Pick<RollupService, 'touch' | 'reachMs'>;
  clock: Clock;
  log: Logger;
  audit?: AuditLog | undefined;
  adminToken: string | undefined;
}

/** The in-process import target: durable through ingest's sink, rollups through the running rollup service. */
export function serviceImportTarget(deps: Omit<ImportRouteDeps, 'adminToken' | 'audit'>): ImportTarget {
  return {
    write: async (batch) => {
      deps.sink.acceptSync(batch);
      for (const r of batch) deps.latest.put(r); // only a reading newer than the latest one replaces it
    },
    reachMs: (r) => deps.rollups.reachMs(r),
    rollups: (touched, onProgress) => deps.rollups.touch(touched, onProgress),
  };
}

/**
 * `POST /api/import` (admin token): the body is a CSV or XLSX file of past
 * readings (`kaiteki import` documents the columns), imported in-process so
 * the running service serves the new readings and rollups at once.
 * `?dryRun=1` validates only; `?encoding=shift_jis` overrides detection;
 * `X-Filename` names the file in the audit trail. Answers the summary
 * (counts, rejected rows with line numbers); 400 for a file that cannot be
 * read; 409 while another import runs. Imported readings raise no alerts.
 */
export function importRouter(deps: ImportRouteDeps): Router {
  const r = express.Router();
  const target = serviceImportTarget(deps);
  let busy = false;
  r.post(
    '/import',
    requireAdmin(deps.adminToken),
    express.raw({ type: () => true, limit: MAX_IMPORT_BYTES }),
    async (req, res) => {
      if (busy) {
        res.status(409).json({ error: 'another import is running; try again when it is done' });
        return;
      }
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (body.length === 0) {
        res.status(400).json({ error: 'send the CSV or XLSX file as the request body' });
        return;
      }
      const dryRun = ['1', 'true', 'yes'].includes(String(req.query.dryRun ?? req.query['dry-run'] ?? ''));
      const encoding = typeof req.query.encoding === 'string' ? req.query.encoding : undefined;
      const file = fileName(req.get('x-filename'));
      busy = true;
      // readings durably written so far: what a failed import leaves behind, for the audit trail
      let written = 0;
      const counted: ImportTarget = {
        ...target,
        write: async (batch) => {
          await target.write(batch);
          written += batch.length;
        },
      };
      let summary: ImportSummary | undefined;
      let failure: unknown;
      try {
        // loaded on first use: the CSV/XLSX readers are not paid for by a service that never imports
        const { importReadings } = await import('./importer.js');
        summary = await importReadings(body, counted, {
          config: deps.config,
          inventory: deps.inventory,
          now: deps.clock.now(),
          dryRun,
          ...(encoding ? { encoding } : {}),
          onProgress: progressLog(deps.log, file),
        });
        deps.log.info({ file, ...summary, rejections: summary.rejections.length }, 'import done');
      } catch (err) {
        failure = err;
        if (!(err instanceof ImportFileError))
          deps.log.error({ file, err: errorMessage(err), written }, 'import failed');
      } finally {
        busy = false;
        // every attempt is recorded, the failed ones too (a failure may have stored some batches)
        deps.audit?.record({
          ...auditFrom(req),
          action: 'readings.import',
          target: file,
          detail: summary
            ? {
                outcome: 'ok',
                dryRun,
                rows: summary.rows,
                accepted: summary.accepted,
                rejected: summary.rejected,
                from: summary.from,
                to: summary.to,
              }
            : { outcome: 'failed', dryRun, accepted: written, error: errorMessage(failure) },
        });
      }
      if (summary) {
        const { describeImport } = await import('./importer.js');
        res.json({ ...summary, text: describeImport(summary, file) });
      } else if (failure instanceof ImportFileError) {
        res.status(400).json({ error: failure.message });
      } else {
        res.status(503).json({ error: `import failed: ${errorMessage(failure)}` });
      }
    },
  );
  return r;
}

/** The X-Filename header (URI-encoded by `kaiteki import`, so Japanese names survive), for logs and the audit trail. */
function fileName(header: string | undefined): string {
  if (!header) return 'upload';
  try {
    return decodeURIComponent(header).slice(0, 200);
  } catch {
    return header.slice(0, 200);
  }
}

/** A log line per 10 % of a large import (rows, then rollups), so an operator can follow it. */
function progressLog(log: Logger, file: string) {
  const last = { rows: 0, rollups: 0 };
  return (phase: 'rows' | 'rollups', done: number, total: number) => {
    if (total < 50_000 && phase === 'rows') return;
    const decile = Math.floor((10 * done) / Math.max(1, total));
    if (decile <= last[phase]) return;
    last[phase] = decile;
    log.info({ file, phase, done, total }, `import ${phase} ${decile * 10} %`);
  };
}
