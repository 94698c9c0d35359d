import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/**
 * Guards admin routes with the token from KAITEKI_ADMIN_TOKEN
 * (`Authorization: Bearer <token>`). Without a configured token, admin routes
 * are closed. The token is compared in constant time and never logged.
 */
export function requireAdmin(token: string | undefined) {
  const want = token ? digest(token) : undefined;
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!want) {
      res.status(401).json({ error: 'admin actions are disabled: set KAITEKI_ADMIN_TOKEN on the server' });
      return;
    }
    if (!m || !timingSafeEqual(digest(m[1]!.trim()), want)) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing or wrong admin token' });
      return;
    }
    next();
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
