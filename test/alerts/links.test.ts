import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LinkSigner, linkSigner } from '../../src/http/links.js';

const NOW = Date.parse('2026-11-10T01:00:00Z');
const DAY = 86_400_000;

describe('signed alert-page links', () => {
  const s = new LinkSigner(Buffer.from('k'.repeat(32)));

  it('a link verifies until it expires, and grants exactly its alerts', () => {
    const t = s.sign([12, 13], NOW + 7 * DAY);
    expect(t).toMatch(/^12-13\.\d+\.[\w-]{43}$/);
    expect(s.verify(t, NOW)).toEqual({
      ok: true,
      grant: { ids: [12, 13], exp: Math.floor((NOW + 7 * DAY) / 1000) * 1000 },
    });
    expect(s.verify(t, NOW + 7 * DAY + 1000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('any change to the ids, the expiry or the signature is refused; so is a key other than the server’s', () => {
    const t = s.sign([12], NOW + DAY);
    const [ids, exp, sig] = t.split('.') as [string, string, string];
    expect(s.verify(`13.${exp}.${sig}`, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(s.verify(`12-13.${exp}.${sig}`, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(s.verify(`${ids}.${Number(exp) + 86_400}.${sig}`, NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(s.verify(`${ids}.${exp}.${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`, NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(new LinkSigner(Buffer.from('other')).verify(t, NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    for (const bad of [undefined, '', 'x', `${t}.`, `${ids}.${exp}`, ['a']])
      expect(s.verify(bad, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('without KAITEKI_SECRET the key is generated once in the data dir (0600) and kept across restarts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kaiteki-links-'));
    try {
      const a = linkSigner(dir, undefined);
      const file = join(dir, 'link-secret');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
      const t = a.sign([1], NOW + DAY);
      // a fresh signer over the same file (another process, a restart) accepts it
      const fresh = new LinkSigner(Buffer.from(readFileSync(file, 'utf8').trim(), 'hex'));
      expect(fresh.verify(t, NOW).ok).toBe(true);
      // with KAITEKI_SECRET the file is not the key
      expect(linkSigner(dir, 'env-secret').verify(t, NOW).ok).toBe(false);
      expect(
        new LinkSigner(Buffer.from('env-secret')).verify(
          linkSigner(dir, 'env-secret').sign([1], NOW + DAY),
          NOW,
        ).ok,
      ).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
