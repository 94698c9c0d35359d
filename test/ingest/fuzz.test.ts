import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bus } from '../../src/core/bus.js';
import { ManualClock } from '../../src/core/clock.js';
import { LatestCache } from '../../src/core/latest.js';
import { silentLogger } from '../../src/core/log.js';
import { Metrics } from '../../src/core/metrics.js';
import { QUANTITIES } from '../../src/core/quantities.js';
import { type Reading, SLUG } from '../../src/core/reading.js';
import { DiscoveryFormat, ProposalStore } from '../../src/ingest/discovery-store.js';
import { buildRouter } from '../../src/ingest/formats/registry.js';
import { Ingestor } from '../../src/ingest/ingestor.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { fixtures, NOW, sensor, testConfig } from './helpers.js';

const RUNS = 2000;
const REASONS = new Set([
  'payload_too_large',
  'empty_payload',
  'invalid_utf8',
  'invalid_json',
  'not_an_object',
  'bad_topic',
  'unknown_quantity',
  'not_a_number',
  'out_of_range',
  'bad_timestamp',
  'future_timestamp',
  'too_old',
  'unregistered_sensor',
  'no_values',
  'unmapped',
  'unit_unknown',
]);

/** One device per format, and the concrete topics each listens on. */
const DEVICES: { format: string; entry: Record<string, unknown>; topics: string[] }[] = [
  {
    format: 'zigbee2mqtt',
    entry: { topic: 'zigbee2mqtt/FRIENDLY_NAME' },
    topics: ['zigbee2mqtt/FRIENDLY_NAME', 'zigbee2mqtt/FRIENDLY_NAME/availability'],
  },
  {
    format: 'tasmota',
    entry: { topic: 'tele/tasmota/SENSOR' },
    topics: ['tele/tasmota/SENSOR', 'tele/tasmota/LWT'],
  },
  {
    format: 'esphome',
    entry: {
      topic: 'livingroom',
      map: { living_room_temperature: 'temperature', co2: 'co2', motion: 'occupancy' },
    },
    topics: [
      'livingroom/sensor/co2/state',
      'livingroom/binary_sensor/motion/state',
      'livingroom/sensor/x/state',
      'livingroom/status',
    ],
  },
  {
    format: 'homeassistant',
    entry: {
      topic: 'homeassistant/sensor/sensorBedroom/state',
      availabilityTopic: 'bedroom/avail',
      map: { temperature: 'temperature', 'a.b': { quantity: 'humidity', unit: 'ratio' } },
    },
    topics: ['homeassistant/sensor/sensorBedroom/state', 'bedroom/avail'],
  },
  {
    format: 'shelly',
    entry: { topic: 'shellyhtg3-84fce63ad204' },
    topics: [
      'shellyhtg3-84fce63ad204/events/rpc',
      'shellyhtg3-84fce63ad204/status/temperature:0',
      'shellyhtg3-84fce63ad204/online',
    ],
  },
  {
    format: 'homie',
    entry: {
      topic: 'homie/super-car',
      map: { 'engine.temperature': 'temperature', 'engine.co2': { quantity: 'co2', unit: '%' } },
    },
    topics: [
      'homie/super-car/$state',
      'homie/super-car/engine/temperature',
      'homie/super-car/engine/temperature/$unit',
      'homie/super-car/engine/co2/$unit',
      'homie/super-car/engine/co2',
    ],
  },
];

function setup() {
  const config = testConfig({ ingest: { keepRejected: 50, maxPayloadBytes: 4096 } });
  const inventory = new Inventory(
    DEVICES.map((d, i) => sensor({ id: `d${i}`, zone: 'lobby', format: d.format, ...d.entry })).concat(
      sensor({ id: 'n1', zone: 'lobby' }),
    ),
  );
  const clock = new ManualClock(NOW);
  const store = new ProposalStore(50);
  const router = buildRouter(config, inventory, {
    discovery: { prefix: 'homeassistant', format: new DiscoveryFormat(store, 'homeassistant', clock) },
  });
  const bus = new Bus();
  const readings: Reading[] = [];
  let rejections: { reason: string; detail: string }[] = [];
  bus.on('readings', (r) => readings.push(...r));
  bus.on('rejected', (r) => rejections.push(r));
  const ingestor = new Ingestor({
    config,
    inventory,
    router,
    sink: { acceptSync: () => {} },
    latest: new LatestCache(),
    bus,
    clock,
    log: silentLogger,
    metrics: new Metrics(),
  });
  let t = NOW;
  return {
    store,
    ingestor,
    readings,
    handle(topic: string, payload: Buffer) {
      rejections = [];
      t += 5000; // past the dedupe window: every message is judged
      const outcome = ingestor.handle({ topic, payload, receivedAt: t });
      return { outcome, rejections };
    },
  };
}

/** Documented payloads, mutated: byte flips, truncation, JSON values swapped for junk. */
function payloads(format: string): fc.Arbitrary<Buffer> {
  const docs = Object.values(fixtures(format)).map((m) => m.payload);
  const doc = fc.constantFrom(...docs);
  const junk = fc.oneof(
    fc.constant(null),
    fc.string(),
    fc.double(),
    fc.boolean(),
    fc.constant('Normal'),
    fc.constant('ON'),
    fc.object(),
    fc.array(fc.integer()),
  );
  const mutatedJson = fc.tuple(doc, junk, fc.nat()).map(([d, j, n]) => {
    try {
      const o = JSON.parse(d) as Record<string, unknown>;
      if (typeof o !== 'object' || o === null) return d;
      const keys = Object.keys(o);
      const k = keys[n % Math.max(1, keys.length)] ?? 'x';
      o[k] = j;
      return JSON.stringify(o);
    } catch {
      return d;
    }
  });
  const flipped = fc.tuple(doc, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([d, i, b]) => {
    const buf = Buffer.from(d);
    if (buf.length > 0) buf[i % buf.length] = b;
    return buf.toString('latin1');
  });
  const truncated = fc.tuple(doc, fc.nat()).map(([d, n]) => d.slice(0, n % (d.length + 1)));
  return fc.oneof(
    doc.map((d) => Buffer.from(d)),
    mutatedJson.map((d) => Buffer.from(d)),
    flipped.map((d) => Buffer.from(d, 'latin1')),
    truncated.map((d) => Buffer.from(d)),
    fc.json().map((d) => Buffer.from(d)),
    fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
    fc.string({ unit: 'grapheme', maxLength: 80 }).map((s) => Buffer.from(s)),
  );
}

function checkReading(r: Reading): void {
  expect(Number.isFinite(r.value)).toBe(true);
  const q = QUANTITIES[r.quantity];
  expect(r.value).toBeGreaterThanOrEqual(q.min);
  expect(r.value).toBeLessThanOrEqual(q.max);
  expect(SLUG.test(r.site) && SLUG.test(r.zone) && SLUG.test(r.sensor)).toBe(true);
  expect(Number.isFinite(r.ts)).toBe(true);
}

describe('every format survives random and mutated payloads', () => {
  const h = setup();
  const formats = [
    ...DEVICES.map((d) => ({ name: d.format, topics: d.topics, payloadFormat: d.format })),
    { name: 'discovery', topics: [], payloadFormat: 'homeassistant' },
  ];
  for (const f of formats) {
    it(`${f.name}: no exception escapes; each message is a valid reading, a status, ignored, or a counted rejection with a reason`, () => {
      const topic =
        f.name === 'discovery'
          ? fc
              .tuple(
                fc.constantFrom('sensor', 'binary_sensor', 'switch'),
                fc.stringMatching(/^[a-zA-Z0-9_ 区]{1,12}$/),
              )
              .map(([c, o]) => `homeassistant/${c}/${o}/config`)
          : fc.oneof(
              fc.constantFrom(...f.topics),
              fc.constantFrom(...f.topics).map((t) => `${t}/extra`),
            );
      fc.assert(
        fc.property(topic, payloads(f.payloadFormat), (t, p) => {
          const before = h.readings.length;
          const { outcome, rejections } = h.handle(t, p);
          expect(['accepted', 'rejected', 'status', 'ignored']).toContain(outcome);
          if (outcome === 'rejected') expect(rejections.length).toBeGreaterThan(0);
          if (outcome === 'accepted') expect(h.readings.length).toBeGreaterThan(before);
          else expect(h.readings.length).toBe(before);
          for (const r of rejections) {
            expect(REASONS.has(r.reason)).toBe(true);
            expect(r.detail.length).toBeGreaterThan(0);
          }
          for (const r of h.readings.slice(before)) checkReading(r);
        }),
        { numRuns: RUNS, seed: 7 },
      );
    });
  }

  it('memory stays bounded: rejected ring, proposals, and per-device state have fixed caps', () => {
    expect(h.ingestor.rejected().length).toBeLessThanOrEqual(50);
    expect(h.store.size).toBeLessThanOrEqual(50);
    const heapBefore = process.memoryUsage().heapUsed;
    const junk = Buffer.from('{"temperature":"x"}');
    for (let i = 0; i < 20_000; i++) {
      h.handle(
        `homeassistant/sensor/n${i}/config`,
        Buffer.from(JSON.stringify({ state_topic: `s/${i}`, device_class: 'temperature' })),
      );
      h.handle('homie/super-car/engine/temperature/$unit', Buffer.from(`u${i}`));
      h.handle('zigbee2mqtt/FRIENDLY_NAME', junk);
    }
    expect(h.store.size).toBeLessThanOrEqual(50);
    expect(h.ingestor.rejected().length).toBeLessThanOrEqual(50);
    // generous: 60k messages must not grow the heap by more than a few MB of retained state
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });
});
