import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog, auditFrom } from '../../src/audit/audit.js';
import { ManualClock } from '../../src/core/clock.js';

const dir = mkdtempSync(join(tmpdir(), 'kaiteki-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A logger that keeps its JSON lines. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { log, lines };
}

describe('audit trail', () => {
  it('keeps entries in SQLite across reopening and writes one JSON log line per action', () => {
    const clock = new ManualClock(Date.parse('2026-11-30T01:00:00Z'));
    const { log, lines } = capture();
    const path = join(dir, 'audit.db');
    const a = new AuditLog(path, log, clock);
    a.record({
      actor: 'admin',
      action: 'alert.acknowledge',
      target: '7',
      ip: '10.0.0.5',
      detail: { by: '佐藤' },
    });
    clock.advance(60_000);
    a.record({ actor: 'admin', action: 'discovery.confirm', target: 'default/z2m' });
    a.close();
    const b = new AuditLog(path, log, clock);
    const all = b.list();
    expect(all.map((e) => e.action)).toEqual(['discovery.confirm', 'alert.acknowledge']); // newest first
    expect(all[1]).toMatchObject({
      actor: 'admin',
      target: '7',
      ip: '10.0.0.5',
      detail: { by: '佐藤' },
      time: '2026-11-30T01:00:00.000Z',
    });
    expect(b.list({ action: 'alert.acknowledge' })).toHaveLength(1);
    expect(b.list({ from: Date.parse('2026-11-30T01:00:30Z') })).toHaveLength(1);
    expect(b.list({ limit: 1 })[0]?.action).toBe('discovery.confirm');
    expect(b.list({ before: all[0]!.id })[0]?.action).toBe('alert.acknowledge');
    b.close();
    const logged = lines.filter((l) => l.audit === true);
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatchObject({
      action: 'alert.acknowledge',
      actor: 'admin',
      ip: '10.0.0.5',
      target: '7',
    });
  });

  it('never throws into the action when the database cannot be written; the log line still goes out', () => {
    const { log, lines } = capture();
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'a file where the folder should be');
    const a = new AuditLog(join(blocker, 'audit.db'), log, new ManualClock(0));
    expect(() => a.record({ actor: 'admin', action: 'alert.silence' })).not.toThrow();
    expect(lines.some((l) => l.msg === 'audit entry not stored')).toBe(true);
    expect(lines.some((l) => l.audit === true && l.action === 'alert.silence')).toBe(true);
  });

  it('names the actor from the request and keeps its address', () => {
    const req = (h: Record<string, string>, ip?: string) => ({ ip, get: (n: string) => h[n.toLowerCase()] });
    expect(auditFrom(req({}, '10.1.2.3'))).toEqual({ actor: 'admin', ip: '10.1.2.3' });
    expect(auditFrom(req({ 'x-kaiteki-actor': '施設係 田中<script>' }))).toEqual({
      actor: 'admin:施設係 田中script',
    });
  });
});
