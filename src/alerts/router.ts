import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Router } from 'express';
import type { AuditInput } from '../audit/audit.js';
import type { LinkCheck } from '../http/links.js';
import { CATEGORIES } from '../rules/types.js';
import type { AlertFilter, AlertJson } from './alert.js';
import type { AckResult } from './book.js';
import type { SilenceJson } from './silences.js';

export interface SilenceRequest {
  alertId?: number;
  scope: 'sensor' | 'zone';
  /** for admin silences without an alert */
  site?: string;
  zone?: string;
  sensor?: string;
  minutes: number;
  reason: string;
  by: string;
}

export type SilenceResult = { ok: true; silence: SilenceJson } | { ok: false; status: number; error: string };

export interface AlertApi {
  list(filter: AlertFilter): AlertJson[] | undefined;
  ack(id: number, by: string, comment?: string): AckResult | undefined;
  silences(): SilenceJson[] | undefined;
  silence(req: SilenceRequest): SilenceResult | undefined;
  endSilence(id: number, allowedAlerts?: readonly number[]): SilenceResult | undefined;
  verifyLink(token: unknown): LinkCheck;
  audit?(entry: AuditInput): void;
}

const STATES = new Set(['firing', 'acknowledged', 'resolved', 'active']);
const CATEGORY_SET = new Set<string>(CATEGORIES);

/**
 * `GET /alerts?state=&zone=&category=&ids=&limit=`, `POST /alerts/:id/ack`,
 * `GET /silences`, `POST /silences`, `POST /silences/:id/end`. Mounted under
 * /api. A change needs either the admin token (`Authorization: Bearer …`,
 * API clients) or the signed token of the alert-page link (`token` in the
 * JSON body) that covers the alert. Answers 503 until alerting has started.
 */
export function alertRouter(api: AlertApi, adminToken: string | undefined): Router {
  const r = express.Router();
  const json = express.json({ limit: '8kb' });
  const isAdmin = adminCheck(adminToken);

  /** Who may act on these alerts: the admin, or a valid link covering every one of them. */
  const authorise = (req: Request, alertIds: number[]) => {
    if (isAdmin(req)) return { ok: true as const, via: 'admin' as const, ids: undefined };
    const body = (req.body ?? {}) as { token?: unknown };
    if (body.token === undefined) {
      return {
        ok: false as const,
        status: 401,
        error: adminToken
          ? 'needs the admin token or the signed link of the alert'
          : 'needs the signed link of the alert (admin actions are disabled: KAITEKI_ADMIN_TOKEN is not set)',
      };
    }
    const check = api.verifyLink(body.token);
    if (!check.ok) {
      return {
        ok: false as const,
        status: 403,
        error: check.reason === 'expired' ? 'the link has expired' : 'the link is not valid',
      };
    }
    if (!alertIds.every((id) => check.grant.ids.includes(id)))
      return { ok: false as const, status: 403, error: 'the link does not cover this alert' };
    return { ok: true as const, via: 'link' as const, ids: check.grant.ids };
  };

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
      if (typeof q.category !== 'string' || !CATEGORY_SET.has(q.category)) {
        res.status(400).json({ error: `category must be one of ${CATEGORIES.join(', ')}` });
        return;
      }
      filter.category = q.category as AlertFilter['category'] & string;
    }
    if (q.ids !== undefined) {
      const ids = typeof q.ids === 'string' ? q.ids.split(/[,-]/).map(Number) : [];
      if (ids.length === 0 || ids.length > 100 || !ids.every((n) => Number.isInteger(n) && n > 0)) {
        res.status(400).json({ error: 'ids must be up to 100 alert ids separated by commas' });
        return;
      }
      filter.ids = ids;
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

  r.post('/alerts/:id/ack', json, (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isInteger(id) || id < 1) {
      res.status(400).json({ error: 'alert id must be a positive integer' });
      return;
    }
    const auth = authorise(req, [id]);
    if (!auth.ok) {
      if (auth.status === 401) res.set('WWW-Authenticate', 'Bearer');
      res.status(auth.status).json({ error: auth.error });
      return;
    }
    const body = (req.body ?? {}) as { by?: unknown; comment?: unknown };
    const by = text(body.by, 60);
    if (auth.via === 'link' && !by) {
      res.status(400).json({ error: 'by: the name of the person acknowledging is required' });
      return;
    }
    const comment = text(body.comment, 500);
    const result = api.ack(id, by || 'admin', comment || undefined);
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
    if (result.change) {
      api.audit?.({
        actor: result.alert.ackedBy ?? by,
        action: 'alert.acknowledge',
        target: String(id),
        detail: { via: auth.via, ...(comment ? { comment } : {}) },
        ...(req.ip ? { ip: req.ip } : {}),
      });
    }
    res.json({
      id: result.alert.id,
      state: result.alert.state,
      acknowledgedBy: result.alert.ackedBy ?? null,
      acknowledgedAt: new Date(result.alert.ackedAt ?? 0).toISOString(),
      acknowledgeComment: result.alert.ackComment ?? null,
      already: result.change === undefined,
    });
  });

  r.get('/silences', (_req, res) => {
    const list = api.silences();
    if (!list) {
      res.status(503).json({ error: 'alerting is not running' });
      return;
    }
    res.json(list);
  });

  r.post('/silences', json, (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const alertId = b.alertId === undefined ? undefined : Number(b.alertId);
    const problems: string[] = [];
    if (alertId !== undefined && !(Number.isInteger(alertId) && alertId > 0))
      problems.push('alertId: expected an alert id');
    if (b.scope !== 'sensor' && b.scope !== 'zone') problems.push('scope: expected "sensor" or "zone"');
    const minutes = Number(b.minutes);
    if (!Number.isFinite(minutes) || minutes < 1) problems.push('minutes: expected a number of minutes ≥ 1');
    const reason = text(b.reason, 200);
    if (!reason) problems.push('reason: say why (e.g. センサー修理)');
    const by = text(b.by, 60);
    if (!by) problems.push('by: the name of the person silencing');
    if (problems.length) {
      res.status(400).json({ error: 'bad silence', problems });
      return;
    }
    const auth = authorise(req, alertId === undefined ? [] : [alertId]);
    if (!auth.ok || (auth.via === 'link' && alertId === undefined)) {
      const status = auth.ok ? 403 : auth.status;
      res.status(status).json({ error: auth.ok ? 'a link can silence only from its alert' : auth.error });
      return;
    }
    const result = api.silence({
      ...(alertId === undefined ? {} : { alertId }),
      scope: b.scope as 'sensor' | 'zone',
      ...(typeof b.site === 'string' ? { site: b.site } : {}),
      ...(typeof b.zone === 'string' ? { zone: b.zone } : {}),
      ...(typeof b.sensor === 'string' ? { sensor: b.sensor } : {}),
      minutes,
      reason,
      by,
    });
    if (!result) {
      res.status(503).json({ error: 'alerting is not running' });
      return;
    }
    if (!result.ok) {
      res.status(result.status).json({ error: result.error });
      return;
    }
    api.audit?.({
      actor: by,
      action: 'alert.silence',
      target: result.silence.sensor ? `${result.silence.zone}/${result.silence.sensor}` : result.silence.zone,
      detail: { via: auth.via, until: result.silence.until, reason, alertId: alertId ?? null },
      ...(req.ip ? { ip: req.ip } : {}),
    });
    res.status(201).json(result.silence);
  });

  r.post('/silences/:id/end', json, (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isInteger(id) || id < 1) {
      res.status(400).json({ error: 'silence id must be a positive integer' });
      return;
    }
    const auth = authorise(req, []);
    if (!auth.ok) {
      res.status(auth.status).json({ error: auth.error });
      return;
    }
    const result = api.endSilence(id, auth.ids);
    if (!result) {
      res.status(503).json({ error: 'alerting is not running' });
      return;
    }
    if (!result.ok) {
      res.status(result.status).json({ error: result.error });
      return;
    }
    const by = text(((req.body ?? {}) as { by?: unknown }).by, 60) || auth.via;
    api.audit?.({
      actor: by,
      action: 'alert.silence.end',
      target: String(id),
      detail: { via: auth.via },
      ...(req.ip ? { ip: req.ip } : {}),
    });
    res.json(result.silence);
  });
  return r;
}

function text(v: unknown, max: number): string {
  return typeof v === 'string'
    ? v
        .replace(/\p{Cc}/gu, ' ')
        .trim()
        .slice(0, max)
    : '';
}

/** `Authorization: Bearer <KAITEKI_ADMIN_TOKEN>`, compared in constant time (as src/http/auth.ts does). */
function adminCheck(token: string | undefined): (req: Request) => boolean {
  const want = token ? digest(token) : undefined;
  return (req) => {
    if (!want) return false;
    const m = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    return !!m && timingSafeEqual(digest(m[1]!.trim()), want);
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
