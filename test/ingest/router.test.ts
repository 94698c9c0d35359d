import { describe, expect, it } from 'vitest';
import { ConfigError, KaitekiError } from '../../src/core/errors.js';
import type { PayloadFormat } from '../../src/ingest/format.js';
import { buildRouter, defaultRegistry, FormatRegistry } from '../../src/ingest/formats/registry.js';
import { zigbee2mqtt } from '../../src/ingest/formats/zigbee2mqtt.js';
import { FormatRouter, type SubscriptionChange } from '../../src/ingest/router.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { sensorSchema } from '../../src/inventory/schema.js';
import { byQuantity, harness, sensor, testConfig } from './helpers.js';

const fmt = (name: string): PayloadFormat => ({ name, parse: () => ({ kind: 'ignore' }) });

describe('FormatRouter', () => {
  it('routes exact and wildcard filters, and the native prefix only when nothing else matches', () => {
    const r = new FormatRouter('kaiteki', []);
    r.set('a', [{ filter: 'tele/+/SENSOR', format: fmt('a') }]);
    r.set('b', [{ filter: 'z/#', format: fmt('b') }]);
    expect(r.route('tele/x/SENSOR')?.name).toBe('a');
    expect(r.route('z/1/2/3')?.name).toBe('b');
    expect(r.route('kaiteki/s/z/x')?.name).toBe('kaiteki');
    expect(r.route('tele/x/y/SENSOR')).toBeUndefined();
  });

  it('gives a message to every matching group, merging their candidates', () => {
    const h = harness([
      sensor({
        id: 'a',
        zone: 'lobby',
        format: 'zigbee2mqtt',
        topic: 'zigbee2mqtt/dev',
        map: { temperature: 'temperature' },
      }),
      sensor({
        id: 'b',
        zone: 'office',
        format: 'zigbee2mqtt',
        topic: 'zigbee2mqtt/dev',
        map: { co2: 'co2' },
      }),
    ]);
    expect(h.send('zigbee2mqtt/dev', '{"temperature":21,"co2":500}')).toBe('accepted');
    expect(h.readings.map((r) => `${r.sensor}:${r.quantity}`).sort()).toEqual(['a:temperature', 'b:co2']);
    h.readings.length = 0;
    // one entry has nothing in this message: that is not a rejection when the other has values
    expect(h.send('zigbee2mqtt/dev', '{"co2":510}')).toBe('accepted');
    expect(h.rejected).toEqual([]);
  });

  it('replaces and removes groups, telling listeners which filters to (un)subscribe, once per filter', () => {
    const r = new FormatRouter('kaiteki', ['hq'], 'g');
    const seen: SubscriptionChange[] = [];
    r.onSubscriptionsChanged((c) => seen.push(c));
    r.set('x', [{ filter: 'a/b', format: fmt('x') }]);
    r.set('y', [{ filter: 'a/b', format: fmt('y') }]);
    r.set('x', [{ filter: 'c/d', format: fmt('x') }]);
    r.remove('y');
    expect(seen).toEqual([
      { added: ['$share/g/a/b'], removed: [] },
      { added: ['$share/g/c/d'], removed: [] },
      { added: [], removed: ['$share/g/a/b'] },
    ]);
    expect(r.subscriptions()).toEqual(['$share/g/kaiteki/hq/#', '$share/g/c/d']);
  });
});

describe('buildRouter and the registry', () => {
  it('refuses a duplicate format name', () => {
    expect(() => new FormatRegistry().register(zigbee2mqtt).register(zigbee2mqtt)).toThrow(KaitekiError);
    expect(() => new FormatRegistry().register({ ...zigbee2mqtt, name: 'kaiteki' })).toThrow(KaitekiError);
  });

  it('lists every bad inventory entry at once', () => {
    const inv = new Inventory([
      sensor({ id: 'a', zone: 'z', format: 'zigbe2mqtt', topic: 'x' }),
      sensor({ id: 'b', zone: 'z', format: 'homie', topic: 'homie/b' }),
    ]);
    try {
      buildRouter(testConfig(), inv, { registry: defaultRegistry() });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.map((i) => i.path)).toEqual([
        'sensors.a.format',
        'sensors.b.format',
      ]);
    }
  });

  it('keeps native kaiteki entries working unchanged', () => {
    const h = harness([sensor({ id: 'n1', zone: 'lobby' })]);
    expect(h.send('kaiteki/default/lobby/n1', '{"co2":812}')).toBe('accepted');
    expect(byQuantity(h.readings)).toEqual({ co2: 812 });
  });
});

describe('inventory schema for third-party entries', () => {
  it.each([
    [{ id: 'a', zone: 'z', format: 'tasmota' }, 'topic'],
    [{ id: 'a', zone: 'z', topic: 'x/y' }, 'topic'],
    [{ id: 'a', zone: 'z', format: 'esphome', topic: 'a/+b' }, 'topic'],
    [{ id: 'a', zone: 'z', format: 'esphome', topic: 'a/#/b' }, 'topic'],
    [
      { id: 'a', zone: 'z', format: 'esphome', topic: 'a', map: { x: { quantity: 'co2', unit: 'furlong' } } },
      'map',
    ],
    [
      { id: 'a', zone: 'z', format: 'esphome', topic: 'a', map: { x: { quantity: 'co2', unit: 'mV' } } },
      'map',
    ],
    [{ id: 'a', zone: 'z', format: 'esphome', topic: 'a', map: { x: 'radiation' } }, 'map'],
  ])('rejects %j at %s', (raw, path) => {
    const r = sensorSchema.safeParse(raw);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path[0]).toBe(path);
  });

  it('accepts wildcards, spaces and non-ASCII in topics', () => {
    expect(
      sensorSchema.safeParse({ id: 'a', zone: 'z', format: 'zigbee2mqtt', topic: 'zigbee2mqtt/1F 窓口/+' })
        .success,
    ).toBe(true);
  });
});

describe('duplicates through the Ingestor', () => {
  it('counts identical payloads repeated several times a second once, for a mapped device', async () => {
    const h = harness([sensor({ id: 't', zone: 'office', format: 'tasmota', topic: 'tele/t/SENSOR' })]);
    const payload = '{"SCD40":{"CarbonDioxide":900},"TempUnit":"C"}';
    const t0 = Date.parse('2026-01-15T01:00:00Z');
    const outcomes = [0, 150, 300, 450, 600].map((dt) => h.send('tele/t/SENSOR', payload, t0 + dt));
    expect(outcomes).toEqual(['accepted', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect(h.readings).toHaveLength(1);
    const text = await h.metrics.text();
    expect(text).toMatch(/kaiteki_ingest_duplicates_total 4/);
    expect(h.send('tele/t/SENSOR', '{"SCD40":{"CarbonDioxide":901},"TempUnit":"C"}', t0 + 700)).toBe(
      'accepted',
    );
  });
});
