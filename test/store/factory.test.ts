import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/log.js';
import { Metrics } from '../../src/core/metrics.js';
import type { Reading } from '../../src/core/reading.js';
import { createStore, outboxAndStore, type StoreBundle } from '../../src/store/factory.js';
import { reading, T0 } from './contract.js';

describe('createStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kaiteki-factory-'));
  let bundle: StoreBundle | undefined;
  afterEach(async () => {
    for (const s of bundle?.services ?? []) await s.stop();
    await bundle?.close();
    bundle = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('embedded: one SQLite file is store and sink', async () => {
    const config = parseConfig({ store: { dataDir: dir } }, 'test.yaml', {});
    bundle = createStore(config, silentLogger, new Metrics());
    await bundle.open();
    expect(bundle.store.kind).toBe('embedded');
    bundle.sink.acceptSync([reading({ value: 1, ts: T0 })]);
    expect(await bundle.store.latest()).toHaveLength(1);
    expect(bundle.services).toEqual([]);
  });

  it('influx: starts with the server down, accepts into the outbox and reports the backlog', async () => {
    const config = parseConfig(
      { store: { dataDir: dir, influx: { url: 'http://127.0.0.1:1', timeoutMs: 500 } } },
      'test.yaml',
      {
        KAITEKI_INFLUX_URL: 'http://127.0.0.1:1',
      },
    );
    expect(config.store.kind).toBe('influx-v1');
    bundle = createStore(config, silentLogger, new Metrics());
    await bundle.open();
    bundle.sink.acceptSync([reading({ value: 1, ts: T0 }), reading({ value: 2, ts: T0 + 1 })]);
    const h = bundle.health();
    expect(h.detail).toMatchObject({ store: 'influx-v1', bufferDepth: 2 });
    expect(bundle.services.map((s) => s.name)).toEqual(['store-drainer']);
    const pending = await bundle.rawSource({ from: T0, to: T0 + 10 }).catch(() => 'store down');
    expect(pending).toBe('store down'); // the store part fails while down; the caller logs and goes on live
  });

  it('rejects unknown keys and bad values in store config', () => {
    expect(() => parseConfig({ store: { influx: { batchsize: 10 } } }, 'x.yaml', {})).toThrow(
      /store\.influx.*unknown key/,
    );
    expect(() => parseConfig({ store: { buffer: { warnRatio: 2 } } }, 'x.yaml', {})).toThrow(
      /store\.buffer\.warnRatio/,
    );
  });
});

describe('raw readings for a rebuild on InfluxDB (outbox + store)', () => {
  it('a batch the drainer moves while the store is read is counted once, not lost', async () => {
    const a = reading({ value: 1, ts: T0 });
    const b = reading({ value: 2, ts: T0 + 1000 });
    const c = reading({ value: 3, ts: T0 + 2000 });
    // b is in the store; a waits in the outbox and is drained while the store query runs
    let outboxRows: Reading[] = [a];
    const storeRows: Reading[] = [b];
    let snapshot: Reading[] = [];
    const outbox = { pending: () => [...outboxRows] };
    const store = {
      raw: async () => {
        snapshot = [...storeRows]; // the query sees the store as it was before the drain
        storeRows.push(...outboxRows);
        outboxRows = [c]; // drained; meanwhile c arrived
        return snapshot;
      },
    };
    const got = await outboxAndStore(outbox, store)({ from: T0, to: T0 + 10_000 });
    expect(got.map((r) => r.value).sort()).toEqual([1, 2, 3]);
  });

  it('for one series and ts, the outbox (newer) wins over the store', async () => {
    const old = reading({ value: 1, ts: T0 });
    const newer = reading({ value: 9, ts: T0 });
    const got = await outboxAndStore(
      { pending: () => [newer] },
      { raw: async () => [old] },
    )({
      from: T0,
      to: T0 + 1,
    });
    expect(got).toEqual([newer]);
  });
});
