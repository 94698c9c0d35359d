import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/log.js';
import { Metrics } from '../../src/core/metrics.js';
import type { Reading } from '../../src/core/reading.js';
import { createStore, type StoreBundle } from '../../src/store/factory.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function bundle(store: Record<string, unknown> = {}): StoreBundle {
  const dataDir = mkdtempSync(join(tmpdir(), 'kaiteki-health-'));
  dirs.push(dataDir);
  return createStore(parseConfig({ store: { dataDir, ...store } }, 'test', {}), silentLogger, new Metrics());
}

const batch = (n: number, t0: number): Reading[] =>
  Array.from({ length: n }, (_, i) => ({
    site: 's',
    zone: 'z',
    sensor: `sensor-${i % 50}`,
    quantity: 'co2' as const,
    value: 400 + i,
    ts: t0 + i,
    registered: true,
  }));

describe('store health tells the truth', () => {
  it('embedded: not ok while the disk refuses writes, ok again after a write succeeds', async () => {
    const b = bundle();
    await b.open();
    b.sink.acceptSync(batch(10, 1_000));
    expect(b.health().ok).toBe(true);
    // a full disk: the database may not grow by a single page
    const db = (b.store as unknown as { db: Database.Database }).db;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    expect(() => b.sink.acceptSync(batch(20_000, 2_000_000))).toThrow(/SQLITE_FULL/);
    const h = b.health();
    expect(h.ok).toBe(false);
    expect(h.detail?.writesRefused).toMatchObject({ error: expect.stringMatching(/SQLITE_FULL/) });
    db.pragma(`max_page_count = ${pages * 100}`);
    b.sink.acceptSync(batch(10, 3_000_000));
    expect(b.health().ok).toBe(true);
    await b.close();
  });

  it('InfluxDB: not ok while the durable buffer is full', async () => {
    const b = bundle({
      kind: 'influx-v1',
      influx: { url: 'http://127.0.0.1:9', createDatabase: false },
      buffer: { maxReadings: 1000 },
    });
    await b.open();
    expect(b.health().ok).toBe(true);
    try {
      b.sink.acceptSync(batch(1000, 1_000));
    } catch {
      // the outbox may refuse what does not fit
    }
    expect(b.health().ok).toBe(false);
    await b.close();
  });
});
