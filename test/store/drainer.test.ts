import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { Metrics } from '../../src/core/metrics.js';
import { backoffMs, Drainer, type DrainerOptions } from '../../src/store/drainer.js';
import { Outbox } from '../../src/store/outbox.js';
import { StoreWriteError } from '../../src/store/write-error.js';
import { reading, T0 } from './contract.js';
import { ScriptedStore } from './fake-store.js';

const readings = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => reading({ value: from + i, ts: T0 + (from + i) * 1000 }));

describe('Drainer', () => {
  let dir: string;
  let outbox: Outbox;
  let store: ScriptedStore;
  let metrics: Metrics;
  let drainer: Drainer | undefined;
  const opts: DrainerOptions = {
    batchSize: 10,
    flushIntervalMs: 20,
    maxInFlight: 2,
    maxBackoffMs: 100,
    maxReadings: 1000,
    warnRatio: 0.8,
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kaiteki-drainer-'));
    outbox = new Outbox(join(dir, 'outbox.db'), opts.maxReadings);
    outbox.open();
    store = new ScriptedStore();
    metrics = new Metrics();
  });
  afterEach(async () => {
    await drainer?.stop();
    outbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (o: Partial<DrainerOptions> = {}) => {
    drainer = new Drainer(
      outbox,
      store,
      { ...opts, ...o },
      { clock: systemClock, log: silentLogger, metrics },
    );
    await drainer.start();
    return drainer;
  };

  it('writes every accepted reading once, in batches of batchSize, in acceptance order, then empties the outbox', async () => {
    outbox.acceptSync(readings(25));
    await start({ maxInFlight: 1 });
    await drainer!.drained();
    expect(store.batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(store.written.map((r) => r.value)).toEqual(readings(25).map((r) => r.value));
    expect(outbox.depth).toBe(0);
    expect(await metrics.text()).toMatch(/kaiteki_store_written_total 25/);
  });

  it('writes a partial batch after the flush interval', async () => {
    await start();
    outbox.acceptSync(readings(3));
    await drainer!.drained();
    expect(store.written).toHaveLength(3);
  });

  it('retries retryable failures with backoff, keeping order, and loses nothing', async () => {
    store.fail = (_r, attempt) =>
      attempt <= 3 ? new StoreWriteError('down', { failure: 'unavailable' }) : undefined;
    outbox.acceptSync(readings(30));
    await start({ maxInFlight: 1 });
    await drainer!.drained();
    expect(store.written.map((r) => r.value)).toEqual(readings(30).map((r) => r.value));
    expect(store.attempts).toBe(6);
    expect(await metrics.text()).toMatch(
      /kaiteki_store_write_errors_total\{retryable="true",reason="unavailable"\} 3/,
    );
  });

  it('waits for Retry-After on 429 before trying again', async () => {
    store.fail = (_r, attempt) =>
      attempt === 1
        ? new StoreWriteError('slow down', { failure: 'throttled', status: 429, retryAfterMs: 300 })
        : undefined;
    outbox.acceptSync(readings(5));
    await start({ maxBackoffMs: 5000 });
    await drainer!.drained();
    const [first, second] = store.attemptTimes;
    expect(second! - first!).toBeGreaterThanOrEqual(290);
  });

  it('sets a bad reading aside in the dead table and writes the rest', async () => {
    store.fail = (r) =>
      r.some((x) => x.value === 13)
        ? new StoreWriteError('400 bad point', { failure: 'data', status: 400 })
        : undefined;
    outbox.acceptSync(readings(20));
    await start();
    await drainer!.drained();
    expect(store.written.map((r) => r.value).sort((a, b) => a - b)).toEqual(
      readings(20)
        .map((r) => r.value)
        .filter((v) => v !== 13),
    );
    expect(outbox.deadCount).toBe(1);
    expect(drainer!.health().detail?.warnings).toEqual([expect.stringMatching(/1 readings refused/)]);
    expect(await metrics.text()).toMatch(/kaiteki_store_dead_letters_total 1/);
  });

  it('does not spin on an auth failure: retries slowly, keeps the data, reports unhealthy', async () => {
    store.fail = () => new StoreWriteError('401 unauthorized', { failure: 'auth', status: 401 });
    outbox.acceptSync(readings(5));
    await start({ maxBackoffMs: 200 });
    await new Promise((r) => setTimeout(r, 500));
    expect(store.attempts).toBeGreaterThanOrEqual(2);
    expect(store.attempts).toBeLessThanOrEqual(4);
    expect(outbox.depth).toBe(5);
    const h = drainer!.health();
    expect(h.ok).toBe(false);
    expect(h.detail).toMatchObject({ bufferDepth: 5, lastError: { failure: 'auth' } });
    expect(await metrics.text()).toMatch(
      /kaiteki_store_write_errors_total\{retryable="false",reason="auth"\} \d/,
    );
  });

  it('keeps at most maxInFlight writes in flight', async () => {
    store.delayMs = 20;
    outbox.acceptSync(readings(200));
    await start({ maxInFlight: 3 });
    await drainer!.drained();
    expect(store.maxConcurrent).toBe(3);
    expect(store.written).toHaveLength(200);
  });

  it('warns in health and metrics when the buffer nears its bound, and refuses (retryably) beyond it', async () => {
    await start();
    store.fail = () => new StoreWriteError('down', { failure: 'unavailable' });
    outbox.acceptSync(readings(850));
    const h = drainer!.health();
    expect(h.detail?.warnings).toContainEqual(expect.stringMatching(/buffer 85 % full/));
    expect(await metrics.text()).toMatch(/kaiteki_store_buffer_depth 850/);
    expect(() => outbox.acceptSync(readings(151, 850))).toThrow(expect.objectContaining({ retryable: true }));
    expect(outbox.depth).toBe(850);
  });

  it('resumes from the oldest unwritten reading after a restart', async () => {
    outbox.acceptSync(readings(15));
    outbox.close();
    outbox = new Outbox(join(dir, 'outbox.db'), opts.maxReadings);
    outbox.open();
    expect(outbox.depth).toBe(15);
    outbox.acceptSync(readings(5, 15));
    await start({ maxInFlight: 1 });
    await drainer!.drained();
    expect(store.written.map((r) => r.value)).toEqual(readings(20).map((r) => r.value));
  });
});

describe('backoffMs', () => {
  it('grows exponentially up to the cap and honours Retry-After', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 10].map((f) => backoffMs(f, 1000, undefined, mid))).toEqual([200, 400, 800, 1000]);
    const e = new StoreWriteError('429', { failure: 'throttled', retryAfterMs: 700 });
    expect(backoffMs(1, 5000, e, mid)).toBe(700);
    expect(backoffMs(1, 5000, new StoreWriteError('401', { failure: 'auth' }), mid)).toBe(5000);
  });
});
