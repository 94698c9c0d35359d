import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadInventory } from '../../src/inventory/inventory.js';
import { seedRecentHistory } from '../../src/sim/history.js';
import { SqliteStore } from '../../src/store/sqlite.js';

describe('demo history', () => {
  it('fills the last hours from the model once, and leaves a store with readings alone', async () => {
    const config = loadConfig({}, 'config/takatsu.yaml');
    const inventory = loadInventory(config);
    const store = new SqliteStore(':memory:');
    await store.open();
    const now = Date.parse('2026-07-01T03:00:00Z');
    const n = await seedRecentHistory(store, config, inventory, { now, hours: 6, stepMs: 300_000 });
    // every quantity of every sensor, every 5 minutes for 6 hours (71 steps up to now − step)
    const perStep = inventory.sensors.reduce((k, s) => k + s.quantities.length, 0);
    expect(n).toBe(perStep * 71);
    const lobby = await store.query({
      zone: 'lobby',
      quantity: 'co2',
      from: now - 6 * 3_600_000,
      to: now,
      step: 3_600_000,
    });
    expect(lobby.map((b) => b.count)).toEqual([12, 12, 12, 12, 12, 11]);
    expect(await seedRecentHistory(store, config, inventory, { now, hours: 6 })).toBe(0);
    await store.close();
  });
});

describe('demo history of the ticket machines', () => {
  it('with queueWeeks, adds that many weeks of the counters only, every 15 minutes, before the recent hours', async () => {
    const config = loadConfig({}, 'config/takatsu.yaml');
    const inventory = loadInventory(config);
    const store = new SqliteStore(':memory:');
    await store.open();
    const now = Date.parse('2026-11-30T01:00:00Z');
    const recent = 6 * 3_600_000;
    await seedRecentHistory(store, config, inventory, { now, hours: 6, stepMs: 300_000, queueWeeks: 2 });
    const old = await store.query({
      from: now - recent - 14 * 86_400_000,
      to: now - recent,
      step: 86_400_000,
    });
    expect(new Set(old.map((b) => b.sensor))).toEqual(new Set(['kumin-ticket', 'hoken-ticket']));
    expect(new Set(old.map((b) => b.quantity))).toEqual(
      new Set(['waiting', 'wait_minutes', 'serving', 'issued']),
    );
    expect(old.reduce((n, b) => n + b.count, 0)).toBe(2 * 4 * 14 * 96);
    await store.close();
  });
});
