import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit.js';
import { runImport } from '../../src/cli/import.js';
import { ManualClock } from '../../src/core/clock.js';
import { LatestCache } from '../../src/core/latest.js';
import { silentLogger } from '../../src/core/log.js';
import type { Reading } from '../../src/core/reading.js';
import { importRouter } from '../../src/import/routes.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { testConfig } from '../helpers/app.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kaiteki-import-audit-'));
  dirs.push(d);
  return d;
}

/** `n` CO2 readings of one (unregistered, accepted) sensor, one a minute from 2025-06-10 00:00 JST. */
function csv(n: number): Buffer {
  const lines = ['ts,zone,sensor,quantity,value'];
  const t0 = Date.parse('2025-06-10T00:00:00+09:00');
  for (let i = 0; i < n; i++) lines.push(`${t0 + i * 60_000},lobby,lobby-env,co2,${600 + (i % 50)}`);
  return Buffer.from(`${lines.join('\n')}\n`);
}

interface Detail {
  outcome: string;
  accepted: number;
  error?: string;
  direct?: boolean;
}

describe('every import is audited, the failed ones too', () => {
  it('POST /api/import that fails after storing a batch: 503, and the audit entry says failed with the rows stored', async () => {
    const config = testConfig({}, { KAITEKI_ADMIN_TOKEN: 'tok' });
    dirs.push(config.store.dataDir);
    const clock = new ManualClock(Date.parse('2026-05-01T01:00:00Z'));
    const audit = new AuditLog(join(config.store.dataDir, 'audit.db'), silentLogger, clock);
    const stored: Reading[] = [];
    // the first batch (5000 readings) is stored, the second fails (disk full, say)
    const sink = {
      acceptSync(batch: readonly Reading[]) {
        if (stored.length > 0) throw new Error('disk full');
        stored.push(...batch);
      },
    };
    const app = express();
    app.use(
      '/api',
      importRouter({
        config,
        inventory: new Inventory([]),
        sink,
        latest: new LatestCache(),
        rollups: { touch: async () => undefined, reachMs: () => 600_000 },
        clock,
        log: silentLogger,
        audit,
        adminToken: 'tok',
      }),
    );
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/import`;
      const post = (body: Buffer, name: string) =>
        fetch(url, {
          method: 'POST',
          headers: { authorization: 'Bearer tok', 'x-filename': name, 'x-kaiteki-actor': 'ops' },
          body: new Uint8Array(body),
        });
      const res = await post(csv(6000), 'big.csv');
      expect(res.status).toBe(503);
      expect(stored).toHaveLength(5000);
      // a file that cannot be read is an attempt too
      expect((await post(Buffer.from('no,columns\n1,2\n'), 'bad.csv')).status).toBe(400);
      const entries = audit.list({ action: 'readings.import' });
      expect(entries.map((e) => [e.target, e.actor])).toEqual([
        ['bad.csv', 'admin:ops'],
        ['big.csv', 'admin:ops'],
      ]);
      expect(entries[1]!.detail).toMatchObject({ outcome: 'failed', accepted: 5000, error: 'disk full' });
      expect(entries[0]!.detail).toMatchObject({ outcome: 'failed', accepted: 0 });
      // and a good import afterwards is recorded as ok
      stored.length = 0;
      expect((await post(csv(10), 'small.csv')).status).toBe(200);
      expect(audit.list({ action: 'readings.import', limit: 1 })[0]!.detail).toMatchObject({
        outcome: 'ok',
        accepted: 10,
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
      audit.close();
    }
  });

  it('`kaiteki import --direct` records readings.import as cli:<user> in <dataDir>/audit.db, ok or failed', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'data');
    const cfgFile = join(dir, 'kaiteki.yaml');
    writeFileSync(
      cfgFile,
      `site: { id: testsite, name: { ja: テスト庁舎, en: Test office } }
zones:
  - { id: lobby, name: { ja: ロビー, en: Lobby }, kind: lobby }
store: { dataDir: ${dataDir} }
http: { port: 0 }
`,
    );
    const file = join(dir, 'past.csv');
    writeFileSync(file, csv(20));
    const clock = new ManualClock(Date.parse('2026-05-01T01:00:00Z'));
    const env = { KAITEKI_CONFIG: cfgFile };
    expect(await runImport(file, { direct: true, quiet: true }, env, clock)).toMatchObject({ accepted: 20 });

    // the store cannot be opened: the attempt is recorded as failed
    const dir2 = tempDir();
    const cfg2 = join(dir2, 'kaiteki.yaml');
    writeFileSync(cfg2, `store: { dataDir: ${join(dir2, 'data')} }\nhttp: { port: 0 }\n`);
    mkdirSync(join(dir2, 'data', 'kaiteki.db'), { recursive: true }); // a folder where the database file should be
    await expect(
      runImport(file, { direct: true, quiet: true }, { KAITEKI_CONFIG: cfg2 }, clock),
    ).rejects.toThrow();

    const actor = `cli:${userInfo().username}`;
    for (const [d, outcome, accepted] of [
      [dataDir, 'ok', 20],
      [join(dir2, 'data'), 'failed', 0],
    ] as const) {
      const audit = new AuditLog(join(d, 'audit.db'), silentLogger, clock);
      try {
        const entries = audit.list({ action: 'readings.import' });
        expect(entries).toHaveLength(1);
        expect(entries[0]).toMatchObject({ actor, target: 'past.csv' });
        expect(entries[0]!.detail as Detail).toMatchObject({ outcome, accepted, direct: true });
      } finally {
        audit.close();
      }
    }
  });
});
