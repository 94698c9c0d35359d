import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { Judgement } from '../../src/core/judgement.js';
import { compileRules } from '../../src/rules/compile.js';
import { config, engineFor, jst, MIN } from './helpers.js';

/** One stale/offline policy: the judgement's (Judgement.freshness, by arrival), for the rules as for the wall. */
describe('stale policy: the judgement decides, the rules ask', () => {
  it('a stale rule cannot carry its own `intervals` (check-config says where to set it)', () => {
    const cfg = config();
    try {
      compileRules(
        { rules: [{ id: 'sensor.stale', kind: 'stale', category: 'sensor', intervals: 5 }] },
        'config/rules.yaml',
        cfg,
        new Judgement(cfg),
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as ConfigError).message;
      expect(msg).toContain('config/rules.yaml: rules[sensor.stale].intervals:');
      expect(msg).toContain('inventory.staleAfterIntervals');
    }
  });

  it('sensor.stale fires when the judgement says stale (inventory.staleAfterIntervals), not by a multiple of its own', () => {
    const cfg = config({ inventory: { files: [], staleAfterIntervals: 5 } });
    const j = new Judgement(cfg);
    // the engine is handed 3 intervals; the judgement's 5 decide
    const e = engineFor([{ id: 'sensor.stale', kind: 'stale', category: 'sensor' }], {}, cfg);
    const a = jst('2026-11-10T10:00:00');
    e.read('temperature', 22, a);
    for (let t = a; t <= a + 10 * MIN; t += 15_000) {
      e.tick(t);
      const fired = e.events.some((x) => x.type === 'fired');
      expect(fired, new Date(t).toISOString()).toBe(j.freshness('takatsu', 's1', a, t) === 'stale');
    }
    expect(e.events.find((x) => x.type === 'fired')?.ts).toBe(a + 5 * MIN + 15_000);
  });

  it('a threshold rule judges liveness by arrival: a silent sensor whose clock runs ahead decides nothing once the wall calls it stale', () => {
    const rule = {
      id: 'comfort.temperature',
      category: 'comfort',
      quantity: 'temperature',
      above: 28,
      when: { hours: 'any' },
      for: '2m',
      readings: 1,
    };
    const j = new Judgement(config());
    const a = jst('2026-11-10T10:00:00');
    // one reading stamped 10 min ahead (a wrong clock) arrives at `a`; then the sensor goes silent
    const e = engineFor([rule]);
    e.read('temperature', 30, a + 10 * MIN, 'lobby', 's1', a);
    for (let t = a; t <= a + 20 * MIN; t += 15_000) {
      e.tick(t);
      if (j.freshness('takatsu', 's1', a, t) !== 'fresh')
        expect(e.types(), new Date(t).toISOString()).not.toContain('fired');
    }
    expect(e.types()).toEqual([]);
    // the same sensor still sending (every minute, same wrong clock) fires: the test can fail
    const f = engineFor([rule]);
    for (let t = a; t <= a + 20 * MIN; t += 15_000) {
      if ((t - a) % MIN === 0) f.read('temperature', 30, t + 10 * MIN, 'lobby', 's1', t);
      f.tick(t);
    }
    expect(f.types()).toContain('fired');
  });
});
