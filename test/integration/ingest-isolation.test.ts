import fc from 'fast-check';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isQuantity } from '../../src/core/quantities.js';
import { connectClient, getJson, startApp, testConfig } from '../helpers/app.js';
import { waitFor } from '../helpers/binaries.js';
import { MOSQUITTO, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';

/** Every sample of a metric family as `labels → value` (`''` for an unlabelled one). */
async function metrics(url: string, name: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = line.match(/^(\w+)(?:\{([^}]*)\})? (\S+)$/);
    if (m && m[1] === name) out[m[2] ?? ''] = Number(m[3]);
  }
  return out;
}

const deep = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;

/** Every input class that used to throw or slip through, with the reason it must be rejected for. */
const BAD: { topic: string; payload: Buffer | string; reason: string }[] = [
  { topic: 'kaiteki/iso/z1/bad', payload: '{"co2":1,"ts":1e308}', reason: 'bad_timestamp' },
  { topic: 'kaiteki/iso/z1/bad', payload: `{"co2":1,"ts":${deep(10_000)}}`, reason: 'bad_timestamp' },
  { topic: 'kaiteki/iso/z1/bad', payload: `{"co2":${deep(10_000)}}`, reason: 'not_a_number' },
  {
    topic: 'kaiteki/iso/z1/bad',
    payload: '{"co2":1,"ts":"+275760-09-13T00:00:00.001Z"}',
    reason: 'bad_timestamp',
  },
  { topic: 'kaiteki/iso/z1/bad', payload: '{"co2":1e309}', reason: 'not_a_number' },
  {
    topic: 'kaiteki/iso/z1/bad',
    payload: '{"co2":1,"ts":"9999-12-31T23:59:59Z"}',
    reason: 'future_timestamp',
  },
  { topic: 'kaiteki/iso/z1/bad', payload: '{"__proto__":{"co2":1}}', reason: 'no_values' },
  { topic: 'kaiteki/iso/z1/bad', payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), reason: 'invalid_utf8' },
  { topic: 'kaiteki/iso/z1/bad', payload: Buffer.alloc(70_000, 0x20), reason: 'payload_too_large' },
  { topic: `kaiteki/iso/z1/${'a'.repeat(60_000)}`, payload: '{"co2":1}', reason: 'id_too_long' },
  { topic: 'kaiteki/iso/z1/bad/co2', payload: 'NaN', reason: 'not_a_number' },
];

/** Random bytes, JSON and objects that can never be a valid native reading. */
function garbage(n: number): Buffer[] {
  const arb = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 300 }).map((a) => Buffer.from(a)),
    fc.json().map((s) => Buffer.from(s)),
    fc
      .dictionary(fc.string({ maxLength: 12 }), fc.anything({ maxDepth: 4 }), { maxKeys: 6 })
      .map((o) => Buffer.from(JSON.stringify({ ...o, ts: (o as { ts?: unknown }).ts ?? 'x' }) ?? 'x')),
  );
  const out: Buffer[] = [];
  for (const b of fc.sample(arb, { numRuns: n * 2, seed: 11 })) {
    if (out.length >= n) break;
    if (mightBeReading(b)) continue;
    out.push(b);
  }
  return out;
}

/** true when a payload could hold a quantity (then it is not garbage for this test) */
function mightBeReading(b: Buffer): boolean {
  try {
    const v: unknown = JSON.parse(b.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).some(isQuantity);
  } catch {
    return false;
  }
}

function publish(c: MqttClient, topic: string, payload: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) =>
    c.publish(topic, payload, { qos: 1 }, (err) => (err ? reject(err) : resolve())),
  );
}

describe.each([{ dedupeWindowMs: 2000 }, { dedupeWindowMs: 0 }])(
  'a bad message never costs a good reading (real mosquitto, dedupeWindowMs $dedupeWindowMs)',
  ({ dedupeWindowMs }) => {
    const skip = !MOSQUITTO;
    let mosq: Mosquitto;
    let app: Awaited<ReturnType<typeof startApp>>;
    let pub: MqttClient;

    beforeAll(async () => {
      if (skip) return;
      mosq = await startMosquitto({ persistence: false });
      app = await startApp({ config: testConfig({ mqtt: { url: mosq.url }, ingest: { dedupeWindowMs } }) });
      pub = await connectClient(mosq.url);
    });
    afterAll(async () => {
      if (skip) return;
      pub?.end(true);
      await app?.cleanup();
      await mosq?.close();
    });

    it.skipIf(skip)(
      '1,000 good readings interleaved with every bad class and fast-check garbage: all 1,000 stored, every bad one a counted rejection',
      async () => {
        const junk = garbage(200).map((payload) => ({ topic: 'kaiteki/iso/z1/junk', payload, reason: '' }));
        const bad = [...BAD, ...BAD, ...junk]; // each class twice: a repeat of a bad message is rejected again
        const t0 = Date.now() - 3_600_000;
        const sends: Promise<void>[] = [];
        let b = 0;
        for (let i = 0; i < 1000; i++) {
          sends.push(publish(pub, `kaiteki/iso/z1/good${i % 10}`, `{"co2":${400 + i},"ts":${t0 + i}}`));
          // about one bad message per four good ones, spread over the whole run
          while (b < bad.length && b * 1000 < i * bad.length) {
            sends.push(publish(pub, bad[b]!.topic, bad[b]!.payload));
            b++;
          }
        }
        for (; b < bad.length; b++) sends.push(publish(pub, bad[b]!.topic, bad[b]!.payload));
        await Promise.all(sends);

        await waitFor(
          async () => {
            const m = await metrics(app.url, 'kaiteki_ingest_messages_total');
            return (m['outcome="accepted"'] ?? 0) + (m['outcome="rejected"'] ?? 0) >= 1000 + bad.length;
          },
          30_000,
          'every message handled',
        );
        const outcomes = await metrics(app.url, 'kaiteki_ingest_messages_total');
        expect(outcomes).toEqual({ 'outcome="accepted"': 1000, 'outcome="rejected"': bad.length });
        const rows = await app.store.raw({ site: 'iso', from: t0 - 1, to: Date.now() });
        expect(rows).toHaveLength(1000);
        expect(new Set(rows.map((r) => r.value)).size).toBe(1000);
        // every bad class rejected for its own reason (twice each); the garbage for some reason
        const reasons = await metrics(app.url, 'kaiteki_ingest_rejected_total');
        for (const c of BAD) expect(reasons[`reason="${c.reason}"`], c.reason).toBeGreaterThanOrEqual(2);
        const total = Object.values(reasons).reduce((a, v) => a + v, 0);
        expect(total).toBeGreaterThanOrEqual(bad.length);
        expect(await metrics(app.url, 'kaiteki_ingest_store_retries_total')).toEqual({ '': 0 });
        const rejected = (await getJson<{ reason: string }[]>(`${app.url}/api/rejected`)).body;
        expect(rejected.length).toBeGreaterThan(0);
        expect(rejected.every((r) => r.reason.length > 0)).toBe(true);
        // ingest is still running
        expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
        await publish(pub, 'kaiteki/iso/z1/after', `{"co2":999,"ts":${t0 + 5000}}`);
        await waitFor(
          async () =>
            (await app.store.raw({ site: 'iso', sensor: 'after', from: t0, to: Date.now() })).length === 1,
          5000,
          'a reading after the bad ones',
        );
      },
      60_000,
    );
  },
);
