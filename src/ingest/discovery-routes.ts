import express, { type Router } from 'express';
import { type AuditLog, auditFrom } from '../audit/audit.js';
import { requireAdmin } from '../http/auth.js';
import type { DiscoveryService, ProposalStore } from './discovery-store.js';

/**
 * HTTP for Home Assistant discovery, mounted under /api:
 * - `GET /discovery` — the proposals (unconfirmed ones feed nothing);
 * - `POST /discovery/:id/confirm` with `{ "zone": "lobby", "sensor"?: "…", "site"?: "…" }`
 *   and the admin token — makes the proposal a live inventory entry and
 *   answers `{ sensor, yaml }`, the snippet to add to `sensors/*.yaml`.
 */
export function discoveryRouter(deps: {
  store: ProposalStore;
  service: DiscoveryService;
  adminToken: string | undefined;
  /** where admin actions are recorded (`discovery.confirm`) */
  audit?: AuditLog;
}): Router {
  const r = express.Router();
  r.get('/discovery', (_req, res) => {
    res.json({ proposals: deps.store.list() });
  });
  r.post(
    '/discovery/:id/confirm',
    requireAdmin(deps.adminToken),
    express.json({ limit: '16kb' }),
    (req, res) => {
      const out = deps.service.confirm(String(req.params.id), req.body);
      if (!out.ok) {
        res.status(out.status).json({ error: out.error });
        return;
      }
      deps.audit?.record({
        ...auditFrom(req),
        action: 'discovery.confirm',
        target: `${out.sensor.site}/${out.sensor.id}`,
        detail: { proposal: String(req.params.id), zone: out.sensor.zone, topic: out.sensor.topic },
      });
      res.json({ sensor: out.sensor, yaml: out.yaml });
    },
  );
  return r;
}
