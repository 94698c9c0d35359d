import { describe, expect, it } from 'vitest';
import { harness as baseHarness, byQuantity, fixtures, sensor, testConfig } from '../helpers.js';

const fx = fixtures('shelly');
// The documented frames carry 2021–2023 timestamps: accept readings that old.
const harness = (sensors: Parameters<typeof baseHarness>[0]) =>
  baseHarness(sensors, testConfig({ ingest: { maxAgeDays: 10_000 } }));
const entry = (topic = 'shellyhtg3-84fce63ad204', extra: Record<string, unknown> = {}) =>
  sensor({ id: 's-counter', zone: 'counter', format: 'shelly', topic, ...extra });

describe('shelly gen2 format (documented payloads)', () => {
  it('reads temperature:0.tC and humidity:0.rh from NotifyStatus, with the frame ts', () => {
    const h = harness([entry()]);
    expect(h.send(fx['notify-temperature']!.topic, fx['notify-temperature']!.payload)).toBe('accepted');
    expect(h.send(fx['notify-humidity']!.topic, fx['notify-humidity']!.payload)).toBe('accepted');
    expect(byQuantity(h.readings)).toEqual({ temperature: 20.5, humidity: 45.5 });
    expect(h.readings[0]?.ts).toBe(1631266595430);
  });

  it('ignores a notification about other components', () => {
    const h = harness([entry()]);
    expect(h.send(fx['notify-wifi']!.topic, fx['notify-wifi']!.payload)).toBe('ignored');
    expect(h.rejected).toEqual([]);
  });

  it('ignores battery 0 % of an externally powered H&T and keeps its readings', () => {
    const f = fx['full-status-external-power']!;
    const h = harness([entry('shellyplusht-b8d61a8b17cc')]);
    expect(h.send(f.topic, f.payload)).toBe('accepted');
    expect(byQuantity(h.readings)).toEqual({ temperature: 19.8, humidity: 42.2 });
  });

  it('reads generic status updates on <prefix>/status/<component>', () => {
    const h = harness([entry()]);
    expect(h.send(fx['status-temperature']!.topic, fx['status-temperature']!.payload)).toBe('accepted');
    expect(byQuantity(h.readings)).toEqual({ temperature: 20.5 });
  });

  it('converts tF from °F when the entry maps it', () => {
    const h = harness([entry(undefined, { map: { 'temperature:0.tF': 'temperature' } })]);
    h.send(fx['status-temperature']!.topic, fx['status-temperature']!.payload);
    expect(byQuantity(h.readings).temperature).toBeCloseTo(20.5, 1);
  });

  it('reads <prefix>/online true/false', () => {
    const h = harness([entry()]);
    h.send(fx['online-true']!.topic, fx['online-true']!.payload);
    h.send(fx['online-false']!.topic, fx['online-false']!.payload);
    expect(h.statuses.map((s) => s.online)).toEqual([true, false]);
  });
});
