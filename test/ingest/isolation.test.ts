import { describe, expect, it } from 'vitest';
import { Bus } from '../../src/core/bus.js';
import { ManualClock } from '../../src/core/clock.js';
import { KaitekiError } from '../../src/core/errors.js';
import { LatestCache } from '../../src/core/latest.js';
import { silentLogger } from '../../src/core/log.js';
import { Metrics } from '../../src/core/metrics.js';
import type { Reading, SensorStatus } from '../../src/core/reading.js';
import { AvailabilityStore } from '../../src/ingest/availability.js';
import { parseDiscovery } from '../../src/ingest/discovery.js';
import type { PayloadFormat, RawMessage } from '../../src/ingest/format.js';
import { buildRouter } from '../../src/ingest/formats/registry.js';
import { Ingestor } from '../../src/ingest/ingestor.js';
import { FormatRouter } from '../../src/ingest/router.js';
import { Inventory, type Sensor } from '../../src/inventory/inventory.js';
import { harness, NOW, sensor, testConfig } from './helpers.js';

/** An Ingestor with a sink that can refuse, a router that can hold a throwing format, and what came out. */
function rig(over: Record<string, unknown> = {}, sensors: Sensor[] = []) {
  const config = testConfig(over);
  const inventory = new Inventory(sensors);
  const router = sensors.length > 0 ? buildRouter(config, inventory) : new FormatRouter('kaiteki', []);
  const clock = new ManualClock(NOW);
  const stored: Reading[] = [];
  const statuses: SensorStatus[] = [];
  let refuse: unknown;
  const bus = new Bus();
  bus.on('status', (s) => statuses.push(s));
  const latest = new LatestCache();
  const metrics = new Metrics();
  const availability = new AvailabilityStore({
    dataDir: ':memory:',
    latest,
    bus,
    log: silentLogger,
    metrics,
  });
  const ingestor = new Ingestor({
    config,
    inventory,
    router,
    sink: {
      acceptSync: (rs) => {
        if (refuse !== undefined) throw refuse;
        stored.push(...rs);
      },
    },
    latest,
    bus,
    clock,
    log: silentLogger,
    metrics,
    availability,
  });
  const msg = (topic: string, payload: string | Buffer, extra: Partial<RawMessage> = {}): RawMessage => ({
    topic,
    payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
    receivedAt: clock.now(),
    ...extra,
  });
  const rejected = async () => {
    const m = await metrics.registry.getSingleMetricAsString('kaiteki_ingest_rejected_total');
    return Object.fromEntries(
      [...m.matchAll(/reason="([^"]+)"} (\d+)/g)].map((x) => [x[1], Number(x[2])] as [string, number]),
    );
  };
  return {
    config,
    router,
    clock,
    stored,
    statuses,
    latest,
    ingestor,
    availability,
    metrics,
    msg,
    rejected,
    refuse: (err: unknown) => {
      refuse = err;
    },
  };
}

const deep = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;

describe('a bad message never costs a good reading', () => {
  it.each([
    ['a timestamp no Date can hold', '{"co2": 1, "ts": 1e308}', 'bad_timestamp'],
    ['a negative one', '{"co2": 1, "ts": -1e300}', 'bad_timestamp'],
    ['a ts nested 10,000 levels deep', `{"co2": 1, "ts": ${deep(10_000)}}`, 'bad_timestamp'],
    ['a value nested 10,000 levels deep', `{"co2": ${deep(10_000)}}`, 'not_a_number'],
    ['an ISO date beyond the Date range', '{"co2": 1, "ts": "+275760-09-13T00:00:00.001Z"}', 'bad_timestamp'],
    ['an overflowing number', '{"co2": 1e309}', 'not_a_number'],
  ])(
    '%s is a counted rejection with its reason, and the batch around it is stored',
    async (_n, bad, reason) => {
      const r = rig();
      const out = r.ingestor.handleMany([
        r.msg('kaiteki/s/z/a', '{"co2": 500}'),
        r.msg('kaiteki/s/z/bad', bad),
        r.msg('kaiteki/s/z/b', '{"co2": 600}'),
      ]);
      expect(out).toEqual(['accepted', 'rejected', 'accepted']);
      expect(r.stored.map((x) => x.value)).toEqual([500, 600]);
      expect(await r.rejected()).toEqual({ [reason]: 1 });
      expect(r.ingestor.rejected().at(-1)).toMatchObject({ topic: 'kaiteki/s/z/bad', reason });
    },
  );

  it('whatever a format throws is that message`s rejection (processing_error), not the batch`s', async () => {
    const r = rig();
    const boom: PayloadFormat = {
      name: 'boom',
      parse: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
    };
    r.router.add('vendor/boom', boom);
    const out = r.ingestor.handleMany([
      r.msg('kaiteki/s/z/a', '{"co2": 500}'),
      r.msg('vendor/boom', 'x'),
      r.msg('kaiteki/s/z/b', '{"co2": 600}'),
    ]);
    expect(out).toEqual(['accepted', 'rejected', 'accepted']);
    expect(r.stored).toHaveLength(2);
    expect(await r.rejected()).toEqual({ processing_error: 1 });
    expect(r.ingestor.rejected().at(-1)?.detail).toMatch(/RangeError: Maximum call stack/);
  });

  it.each([2000, 0])(
    'a refused batch is retried whole and never judged against itself (dedupeWindowMs %i)',
    (windowMs) => {
      const r = rig({ ingest: { dedupeWindowMs: windowMs } });
      const batch = [
        r.msg('kaiteki/s/z/a', '{"co2": 500}'),
        r.msg('kaiteki/s/z/a', '{"co2": 500}'), // a repeat inside the batch
        r.msg('kaiteki/s/z/b', '{"co2": 600}'),
      ];
      r.refuse(new KaitekiError('disk full', { retryable: true }));
      expect(() => r.ingestor.handleMany(batch)).toThrow(KaitekiError);
      expect(() => r.ingestor.handleMany(batch)).toThrow(KaitekiError);
      r.refuse(undefined);
      const out = r.ingestor.handleMany(batch);
      expect(out).toEqual(['accepted', windowMs > 0 ? 'duplicate' : 'accepted', 'accepted']);
      expect(r.stored.map((x) => x.value)).toEqual(windowMs > 0 ? [500, 600] : [500, 500, 600]);
    },
  );

  it('an untyped sink error still reaches the caller as a store error (held acks, retried)', () => {
    const r = rig();
    r.refuse(new Error('SQLITE_FULL'));
    expect(() => r.ingestor.handle(r.msg('kaiteki/s/z/a', '{"co2": 1}'))).toThrow(KaitekiError);
  });

  it('an availability store that cannot write fails the batch (acks held, retried), never a lost status', async () => {
    const r = rig();
    await r.availability.start();
    // a real SQLite failure on the availability write, until the trigger is dropped
    const db = (r.availability as unknown as { db: { exec(sql: string): void } }).db;
    db.exec(
      `CREATE TRIGGER refuse BEFORE INSERT ON availability BEGIN SELECT RAISE(ABORT, 'disk I/O error (test)'); END`,
    );
    const batch = [
      r.msg('kaiteki/s/z/a', '{"co2": 500}'),
      r.msg('kaiteki/s/z/x/status', 'offline'),
      r.msg('kaiteki/s/z/b', '{"co2": 600}'),
    ];
    let thrown: unknown;
    try {
      r.ingestor.handleMany(batch);
    } catch (err) {
      thrown = err;
    }
    // the caller (MqttSource) holds the acks of a batch that threw a retryable error, and retries it
    expect(thrown).toBeInstanceOf(KaitekiError);
    expect((thrown as KaitekiError).retryable).toBe(true);
    expect(r.stored).toEqual([]);
    expect(r.statuses).toEqual([]);
    expect(r.latest.status('s', 'x')).toBeUndefined();
    expect(await r.rejected()).toEqual({});
    expect(() => r.ingestor.handleMany(batch)).toThrow(KaitekiError); // still failing: still held
    db.exec('DROP TRIGGER refuse');
    // the retry of the same messages: stored, and nothing judged a duplicate of the failed tries
    expect(r.ingestor.handleMany(batch)).toEqual(['accepted', 'status', 'accepted']);
    expect(r.stored.map((x) => x.value)).toEqual([500, 600]);
    expect(r.statuses).toEqual([{ site: 's', zone: 'z', sensor: 'x', online: false, ts: NOW }]);
    expect(r.latest.status('s', 'x')).toMatchObject({ online: false });
    await r.availability.stop();
  });

  it('a redelivered (DUP) message without ts is not stored twice, even with dedupeWindowMs 0', () => {
    const r = rig({ ingest: { dedupeWindowMs: 0 } });
    expect(r.ingestor.handle(r.msg('kaiteki/s/z/a', '{"co2": 700}'))).toBe('accepted');
    r.clock.advance(30_000); // a reconnect later
    expect(r.ingestor.handle(r.msg('kaiteki/s/z/a', '{"co2": 700}', { dup: true }))).toBe('duplicate');
    // a DUP that was never committed is new
    expect(r.ingestor.handle(r.msg('kaiteki/s/z/a', '{"co2": 710}', { dup: true }))).toBe('accepted');
    // and the same payload live again is a new reading (window 0)
    expect(r.ingestor.handle(r.msg('kaiteki/s/z/a', '{"co2": 700}'))).toBe('accepted');
    expect(r.stored.map((x) => x.value)).toEqual([700, 710, 700]);
  });

  it('two messages on one topic whose acks were both lost: both redeliveries are duplicates', () => {
    const r = rig({ ingest: { dedupeWindowMs: 0 } });
    expect(r.ingestor.handleMany([r.msg('kaiteki/s/z/a', '{"co2": 701}', { messageId: 1 })])).toEqual([
      'accepted',
    ]);
    expect(r.ingestor.handleMany([r.msg('kaiteki/s/z/a', '{"co2": 702}', { messageId: 2 })])).toEqual([
      'accepted',
    ]);
    r.clock.advance(30_000); // the reconnect dropped both acks; the broker redelivers both
    const redelivered = [
      r.msg('kaiteki/s/z/a', '{"co2": 701}', { dup: true, messageId: 1 }),
      r.msg('kaiteki/s/z/a', '{"co2": 702}', { dup: true, messageId: 2 }),
    ];
    expect(r.ingestor.handleMany(redelivered)).toEqual(['duplicate', 'duplicate']);
    expect(r.stored.map((x) => x.value)).toEqual([701, 702]);
  });
});

describe('the redelivery guard remembers only what the store cannot dedupe', () => {
  it('a message whose readings carry their own ts is not kept: redelivered, it is the same reading (same series and ts) again', () => {
    const r = rig({ ingest: { dedupeWindowMs: 0 } });
    const ts = NOW - 5_000;
    const before = r.ingestor.dedupeEntries;
    expect(r.ingestor.handle(r.msg('kaiteki/s/z/a', `{"co2": 700, "ts": ${ts}}`, { messageId: 7 }))).toBe(
      'accepted',
    );
    expect(r.ingestor.dedupeEntries).toBe(before); // nothing remembered for it
    r.clock.advance(30_000);
    expect(
      r.ingestor.handle(r.msg('kaiteki/s/z/a', `{"co2": 700, "ts": ${ts}}`, { dup: true, messageId: 7 })),
    ).toBe('accepted');
    const [a, b] = r.stored;
    expect(b).toEqual(a); // one identity: the store keeps one reading (contract: test/store/contract.ts)
    // stamped on arrival, the same message would have been kept and judged a duplicate
    expect(r.ingestor.handle(r.msg('kaiteki/s/z/b', '{"co2": 700}', { messageId: 8 }))).toBe('accepted');
    expect(r.ingestor.dedupeEntries).toBeGreaterThan(before);
    r.clock.advance(30_000);
    expect(r.ingestor.handle(r.msg('kaiteki/s/z/b', '{"co2": 700}', { dup: true, messageId: 8 }))).toBe(
      'duplicate',
    );
  });
});

describe('restarts invent nothing', () => {
  it('a retained value without its own ts is not a new reading; with a ts it is the same reading', () => {
    const r = rig();
    expect(r.ingestor.handle(r.msg('kaiteki/s/z/a', '{"co2": 700}', { retain: true }))).toBe('ignored');
    expect(r.ingestor.handle(r.msg('kaiteki/s/z/a/co2', '700', { retain: true }))).toBe('ignored');
    expect(r.stored).toEqual([]);
    const ts = NOW - 60_000;
    expect(r.ingestor.handle(r.msg('kaiteki/s/z/b', `{"co2": 700, "ts": ${ts}}`, { retain: true }))).toBe(
      'accepted',
    );
    expect(r.stored.map((x) => x.ts)).toEqual([ts]);
  });

  it('availability is state: stored, restored, emitted once per change, kept `since`', async () => {
    const r = rig();
    await r.availability.start();
    expect(r.ingestor.handle(r.msg('kaiteki/s/z/a/status', 'offline', { retain: true }))).toBe('status');
    r.clock.advance(10_000);
    expect(r.ingestor.handle(r.msg('kaiteki/s/z/a/status', 'offline', { retain: true }))).toBe('status');
    expect(r.statuses).toEqual([{ site: 's', zone: 'z', sensor: 'a', online: false, ts: NOW }]);
    expect(r.latest.status('s', 'a')).toMatchObject({ online: false, since: NOW, ts: NOW + 10_000 });
    r.clock.advance(10_000);
    r.ingestor.handle(r.msg('kaiteki/s/z/a/status', 'online'));
    expect(r.statuses.map((s) => s.online)).toEqual([false, true]);
    await r.availability.stop();
  });

  it('availability survives a restart (SQLite in the data dir)', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'kaiteki-avail-'));
    const mk = () => {
      const latest = new LatestCache();
      const store = new AvailabilityStore({
        dataDir: dir,
        latest,
        bus: new Bus(),
        log: silentLogger,
        metrics: new Metrics(),
      });
      return { latest, store };
    };
    const a = mk();
    await a.store.start();
    a.store.record({ site: 's', zone: 'z', sensor: 'x', online: false, ts: NOW });
    await a.store.stop();
    const b = mk();
    await b.store.start();
    expect(b.latest.status('s', 'x')).toEqual({
      site: 's',
      zone: 'z',
      sensor: 'x',
      online: false,
      since: NOW,
      ts: NOW,
    });
    await b.store.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Homie: a value whose unit is not known yet is a counted rejection (unit_unknown), never 70 °F as 70 °C', () => {
    const car = (map: Record<string, unknown>) =>
      sensor({ id: 'h-car', zone: 'office', format: 'homie', topic: 'homie/car', map });
    const h = harness([car({ 'engine.temperature': 'temperature', 'engine.people': 'occupancy' })]);
    // before its $unit: not held in memory (then acknowledged and lost on a crash), not guessed
    expect(h.send('homie/car/engine/temperature', '70')).toBe('rejected');
    expect(h.readings).toEqual([]);
    expect(h.ingestor.rejected().at(-1)).toMatchObject({
      topic: 'homie/car/engine/temperature',
      reason: 'unit_unknown',
    });
    expect(h.rejected.at(-1)?.detail).toMatch(/unit/);
    // a count has one unit only: nothing to wait for
    expect(h.send('homie/car/engine/people', '3')).toBe('accepted');
    // the $unit (retained: it comes first after a (re)subscription) makes later values convertible
    expect(h.send('homie/car/engine/temperature/$unit', '°F')).toBe('ignored');
    expect(h.send('homie/car/engine/temperature', '71.6')).toBe('accepted');
    expect(h.readings.at(-1)!.value).toBeCloseTo(22, 6);
    // a unit in the map needs no $unit
    const m = harness([car({ 'engine.temperature': { quantity: 'temperature', unit: '°C' } })]);
    expect(m.send('homie/car/engine/temperature', '21')).toBe('accepted');
    expect(m.readings.map((r) => r.value)).toEqual([21]);
  });

  it('Homie: a batch the store refused is retried with the same result (no state consumed by the first try)', () => {
    const r = rig({}, [
      sensor({
        id: 'h-2',
        zone: 'office',
        format: 'homie',
        topic: 'homie/d2',
        map: { 'n.t': 'temperature' },
      }),
    ]);
    const h = r.ingestor;
    const batch = [r.msg('homie/d2/n/t/$unit', '°F'), r.msg('homie/d2/n/t', '70.7')];
    r.refuse(new KaitekiError('disk full', { retryable: true }));
    expect(() => h.handleMany(batch)).toThrow(KaitekiError);
    r.refuse(undefined);
    expect(h.handleMany(batch)).toEqual(['ignored', 'accepted']);
    expect(r.stored).toHaveLength(1);
    expect(r.stored[0]!.value).toBeCloseTo(21.5, 6);
  });
});

describe('unknown senders are bounded', () => {
  it('ids longer than 64 characters are rejected', async () => {
    const r = rig();
    const long = 'a'.repeat(60_000);
    expect(r.ingestor.handle(r.msg(`kaiteki/s/z/${long}`, '{"co2": 1}'))).toBe('rejected');
    expect(r.ingestor.handle(r.msg(`kaiteki/s/z/${'b'.repeat(64)}`, '{"co2": 1}'))).toBe('accepted');
    expect(await r.rejected()).toEqual({ id_too_long: 1 });
    expect(r.ingestor.rejected()[0]!.topic.length).toBeLessThanOrEqual(256);
  });

  it('past ingest.maxUnregisteredSeries a new unregistered series is a counted rejection', async () => {
    const r = rig({ ingest: { maxUnregisteredSeries: 3 } });
    for (let i = 0; i < 5; i++) r.ingestor.handle(r.msg(`kaiteki/s/z/junk${i}`, '{"co2": 1}'));
    r.clock.advance(5000);
    r.ingestor.handle(r.msg('kaiteki/s/z/junk0', '{"co2": 2}')); // a known one goes on
    expect(r.stored.map((x) => x.sensor)).toEqual(['junk0', 'junk1', 'junk2', 'junk0']);
    expect(await r.rejected()).toEqual({ too_many_unregistered: 2 });
  });
});

describe('discovery cannot hijack ingest', () => {
  const cfg = (over: Record<string, unknown>) =>
    Buffer.from(JSON.stringify({ device_class: 'temperature', unit_of_measurement: '°C', ...over }));
  it.each([
    ['#', /wildcard/],
    ['+/+/+', /wildcard/],
    ['$SYS/broker/load', /broker topic/],
    ['kaiteki/s/z/x', /native prefix/],
    ['kaiteki', /native prefix/],
  ])('state_topic "%s" is not supported', (topic, why) => {
    const r = parseDiscovery(
      'homeassistant/sensor/x/config',
      cfg({ state_topic: topic }),
      'homeassistant',
      NOW,
    );
    expect(r).toMatchObject({ kind: 'proposal', proposal: { supported: false } });
    if (r.kind === 'proposal') expect(r.proposal.reason).toMatch(why);
  });

  it('an availability topic with a wildcard is refused too; a plain one is fine', () => {
    const bad = parseDiscovery(
      'homeassistant/sensor/x/config',
      cfg({ state_topic: 'dev/x/state', avty_t: 'dev/#' }),
      'homeassistant',
      NOW,
    );
    expect(bad).toMatchObject({ proposal: { supported: false } });
    const ok = parseDiscovery(
      'homeassistant/sensor/x/config',
      cfg({ state_topic: 'dev/x/state', avty_t: 'dev/x/avail' }),
      'homeassistant',
      NOW,
    );
    expect(ok).toMatchObject({ proposal: { supported: true } });
  });
});

describe('availability from every format is stored state', () => {
  it.each([
    ['zigbee2mqtt', { topic: 'zigbee2mqtt/dev1' }, 'zigbee2mqtt/dev1/availability', '{"state":"offline"}'],
    ['tasmota', { topic: 'tele/t1/SENSOR' }, 'tele/t1/LWT', 'Offline'],
    ['esphome', { topic: 'node1', map: { co2: 'co2' } }, 'node1/status', 'offline'],
    ['homie', { topic: 'homie/h1', map: { 'n.t': 'temperature' } }, 'homie/h1/$state', 'lost'],
    [
      'homeassistant',
      { topic: 'ha/x/state', availabilityTopic: 'ha/x/avail', map: { $: 'temperature' } },
      'ha/x/avail',
      'offline',
    ],
  ])('%s availability makes the sensor offline in the latest view', async (format, entry, topic, payload) => {
    const { buildRouter } = await import('../../src/ingest/formats/registry.js');
    const config = testConfig();
    const inventory = new Inventory([sensor({ id: 'dev', zone: 'office', format, ...entry })]);
    const latest = new LatestCache();
    const bus = new Bus();
    const metrics = new Metrics();
    const availability = new AvailabilityStore({
      dataDir: ':memory:',
      latest,
      bus,
      log: silentLogger,
      metrics,
    });
    await availability.start();
    const ing = new Ingestor({
      config,
      inventory,
      router: buildRouter(config, inventory),
      sink: { acceptSync: () => {} },
      latest,
      bus,
      clock: new ManualClock(NOW),
      log: silentLogger,
      metrics,
      availability,
    });
    expect(ing.handle({ topic, payload: Buffer.from(payload), receivedAt: NOW })).toBe('status');
    expect(latest.status('default', 'dev')).toMatchObject({ online: false, zone: 'office', since: NOW });
    await availability.stop();
  });
});

describe('the PUBACK hold refuses an mqtt.js it was not verified against', () => {
  it('throws at install when the internal is missing', async () => {
    const { PubackHold } = await import('../../src/ingest/puback-hold.js');
    expect(() =>
      PubackHold.install(
        {} as never,
        () => true,
        () => 0,
      ),
    ).toThrow(/refusing to start rather than acknowledge before commit/);
  });
});
