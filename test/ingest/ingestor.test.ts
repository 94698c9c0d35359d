import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { Bus } from '../../src/core/bus.js';
import { ManualClock } from '../../src/core/clock.js';
import { LatestCache } from '../../src/core/latest.js';
import { silentLogger } from '../../src/core/log.js';
import { Metrics } from '../../src/core/metrics.js';
import type { Reading } from '../../src/core/reading.js';
import { Ingestor } from '../../src/ingest/ingestor.js';
import { FormatRouter } from '../../src/ingest/router.js';
import { Inventory } from '../../src/inventory/inventory.js';

const T0 = Date.parse('2026-07-01T03:00:00Z');

function setup() {
  const config = parseConfig({}, 'test', {});
  const stored: Reading[] = [];
  const metrics = new Metrics();
  const clock = new ManualClock(T0);
  const latest = new LatestCache();
  const ingestor = new Ingestor({
    config,
    inventory: new Inventory([]),
    router: new FormatRouter('kaiteki', []),
    sink: { acceptSync: (rs) => stored.push(...rs) },
    latest,
    bus: new Bus(),
    clock,
    log: silentLogger,
    metrics,
  });
  const send = (topic: string, payload: string | Buffer) =>
    ingestor.handle({
      topic,
      payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
      receivedAt: clock.now(),
    });
  const rejected = async () => {
    const m = (await metrics.registry.getSingleMetric('kaiteki_ingest_rejected_total')?.get())?.values ?? [];
    return Object.fromEntries(m.map((v) => [v.labels.reason, v.value]));
  };
  return { ingestor, stored, clock, send, rejected, latest };
}

describe('Ingestor with hostile input', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
  });

  it('accepts the JSON object and the plain value forms', () => {
    expect(s.send('kaiteki/a/b/c', '{"co2": 812, "temperature": 24.1, "rssi": -60}')).toBe('accepted');
    expect(s.send('kaiteki/a/b/c/lights', 'on')).toBe('accepted');
    expect(s.stored.map((r) => [r.quantity, r.value])).toEqual([
      ['co2', 812],
      ['temperature', 24.1],
      ['lights', 1],
    ]);
  });

  it.each([
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'invalid_utf8'],
    ['huge payload', Buffer.alloc(70_000, 0x20), 'payload_too_large'],
    ['empty payload', Buffer.alloc(0), 'empty_payload'],
    ['truncated JSON', '{"co2": 8', 'invalid_json'],
    ['a JSON array', '[1,2,3]', 'not_an_object'],
    ['a JSON string', '"co2"', 'not_an_object'],
    ['NaN literal', '{"co2": NaN}', 'invalid_json'],
    ['nested junk', '{"co2": {"value": {"deep": [1]}}}', 'not_a_number'],
    ['wrong type', '{"temperature": "warm"}', 'not_a_number'],
    ['null value', '{"temperature": null}', 'not_a_number'],
    ['no known quantity', '{"battery": 90, "linkquality": 120}', 'no_values'],
    ['impossible value', '{"humidity": 250}', 'out_of_range'],
    ['bad timestamp', '{"co2": 800, "ts": "tomorrow"}', 'bad_timestamp'],
    ['prototype pollution attempt', '{"__proto__": {"co2": 1}, "constructor": 5}', 'no_values'],
  ])('counts %s as a rejection with a reason and keeps going', async (_name, payload, reason) => {
    expect(s.send('kaiteki/a/b/c', payload)).toBe('rejected');
    expect(await s.rejected()).toEqual({ [reason]: 1 });
    expect(s.stored).toEqual([]);
    // and the next good message is accepted
    s.clock.advance(5000);
    expect(s.send('kaiteki/a/b/c', '{"co2": 700}')).toBe('accepted');
  });

  it('rejects an unknown quantity on the plain-value topic and a bad topic', async () => {
    expect(s.send('kaiteki/a/b/c/radiation', '5')).toBe('rejected');
    expect(s.send('kaiteki/A B/b/c', '{"co2":1}')).toBe('rejected');
    expect(await s.rejected()).toEqual({ unknown_quantity: 1, bad_topic: 1 });
  });

  it('counts an identical burst once, but not the same payload after the window', () => {
    for (let i = 0; i < 5; i++) s.send('kaiteki/a/b/c', '{"co2": 900}');
    expect(s.stored).toHaveLength(1);
    s.clock.advance(3000);
    s.send('kaiteki/a/b/c', '{"co2": 900}');
    expect(s.stored).toHaveLength(2);
  });

  it('keeps rejected messages for inspection, bounded', () => {
    for (let i = 0; i < 250; i++) s.send(`kaiteki/a/b/s${i}`, `{"co2": "x${i}"}`);
    const kept = s.ingestor.rejected();
    expect(kept).toHaveLength(200);
    expect(kept.at(-1)).toMatchObject({
      topic: 'kaiteki/a/b/s249',
      reason: 'not_a_number',
      sample: '{"co2": "x249"}',
    });
  });

  it('status messages are not readings', () => {
    expect(s.send('kaiteki/a/b/c/status', 'offline')).toBe('status');
    expect(s.send('kaiteki/a/b/c/status', 'maybe')).toBe('rejected');
    expect(s.stored).toEqual([]);
  });

  it('a late reading does not replace a newer one in the latest view', () => {
    s.send('kaiteki/a/b/c', `{"co2": 900, "ts": ${T0}}`);
    s.send('kaiteki/a/b/c', `{"co2": 500, "ts": ${T0 - 60_000}}`);
    expect(s.latest.all().map((r) => r.value)).toEqual([900]);
    expect(s.stored).toHaveLength(2);
  });

  it('lets a sink failure through so the caller can hold the acknowledgement', () => {
    const config = parseConfig({}, 'test', {});
    const ing = new Ingestor({
      config,
      inventory: new Inventory([]),
      router: new FormatRouter('kaiteki', []),
      sink: {
        acceptSync: () => {
          throw new Error('disk full');
        },
      },
      latest: new LatestCache(),
      bus: new Bus(),
      clock: new ManualClock(T0),
      log: silentLogger,
      metrics: new Metrics(),
    });
    expect(() =>
      ing.handle({ topic: 'kaiteki/a/b/c', payload: Buffer.from('{"co2":1}'), receivedAt: T0 }),
    ).toThrow('disk full');
  });

  it('a message the store refused is stored when retried, not dropped as a repeat', () => {
    let refuse = true;
    const stored: Reading[] = [];
    const ing = new Ingestor({
      config: parseConfig({}, 'test', {}),
      inventory: new Inventory([]),
      router: new FormatRouter('kaiteki', []),
      sink: {
        acceptSync: (rs) => {
          if (refuse) {
            refuse = false;
            throw new Error('SQLITE_BUSY');
          }
          stored.push(...rs);
        },
      },
      latest: new LatestCache(),
      bus: new Bus(),
      clock: new ManualClock(T0),
      log: silentLogger,
      metrics: new Metrics(),
    });
    const msg = { topic: 'kaiteki/a/b/c', payload: Buffer.from('{"co2":812}'), receivedAt: T0 };
    expect(() => ing.handle(msg)).toThrow('SQLITE_BUSY');
    // MqttSource retries the same message 100 ms later, well inside the dedupe window
    expect(ing.handle({ ...msg, receivedAt: T0 + 100 })).toBe('accepted');
    expect(stored.map((r) => r.value)).toEqual([812]);
  });
});
