import { Router } from 'express';
import type { ZoneStatusService } from '../core/status-service.js';

/**
 * GET /api/status — per zone `{zone, inUse, state, reasons, eco, since, limits, values}`:
 * the one judgement the wall, the alerts and the report share (DESIGN §4, §7).
 * `?zone=` selects one zone (404 when unknown).
 */
export function statusRouter(service: ZoneStatusService): Router {
  const r = Router();
  r.get('/status', (req, res) => {
    const zone = typeof req.query.zone === 'string' ? req.query.zone : undefined;
    if (zone !== undefined) {
      const s = service.status(zone);
      if (!s) {
        res.status(404).json({ error: `unknown zone "${zone}"` });
        return;
      }
      res.json([s]);
      return;
    }
    res.json(service.statuses());
  });
  return r;
}
