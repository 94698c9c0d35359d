import { describe, expect, it } from 'vitest';
import { byQuantity, fixtures, harness, sensor } from '../helpers.js';

const fx = fixtures('tasmota');
const entry = (extra: Record<string, unknown> = {}) =>
  sensor({ id: 't-office', zone: 'office', format: 'tasmota', topic: 'tele/tasmota/SENSOR', ...extra });

describe('tasmota format (documented payloads)', () => {
  it('reads BME280 temperature and humidity, ignoring pressure and Time', () => {
    const h = harness([entry()]);
    expect(h.send(fx.bme280!.topic, fx.bme280!.payload)).toBe('accepted');
    expect(byQuantity(h.readings)).toEqual({ temperature: 21.7, humidity: 66.6 });
  });

  it('reads BH1750 illuminance', () => {
    const h = harness([entry()]);
    h.send(fx.bh1750!.topic, fx.bh1750!.payload);
    expect(byQuantity(h.readings)).toEqual({ illuminance: 79 });
  });

  it('reads SCD40 CarbonDioxide as co2', () => {
    const h = harness([entry()]);
    h.send(fx.scd40!.topic, fx.scd40!.payload);
    expect(byQuantity(h.readings)).toEqual({ co2: 1204, temperature: 28.8, humidity: 47.5 });
  });

  it('converts temperatures when TempUnit is F', () => {
    const h = harness([entry()]);
    h.send(fx['scd40-fahrenheit']!.topic, fx['scd40-fahrenheit']!.payload);
    expect(byQuantity(h.readings).temperature).toBeCloseTo(((83.8 - 32) * 5) / 9, 6);
  });

  it('reads the LWT Online/Offline from the sibling topic', () => {
    const h = harness([entry()]);
    expect(h.send(fx['lwt-online']!.topic, fx['lwt-online']!.payload)).toBe('status');
    expect(h.send(fx['lwt-offline']!.topic, fx['lwt-offline']!.payload)).toBe('status');
    expect(h.statuses.map((s) => s.online)).toEqual([true, false]);
    expect(h.statuses[0]).toMatchObject({ zone: 'office', sensor: 't-office' });
  });

  it('uses an explicit map (SCD40.Temperature rather than the first sensor) and skips the chip temperature', () => {
    const h = harness([entry({ map: { 'SCD40.Temperature': 'temperature', 'SCD40.CarbonDioxide': 'co2' } })]);
    h.send(
      'tele/tasmota/SENSOR',
      '{"ESP32":{"Temperature":48.1},"BME280":{"Temperature":20.1},"SCD40":{"CarbonDioxide":900,"Temperature":22.4},"TempUnit":"C"}',
    );
    expect(byQuantity(h.readings)).toEqual({ temperature: 22.4, co2: 900 });
    const d = harness([entry()]);
    d.send(
      'tele/tasmota/SENSOR',
      '{"ESP32":{"Temperature":48.1},"BME280":{"Temperature":20.1},"TempUnit":"C"}',
    );
    expect(byQuantity(d.readings)).toEqual({ temperature: 20.1 });
  });
});
