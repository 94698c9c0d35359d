import { describe, expect, it } from 'vitest';
import { Judgement } from '../../src/core/judgement.js';
import { compileRules } from '../../src/rules/compile.js';
import { Engine } from '../../src/rules/engine.js';
import type { RuleEvent } from '../../src/rules/types.js';
import { config, engineFor, jst, MIN } from './helpers.js';

describe('comfort in use, building protection at all hours', () => {
  const comfort = {
    id: 'comfort.temperature',
    category: 'comfort',
    quantity: 'temperature',
    below: 'limits.temperature.min',
    for: '10m',
    readings: 2,
  };
  const protection = {
    id: 'protection.temperature',
    category: 'protection',
    quantity: 'temperature',
    below: 'limits.protection.temperature.min',
    severity: 'critical',
    for: '10m',
    readings: 2,
  };

  it('a cold closed zone opens no comfort alert; frost opens a critical protection alert', () => {
    const e = engineFor([comfort, protection]);
    const sunday = jst('2026-11-29T02:00:00');
    for (let t = sunday; t < sunday + 60 * MIN; t += 5 * MIN) {
      e.read('temperature', 16, t);
      e.tick(t + 1);
    }
    expect(e.types()).toEqual([]); // 16 °C at night: the zone is closed, not out of standard
    for (let t = sunday + 60 * MIN; t < sunday + 90 * MIN; t += 5 * MIN) {
      e.read('temperature', 3, t);
      e.tick(t + 1);
    }
    expect(e.events.filter((x) => x.type === 'fired').map((x) => [x.ruleId, x.severity])).toEqual([
      ['protection.temperature', 'critical'],
    ]);
  });

  it('the same cold reading while the zone is in use is a comfort alert', () => {
    const e = engineFor([comfort]);
    const monday = jst('2026-11-30T10:00:00');
    for (let t = monday; t < monday + 30 * MIN; t += 5 * MIN) e.read('temperature', 16, t);
    expect(e.types()).toEqual(['fired']);
  });

  it('a comfort alert ends when the zone closes (its own hours: the office until 17:30)', () => {
    const cfg = config({
      zones: [{ id: 'office', name: { ja: '事務室', en: 'Office' }, kind: 'office', inUse: 'staff' }],
    });
    const e = engineFor([comfort], {}, cfg);
    const t0 = jst('2026-11-30T17:00:00');
    for (let t = t0; t < t0 + 40 * MIN; t += 5 * MIN) {
      e.read('temperature', 16, t, 'office');
      e.tick(t + 1);
    }
    expect(e.types()).toEqual(['fired', 'resolved']);
    expect(e.events.at(-1)).toMatchObject({ reason: 'window', ts: jst('2026-11-30T17:30:00') });
  });
});

describe('sensor.offline', () => {
  it('fires after the pending period while availability says offline, resolves after clearFor online', () => {
    const cfg = config();
    const rules = compileRules(
      { rules: [{ id: 'sensor.offline', kind: 'offline', category: 'sensor', for: '5m', clearFor: '1m' }] },
      'rules.yaml',
      cfg,
      new Judgement(cfg),
    );
    let online: boolean | undefined = true;
    const engine = new Engine(rules, () => 60_000, { availability: () => online });
    const out: RuleEvent[] = [];
    const t0 = jst('2026-11-29T03:00:00');
    engine.onReading(
      {
        site: 'takatsu',
        zone: 'lobby',
        sensor: 'env-1',
        quantity: 'co2',
        value: 500,
        ts: t0,
        registered: true,
      },
      t0,
      out,
    );
    online = false;
    for (let t = t0; t <= t0 + 4 * MIN; t += 15_000) engine.tick(t, out);
    expect(out).toEqual([]); // pending
    for (let t = t0 + 4 * MIN; t <= t0 + 6 * MIN; t += 15_000) engine.tick(t, out);
    expect(out.map((x) => [x.type, x.subject.key])).toEqual([['fired', 'takatsu/lobby/env-1']]);
    online = true;
    for (let t = t0 + 6 * MIN; t <= t0 + 8 * MIN; t += 15_000) engine.tick(t, out);
    expect(out.map((x) => x.type)).toEqual(['fired', 'resolved']);
  });

  it("an offline sensor is the offline rule's alert, not also a stale one", () => {
    const cfg = config();
    const rules = compileRules(
      {
        rules: [
          { id: 'sensor.offline', kind: 'offline', category: 'sensor', for: '5m', clearFor: '1m' },
          { id: 'sensor.stale', kind: 'stale', category: 'sensor' },
        ],
      },
      'rules.yaml',
      cfg,
      new Judgement(cfg),
    );
    let online: boolean | undefined = false;
    const engine = new Engine(rules, () => 60_000, { availability: () => online });
    const out: RuleEvent[] = [];
    const t0 = jst('2026-11-29T03:00:00');
    engine.onReading(
      {
        site: 'takatsu',
        zone: 'lobby',
        sensor: 'env-1',
        quantity: 'co2',
        value: 500,
        ts: t0,
        registered: true,
      },
      t0,
      out,
    );
    for (let t = t0; t <= t0 + 10 * MIN; t += 15_000) engine.tick(t, out);
    expect(out.map((x) => `${x.type} ${x.ruleId}`)).toEqual(['fired sensor.offline']);
    // without an availability message, silence is staleness
    online = undefined;
    for (let t = t0 + 10 * MIN; t <= t0 + 11 * MIN; t += 15_000) engine.tick(t, out);
    expect(out.map((x) => `${x.type} ${x.ruleId}`)).toContain('fired sensor.stale');
  });
});
