import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runRecord } from '../../src/cli/record.js';
import { ManualClock } from '../../src/core/clock.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import * as fx from '../fixtures/report/record-2026-10.js';

const dir = mkdtempSync(join(tmpdir(), 'kaiteki-record-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kaiteki record', () => {
  it('imports the official CSV, then writes the two-month record from the store', async () => {
    const cfg = join(dir, 'k.yaml');
    writeFileSync(
      cfg,
      `site: { id: ks, name: { ja: テスト庁舎, en: Test office } }
zones:
  - { id: lobby, name: { ja: ロビー, en: Lobby }, kind: lobby, floor: 1F }
  - { id: office, name: { ja: 事務室, en: Office }, kind: office, floor: 2F }
inventory: { files: [] }
store: { dataDir: ${dir} }
report: { dir: ${join(dir, 'reports')} }
`,
    );
    const store = new SqliteStore(join(dir, 'kaiteki.db'));
    await store.open();
    await store.write(fx.readings());
    await store.writeRollups(fx.rows());
    await store.close();
    const csv = join(dir, 'official.csv');
    writeFileSync(csv, fx.OFFICIAL_CSV);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const clock = new ManualClock(fx.jst('2026-12-01T09:00'));
    const out = await runRecord(
      { from: '2026-10', months: '2', format: 'html', official: csv, config: cfg },
      {},
      clock,
    );
    const messages = err.mock.calls.map((c) => String(c[0]));
    err.mockRestore();
    expect(out).toEqual([join(dir, 'reports', 'テスト庁舎_空気環境測定記録_2026年10月-11月.html')]);
    expect(existsSync(out[0]!)).toBe(true);
    const html = readFileSync(out[0]!, 'utf8');
    expect(html).toContain('祝日（文化の日）');
    expect(html).toContain('要校正');
    expect(messages.some((m) => /:6: unknown zone "nowhere"/.test(m))).toBe(true);
    expect(
      messages.some((m) => /lobby\/env-1 co2 differs from the official measurement by 200\.00/.test(m)),
    ).toBe(true);
    await expect(runRecord({ from: '2026-13', format: 'xlsx', config: cfg }, {}, clock)).rejects.toThrow(
      /--from must be a month/,
    );
    await expect(runRecord({ format: 'xlsx', config: cfg }, {}, clock)).rejects.toThrow(/give --from/);
  });
});
