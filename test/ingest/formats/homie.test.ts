import { describe, expect, it } from 'vitest';
import { byQuantity, fixtures, harness, sensor } from '../helpers.js';

const fx = fixtures('homie');
const entry = (map: Record<string, unknown> = { 'engine.temperature': 'temperature' }) =>
  sensor({ id: 'h-car', zone: 'office', format: 'homie', topic: 'homie/super-car', map });

describe('homie v4 format (documented topics)', () => {
  it('reads a property value with its $unit', () => {
    const h = harness([entry()]);
    expect(h.send(fx['temperature-unit']!.topic, fx['temperature-unit']!.payload)).toBe('ignored');
    expect(h.send(fx.temperature!.topic, fx.temperature!.payload)).toBe('accepted');
    expect(byQuantity(h.readings)).toEqual({ temperature: 21.5 });
  });

  it('converts when $unit is °F', () => {
    const h = harness([entry()]);
    h.send('homie/super-car/engine/temperature/$unit', '°F');
    h.send('homie/super-car/engine/temperature', '70.7');
    expect(byQuantity(h.readings).temperature).toBeCloseTo(21.5, 6);
  });

  it('maps $state ready/lost to online/offline and ignores init', () => {
    const h = harness([entry()]);
    expect(h.send(fx['state-ready']!.topic, fx['state-ready']!.payload)).toBe('status');
    expect(h.send(fx['state-init']!.topic, fx['state-init']!.payload)).toBe('ignored');
    expect(h.send(fx['state-lost']!.topic, fx['state-lost']!.payload)).toBe('status');
    expect(h.statuses.map((s) => s.online)).toEqual([true, false]);
  });

  it('ignores other attributes and unmapped properties', () => {
    const h = harness([entry()]);
    // device attributes are not subscribed at all; node attributes are, and are ignored
    expect(h.router.route(fx.name!.topic)).toBeUndefined();
    expect(h.send('homie/super-car/engine/$name', 'Car engine')).toBe('ignored');
    // values are read by their content, so $datatype is not needed and not subscribed
    expect(h.router.route(fx['temperature-datatype']!.topic)).toBeUndefined();
    expect(h.send('homie/super-car/engine/speed', '120')).toBe('ignored');
  });

  it('needs a map (no default for Homie)', () => {
    expect(() => harness([sensor({ id: 'h-x', zone: 'office', format: 'homie', topic: 'homie/x' })])).toThrow(
      /map/,
    );
  });
});
