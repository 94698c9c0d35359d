import express, { type Router } from 'express';
import { type AuditLog, auditFrom } from '../audit/audit.js';
import { requireAdmin } from '../http/auth.js';
import type { AlertFilter, AlertJson } from './alert.js';
import type { AckResult } from './book.js';

export interface AlertApi {
  list(filter: AlertFilter): AlertJson[] | undefined;
  ack(id: number, by: string): AckResult | undefined;
}

const STATES = new Set(['firing', 'acknowledged', 'resolved', 'active']);
const CATEGORIES = new Set(['comfort', 'eco', 'service', 'sensor']);

/**
 * `GET /alerts?state=firing|acknowledged|resolved|active&zone=&category=&limit=`
 * and `POST /alerts/:id/ack` (admin token, `Authorization: Bearer …`; body
 * may carry `{"by": "name"}`). Mounted by the app under /api. Answers 503
 * until alerting has started.
 */
export function alertRouter(api: AlertApi, adminToken: string | undefined, audit?: AuditLog): Router {
  const r = express.Router();
  r.get('/alerts', (req, res) => {
    const q = req.query as Record<string, unknown>;
    const filter: AlertFilter = {};
    if (q.state !== undefined) {
      if (typeof q.state !== 'string' || !STATES.has(q.state)) {
        res.status(400).json({ error: 'state must be one of firing, acknowledged, resolved, active' });
        return;
      }
      filter.state = q.state as AlertFilter['state'] & string;
    }
    if (typeof q.zone === 'string' && q.zone) filter.zone = q.zone;
    if (q.category !== undefined) {
      if (typeof q.category !== 'string' || !CATEGORIES.has(q.category)) {
        res.status(400).json({ error: 'category must be one of comfort, eco, service, sensor' });
        return;
      }
      filter.category = q.category as AlertFilter['category'] & string;
    }
    if (q.limit !== undefined) {
      const n = Number(q.limit);
      if (!Number.isInteger(n) || n < 1 || n > 5000) {
        res.status(400).json({ error: 'limit must be an integer 1–5000' });
        return;
      }
      filter.limit = n;
    }
    const list = api.list(filter);
    if (!list) {
      res.status(503).json({ error: 'alerting is not running' });
      return;
    }
    res.json(list);
  });
  r.post('/alerts/:id/ack', requireAdmin(adminToken), express.json({ limit: '4kb' }), (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isInteger(id) || id < 1) {
      res.status(400).json({ error: 'alert id must be a positive integer' });
      return;
    }
    const body = (req.body ?? {}) as { by?: unknown };
    const by = typeof body.by === 'string' && body.by.trim() ? body.by.trim().slice(0, 100) : 'admin';
    const result = api.ack(id, by);
    if (!result) {
      res.status(503).json({ error: 'alerting is not running' });
      return;
    }
    if (!result.ok) {
      res.status(result.reason === 'not_found' ? 404 : 409).json({
        error: result.reason === 'not_found' ? `no alert ${id}` : `alert ${id} is already resolved`,
      });
      return;
    }
    audit?.record({ ...auditFrom(req), action: 'alert.acknowledge', target: String(id), detail: { by } });
    res.json({
      id: result.alert.id,
      state: result.alert.state,
      acknowledgedBy: result.alert.ackedBy ?? null,
      acknowledgedAt: new Date(result.alert.ackedAt ?? 0).toISOString(),
    });
  });
  return r;
}
