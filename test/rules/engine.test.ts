import { describe, expect, it } from 'vitest';
import { engineFor, jst, MIN } from './helpers.js';

const co2 = {
  id: 'comfort.co2',
  category: 'comfort',
  quantity: 'co2',
  above: 'limits.co2.max',
  clearMargin: 50,
  for: '10m',
  readings: 3,
  clearFor: '10m',
  critical: { above: 2000 },
  escalate: { after: '1h', to: 'critical' },
};
const T0 = jst('2026-07-14T10:00:00');

describe('threshold rules', () => {
  it('a series flapping around the limit never fires', () => {
    const e = engineFor([co2]);
    for (let i = 0; i < 120; i++) {
      e.read('co2', i % 2 === 0 ? 1010 : 990, T0 + i * MIN);
      e.tick(T0 + i * MIN + 30_000);
    }
    expect(e.types()).toEqual([]);
  });

  it('once firing, flapping inside the hysteresis band neither resolves nor re-fires', () => {
    const { escalate: _, ...noEscalation } = co2;
    const e = engineFor([noEscalation]);
    let t = T0;
    for (let i = 0; i <= 12; i++, t += MIN) e.read('co2', 1100, t);
    expect(e.types()).toEqual(['fired']);
    for (let i = 0; i < 60; i++, t += MIN) {
      e.read('co2', i % 2 === 0 ? 1010 : 960, t); // 960 is above the clear threshold 950
      e.tick(t + 30_000);
    }
    expect(e.types()).toEqual(['fired']);
  });

  it('a single spike does not fire, even when the sensor then goes quiet', () => {
    const e = engineFor([co2]);
    e.read('co2', 800, T0);
    e.read('co2', 3000, T0 + MIN);
    e.read('co2', 800, T0 + 2 * MIN);
    e.read('co2', 3000, T0 + 3 * MIN); // then silence
    for (let t = T0 + 3 * MIN; t < T0 + 60 * MIN; t += 15_000) e.tick(t);
    expect(e.types()).toEqual([]);
  });

  it('fires only after the pending period and N readings in a row, with the incident start as since', () => {
    const e = engineFor([co2]);
    for (let i = 0; i < 10; i++) e.read('co2', 1200, T0 + i * MIN);
    expect(e.types()).toEqual([]); // 9 minutes so far
    e.tick(T0 + 9 * MIN + 59_000);
    expect(e.types()).toEqual([]);
    e.tick(T0 + 10 * MIN);
    expect(e.events).toHaveLength(1);
    expect(e.events[0]).toMatchObject({
      type: 'fired',
      severity: 'warning',
      since: T0,
      ts: T0 + 10 * MIN,
      value: 1200,
    });
  });

  it('a burst of identical messages (same series, same ts) counts as one reading', () => {
    const e = engineFor([{ ...co2, for: 0 }]);
    for (let k = 0; k < 5; k++) e.read('co2', 1200, T0);
    e.read('co2', 1200, T0 + MIN);
    expect(e.types()).toEqual([]); // 2 distinct readings < 3
    e.read('co2', 1200, T0 + 2 * MIN);
    expect(e.types()).toEqual(['fired']);
  });

  it('resolves only after the clear hold; a breaking value during the hold restarts it', () => {
    const e = engineFor([co2]);
    let t = T0;
    for (let i = 0; i <= 10; i++, t += MIN) e.read('co2', 1200, t);
    expect(e.types()).toEqual(['fired']);
    const clearStart = t;
    for (let i = 0; i < 5; i++, t += MIN) e.read('co2', 900, t);
    e.read('co2', 1100, t); // back over the limit: hold restarts
    t += MIN;
    const second = t;
    for (let i = 0; i < 10; i++, t += MIN) e.read('co2', 900, t);
    expect(e.types()).toEqual(['fired']);
    e.tick(second + 10 * MIN);
    expect(e.types()).toEqual(['fired', 'resolved']);
    const resolved = e.events.at(-1)!;
    expect(resolved.reason).toBe('cleared');
    expect(resolved.peak).toBe(1200);
    expect(resolved.ts).toBeGreaterThan(clearStart + 10 * MIN);
  });

  it('escalates after the configured time, and at once beyond the critical limit', () => {
    const e = engineFor([co2]);
    for (let i = 0; i <= 10; i++) e.read('co2', 1200, T0 + i * MIN);
    const firedAt = T0 + 10 * MIN;
    expect(e.types()).toEqual(['fired']);
    for (let i = 11; i < 70; i++) e.read('co2', 1200, T0 + i * MIN); // still over the limit, last at firedAt + 59 min
    e.tick(firedAt + 59 * MIN + 59_000);
    expect(e.types()).toEqual(['fired']);
    e.tick(firedAt + 60 * MIN);
    expect(e.types()).toEqual(['fired', 'escalated']);
    expect(e.events.at(-1)!.severity).toBe('critical');

    const f = engineFor([co2]);
    for (let i = 0; i <= 10; i++) f.read('co2', 1200, T0 + i * MIN);
    f.read('co2', 2100, T0 + 11 * MIN);
    expect(f.types()).toEqual(['fired', 'escalated']);
    expect(f.events.at(-1)).toMatchObject({ severity: 'critical', peak: 2100 });
  });

  it('keeps one state per series: another sensor does not reset the pending period', () => {
    const e = engineFor([co2]);
    for (let i = 0; i <= 10; i++) {
      e.read('co2', 1200, T0 + i * MIN, 'lobby', 'a');
      e.read('co2', 500, T0 + i * MIN, 'lobby', 'b');
    }
    expect(e.events.filter((x) => x.type === 'fired').map((x) => x.subject.sensor)).toEqual(['a']);
  });

  it('wait bands: ≥ 20 min warns, ≥ 40 min is critical', () => {
    const rule = {
      id: 'service.wait',
      category: 'service',
      quantity: 'wait_minutes',
      above: 'limits.wait.yellowFrom',
      inclusive: true,
      critical: { above: 'limits.wait.redFrom' },
      for: 0,
      readings: 1,
    };
    const e = engineFor([rule]);
    e.read('wait_minutes', 19, T0, 'kumin-counter');
    expect(e.types()).toEqual([]);
    e.read('wait_minutes', 20, T0 + MIN, 'kumin-counter');
    expect(e.events.at(-1)).toMatchObject({ type: 'fired', severity: 'warning' });
    e.read('wait_minutes', 40, T0 + 2 * MIN, 'kumin-counter');
    expect(e.events.at(-1)).toMatchObject({ type: 'escalated', severity: 'critical' });
  });
});

describe('stale sensors', () => {
  const stale = { id: 'sensor.stale', kind: 'stale', category: 'sensor' };

  it('fires after intervals × expected interval without a message, and resolves on the next one', () => {
    const e = engineFor([stale]);
    e.engine.watchSensor('takatsu', 'lobby', 'env-1', T0);
    e.tick(T0 + 3 * MIN);
    expect(e.types()).toEqual([]);
    e.tick(T0 + 3 * MIN + 15_000);
    expect(e.events.at(-1)).toMatchObject({
      type: 'fired',
      subject: { key: 'takatsu/lobby/env-1', sensor: 'env-1' },
    });
    e.tick(T0 + 10 * MIN);
    expect(e.types()).toEqual(['fired']);
    e.read('co2', 700, T0 - 60 * MIN, 'lobby', 'env-1', T0 + 11 * MIN); // an old ts still proves the sensor alive
    expect(e.types()).toEqual(['fired', 'resolved']);
  });

  it("a dead sensor's last value neither fires nor keeps pending alive", () => {
    const e = engineFor([co2, stale]);
    for (let i = 0; i < 3; i++) e.read('co2', 1200, T0 + i * MIN);
    for (let t = T0 + 3 * MIN; t < T0 + 60 * MIN; t += 15_000) e.tick(t);
    expect(e.events.filter((x) => x.type !== 'peak').map((x) => `${x.ruleId}:${x.type}`)).toEqual([
      'sensor.stale:fired',
    ]);
  });
});
