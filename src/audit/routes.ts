import express, { type Router } from 'express';
import { requireAdmin } from '../http/auth.js';
import { parseTime } from '../http/params.js';
import type { AuditLog } from './audit.js';

/**
 * `GET /api/audit` (admin token): the audit trail, newest first.
 * Query: `from`, `to` (ISO, epoch ms or `-7d`), `action`, `actor`, `limit` (≤ 1000), `before` (id, paging).
 */
export function auditRouter(audit: AuditLog, adminToken: string | undefined, now: () => number): Router {
  const r = express.Router();
  r.get('/audit', requireAdmin(adminToken), (req, res) => {
    const q = req.query;
    const from = parseTime(q.from, now());
    const to = parseTime(q.to, now());
    const limit = q.limit === undefined ? undefined : Number(q.limit);
    const before = q.before === undefined ? undefined : Number(q.before);
    for (const [name, v] of [
      ['from', from],
      ['to', to],
      ['limit', limit],
      ['before', before],
    ] as const) {
      if (v !== undefined && !Number.isFinite(v)) {
        res.status(400).json({ error: `bad ${name}` });
        return;
      }
    }
    const entries = audit.list({
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(typeof q.action === 'string' && q.action ? { action: q.action } : {}),
      ...(typeof q.actor === 'string' && q.actor ? { actor: q.actor } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(before !== undefined ? { before } : {}),
    });
    res.json({ entries });
  });
  return r;
}
