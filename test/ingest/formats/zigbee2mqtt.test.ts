import { describe, expect, it } from 'vitest';
import { byQuantity, fixtures, harness, sensor } from '../helpers.js';

const fx = fixtures('zigbee2mqtt');
const lobby = (extra: Record<string, unknown> = {}) =>
  sensor({
    id: 'z-lobby',
    zone: 'lobby',
    format: 'zigbee2mqtt',
    topic: 'zigbee2mqtt/FRIENDLY_NAME',
    ...extra,
  });

describe('zigbee2mqtt format (documented payloads)', () => {
  it('maps the documented temperature & humidity message to the entry ids', () => {
    const h = harness([lobby()]);
    expect(h.send(fx.wsdcgq01lm!.topic, fx.wsdcgq01lm!.payload)).toBe('accepted');
    expect(byQuantity(h.readings)).toEqual({ temperature: 27.34, humidity: 44.72 });
    expect(
      h.readings.every(
        (r) => r.site === 'default' && r.zone === 'lobby' && r.sensor === 'z-lobby' && r.registered,
      ),
    ).toBe(true);
  });

  it('takes occupancy true as one person present', () => {
    const h = harness([lobby()]);
    h.send(fx.rtcgq01lm!.topic, fx.rtcgq01lm!.payload);
    expect(byQuantity(h.readings)).toEqual({ occupancy: 1 });
  });

  it('rejects a message that carries no mapped field, with a reason', () => {
    const h = harness([lobby()]);
    expect(h.send(fx.wxkg01lm!.topic, fx.wxkg01lm!.payload)).toBe('rejected');
    expect(h.rejected[0]?.reason).toBe('no_values');
  });

  it.each([
    ['availability-legacy-online', true],
    ['availability-legacy-offline', false],
    ['availability-json-online', true],
    ['availability-json-offline', false],
  ])('reads availability %s', (id, online) => {
    const h = harness([lobby()]);
    expect(h.send(fx[id]!.topic, fx[id]!.payload)).toBe('status');
    expect(h.statuses).toEqual([
      expect.objectContaining({ site: 'default', zone: 'lobby', sensor: 'z-lobby', online }),
    ]);
  });
});

describe('zigbee2mqtt hard cases', () => {
  it('prefers illuminance_lux over raw illuminance (1.x) and takes illuminance as lux when alone (2.x)', () => {
    const h = harness([lobby()]);
    h.send('zigbee2mqtt/FRIENDLY_NAME', '{"illuminance":17000,"illuminance_lux":50}');
    expect(byQuantity(h.readings)).toEqual({ illuminance: 50 });
    h.readings.length = 0;
    h.send('zigbee2mqtt/FRIENDLY_NAME', '{"illuminance":420}');
    expect(byQuantity(h.readings)).toEqual({ illuminance: 420 });
  });

  it('ignores battery 0 % of an externally powered device and keeps its readings', () => {
    const h = harness([lobby()]);
    expect(
      h.send('zigbee2mqtt/FRIENDLY_NAME', '{"battery":0,"co2":640,"linkquality":87,"power_source":"DC"}'),
    ).toBe('accepted');
    expect(byQuantity(h.readings)).toEqual({ co2: 640 });
    expect(h.rejected).toEqual([]);
  });

  it('treats null as unknown and rejects nested junk in a mapped field, keeping valid fields', () => {
    const h = harness([lobby()]);
    expect(
      h.send(
        'zigbee2mqtt/FRIENDLY_NAME',
        '{"temperature":null,"humidity":{"x":[1]},"co2":700,"update":{"state":"idle"}}',
      ),
    ).toBe('accepted');
    expect(byQuantity(h.readings)).toEqual({ co2: 700 });
    expect(h.rejected.map((r) => r.reason)).toEqual(['not_a_number']);
  });

  it('routes a friendly name with spaces and non-ASCII characters', () => {
    const topic = 'zigbee2mqtt/1F 区民課/窓口 センサー';
    const h = harness([lobby({ topic })]);
    expect(h.send(topic, '{"temperature":22.5}')).toBe('accepted');
    expect(h.send(`${topic}/availability`, '{"state":"offline"}')).toBe('status');
    expect(byQuantity(h.readings)).toEqual({ temperature: 22.5 });
    expect(h.statuses[0]?.online).toBe(false);
  });

  it('uses last_seen as the reading time', () => {
    const h = harness([lobby()]);
    h.send('zigbee2mqtt/FRIENDLY_NAME', '{"temperature":21,"last_seen":"2026-01-15T09:59:00+09:00"}');
    expect(h.readings[0]?.ts).toBe(Date.parse('2026-01-15T00:59:00Z'));
  });

  it('maps `state: lights` when the entry says so', () => {
    const h = harness([lobby({ map: { state: 'lights', illuminance: 'illuminance' } })]);
    h.send('zigbee2mqtt/FRIENDLY_NAME', '{"state":"ON","brightness":215}');
    expect(byQuantity(h.readings)).toEqual({ lights: 1 });
  });
});
