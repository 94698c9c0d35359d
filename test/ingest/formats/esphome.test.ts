import { describe, expect, it } from 'vitest';
import { byQuantity, fixtures, harness, sensor } from '../helpers.js';

const fx = fixtures('esphome');
const entry = () =>
  sensor({
    id: 'e-living',
    zone: 'lobby',
    format: 'esphome',
    topic: 'livingroom',
    map: { living_room_temperature: 'temperature', co2: 'co2', motion: 'occupancy' },
  });

describe('esphome format (documented topics)', () => {
  it('reads plain sensor states by object id', () => {
    const h = harness([entry()]);
    expect(h.send(fx.temperature!.topic, fx.temperature!.payload)).toBe('accepted');
    expect(h.send(fx.co2!.topic, fx.co2!.payload)).toBe('accepted');
    expect(byQuantity(h.readings)).toEqual({ temperature: 23.4, co2: 812 });
    expect(h.readings[0]).toMatchObject({ zone: 'lobby', sensor: 'e-living' });
  });

  it('reads a binary_sensor ON as 1', () => {
    const h = harness([entry()]);
    h.send(fx.motion!.topic, fx.motion!.payload);
    expect(byQuantity(h.readings)).toEqual({ occupancy: 1 });
  });

  it('rejects nan with a reason and ignores entities not in the map', () => {
    const h = harness([entry()]);
    expect(h.send(fx.nan!.topic, fx.nan!.payload)).toBe('rejected');
    expect(h.rejected[0]?.reason).toBe('not_a_number');
    expect(h.send(fx.wifi!.topic, fx.wifi!.payload)).toBe('ignored');
  });

  it('reads the birth and will messages on <prefix>/status', () => {
    const h = harness([entry()]);
    h.send(fx.birth!.topic, fx.birth!.payload);
    h.send(fx.will!.topic, fx.will!.payload);
    expect(h.statuses.map((s) => s.online)).toEqual([true, false]);
  });

  it('converts with the unit the entry names (°F, mV with a scale)', () => {
    const h = harness([
      sensor({
        id: 'e-adc',
        zone: 'lobby',
        format: 'esphome',
        topic: 'adc node',
        map: {
          temp_f: { quantity: 'temperature', unit: '°F' },
          co2_analog: { quantity: 'co2', unit: 'mV', scale: 1000 },
        },
      }),
    ]);
    h.send('adc node/sensor/temp_f/state', '77');
    h.send('adc node/sensor/co2_analog/state', '850');
    expect(byQuantity(h.readings)).toEqual({ temperature: 25, co2: 850 });
  });
});
