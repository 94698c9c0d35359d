import { createHash, pbkdf2, timingSafeEqual } from 'node:crypto';

/**
 * Password files in mosquitto_passwd format, so operators manage users with
 * the standard tool: one `user:hash` a line, where hash is
 * - `$7$<iterations>$<base64 salt>$<base64 hash>`: PBKDF2-SHA512 (mosquitto ≥ 2.0's default), or
 * - `$6$<base64 salt>$<base64 hash>`: SHA512(password ‖ salt) (mosquitto ≤ 1.6).
 * Blank lines and `#` comments are skipped; anything else is an error naming the line.
 */
export function parsePasswd(text: string, file = 'password file'): Map<string, string> {
  const users = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const user = colon > 0 ? line.slice(0, colon) : '';
    const hash = colon > 0 ? line.slice(colon + 1) : '';
    if (!user || !/^\$[67]\$/.test(hash) || !parseHash(hash)) {
      throw new Error(
        `${file} line ${i + 1}: expected "user:$7$…" or "user:$6$…" as written by mosquitto_passwd (plain-text passwords are not accepted)`,
      );
    }
    users.set(user, hash);
  }
  return users;
}

interface Parsed {
  kind: 6 | 7;
  iterations: number;
  salt: Buffer;
  hash: Buffer;
}

function parseHash(s: string): Parsed | undefined {
  const p = s.split('$');
  if (p[1] === '7' && p.length === 5) {
    const iterations = Number(p[2]);
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > 10_000_000) return undefined;
    const salt = Buffer.from(p[3]!, 'base64');
    const hash = Buffer.from(p[4]!, 'base64');
    return salt.length > 0 && hash.length > 0 ? { kind: 7, iterations, salt, hash } : undefined;
  }
  if (p[1] === '6' && p.length === 4) {
    const salt = Buffer.from(p[2]!, 'base64');
    const hash = Buffer.from(p[3]!, 'base64');
    return salt.length > 0 && hash.length === 64 ? { kind: 6, iterations: 1, salt, hash } : undefined;
  }
  return undefined;
}

/** Whether `password` matches a mosquitto_passwd hash (constant-time compare). */
export async function verifyPassword(stored: string, password: Buffer | string): Promise<boolean> {
  const h = parseHash(stored);
  if (!h) return false;
  const pw = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  let got: Buffer;
  if (h.kind === 7) {
    got = await new Promise<Buffer>((resolve, reject) =>
      pbkdf2(pw, h.salt, h.iterations, h.hash.length, 'sha512', (err, key) =>
        err ? reject(err) : resolve(key),
      ),
    );
  } else {
    got = createHash('sha512').update(pw).update(h.salt).digest();
  }
  return got.length === h.hash.length && timingSafeEqual(got, h.hash);
}

/** `KAITEKI_BROKER_USERS`: `name:password,name2:password2` (a password may hold ':' but not ','). */
export function parseEnvUsers(text: string | undefined): Map<string, string> {
  const users = new Map<string, string>();
  for (const part of (text ?? '').split(',')) {
    const s = part.trim();
    if (!s) continue;
    const colon = s.indexOf(':');
    if (colon <= 0 || colon === s.length - 1) {
      throw new Error('KAITEKI_BROKER_USERS: expected "name:password[,name2:password2]"');
    }
    users.set(s.slice(0, colon), s.slice(colon + 1));
  }
  return users;
}
