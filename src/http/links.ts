import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a valid link grants: acknowledging and silencing these alerts until `exp`. */
export interface LinkGrant {
  ids: number[];
  /** epoch ms */
  exp: number;
}

export type LinkCheck =
  | { ok: true; grant: LinkGrant }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

/**
 * Signed, expiring links for the alert page (HMAC-SHA256). A token is
 * `<ids joined by ->.<exp in epoch seconds>.<signature>`, URL-safe, so a
 * notice about alerts 12 and 13 carries `/alerts?t=12-13.1767225600.…`.
 * The token grants acknowledging and silencing those alerts only; opening
 * the link changes nothing (chat apps prefetch links).
 */
export class LinkSigner {
  constructor(private readonly secret: Buffer) {}

  sign(ids: readonly number[], exp: number): string {
    const body = `${ids.join('-')}.${Math.floor(exp / 1000)}`;
    return `${body}.${this.mac(body)}`;
  }

  verify(token: unknown, now: number): LinkCheck {
    if (typeof token !== 'string' || token.length > 400) return { ok: false, reason: 'malformed' };
    const m = /^(\d{1,12}(?:-\d{1,12}){0,49})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return { ok: false, reason: 'malformed' };
    const body = `${m[1]}.${m[2]}`;
    const want = Buffer.from(this.mac(body));
    const got = Buffer.from(m[3]!);
    if (want.length !== got.length || !timingSafeEqual(want, got))
      return { ok: false, reason: 'bad_signature' };
    const exp = Number(m[2]) * 1000;
    if (exp <= now) return { ok: false, reason: 'expired' };
    return { ok: true, grant: { ids: m[1]!.split('-').map(Number), exp } };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(`kaiteki-alert-link:${body}`).digest('base64url');
  }
}

const signers = new Map<string, LinkSigner>();

/**
 * The link signer for a data dir: the key is KAITEKI_SECRET when set, else a
 * random key generated once and kept in `<dataDir>/link-secret` (mode 0600),
 * so links survive a restart. Memoised: the page route and the alerts share it.
 */
export function linkSigner(dataDir: string, envSecret: string | undefined): LinkSigner {
  const key = `${dataDir}\0${envSecret ?? ''}`;
  let s = signers.get(key);
  if (!s) {
    s = new LinkSigner(envSecret ? Buffer.from(envSecret, 'utf8') : fileSecret(dataDir));
    signers.set(key, s);
  }
  return s;
}

function fileSecret(dataDir: string): Buffer {
  const path = join(dataDir, 'link-secret');
  try {
    const hex = readFileSync(path, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(hex)) return Buffer.from(hex, 'hex');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32);
  try {
    writeFileSync(path, `${secret.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another part created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
    throw err;
  }
  chmodSync(path, 0o600);
  return secret;
}
