import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/log.js';
import { QUANTITIES, type Quantity } from '../../src/core/quantities.js';
import { loadInventory } from '../../src/inventory/inventory.js';
import { type Fleet, startFleet } from '../../src/sim/fleet.js';
import { waitFor } from '../helpers/binaries.js';
import { MOSQUITTO, startMosquitto } from '../helpers/mosquitto.js';

const config = loadConfig({}, 'config/takatsu.yaml');
const inventory = loadInventory(config);
const prefix = config.mqtt.topicPrefix;

interface Broker {
  url: string;
  close(): Promise<void>;
}

/** The machine's mosquitto; outside CI without it, an in-process aedes (under CI=true a missing binary fails in findBinary). */
async function startBroker(): Promise<Broker> {
  if (MOSQUITTO) return startMosquitto();
  console.warn('mosquitto not installed: fleet test runs against an in-process aedes broker');
  const aedes = await Aedes.createBroker();
  const server: Server = createServer(aedes.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((r) => aedes.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function subscribe(
  url: string,
  topic: string,
  onMessage: (topic: string, payload: string, retain: boolean) => void,
): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, {
      clientId: `test-sub-${process.pid}-${Math.random().toString(16).slice(2)}`,
    });
    c.on('message', (t, p, packet) => onMessage(t, p.toString(), packet.retain));
    c.once('error', reject);
    c.once('connect', () => {
      c.subscribe(topic, { qos: 1 }, (err) => (err ? reject(err) : resolve(c)));
    });
  });
}

describe('startFleet', () => {
  let broker: Broker;
  let sub: MqttClient;
  let fleet: Fleet | undefined;
  const data = new Map<string, Record<string, unknown>[]>();
  const status = new Map<string, string>();
  const total = () => [...data.values()].reduce((n, l) => n + l.length, 0);

  beforeAll(async () => {
    broker = await startBroker();
    sub = await subscribe(broker.url, `${prefix}/#`, (topic, payload) => {
      const parts = topic.split('/');
      if (parts.length === 5 && parts[4] === 'status') status.set(parts[3]!, payload);
      else if (parts.length === 4) data.set(parts[3]!, [...(data.get(parts[3]!) ?? []), JSON.parse(payload)]);
    });
  });

  afterAll(async () => {
    await fleet?.stop();
    await sub?.endAsync();
    await broker?.close();
  });

  it('sends every sensor’s first reading within about two seconds, and marks all offline (retained) when stopped', async () => {
    const t0 = Date.now();
    const f = startFleet({ mqttUrl: broker.url, config, inventory, log: silentLogger });
    try {
      expect([...f.sensors].sort()).toEqual(inventory.sensors.map((s) => s.id).sort());
      await waitFor(
        () => inventory.sensors.every((s) => data.has(s.id)),
        10_000,
        'a first message from every sensor',
      );
      expect(Date.now() - t0).toBeLessThan(4000);
      for (const s of inventory.sensors) expect(status.get(s.id), s.id).toBe('online');
    } finally {
      await f.stop();
    }
    await f.stop(); // idempotent
    const retained = new Map<string, string>();
    const late = await subscribe(broker.url, `${prefix}/+/+/+/status`, (topic, payload, retain) => {
      if (retain) retained.set(topic.split('/')[3]!, payload);
    });
    try {
      await waitFor(
        () => retained.size === inventory.sensors.length,
        5000,
        'retained status of every sensor',
      );
      for (const s of inventory.sensors) expect(retained.get(s.id), s.id).toBe('offline');
      const quietFrom = total();
      await new Promise((r) => setTimeout(r, 500));
      expect(total()).toBe(quietFrom);
    } finally {
      await late.endAsync();
    }
  });

  it('publishes each sensor’s quantities as JSON with ts, each at its own (sped-up) interval', async () => {
    data.clear();
    const t0 = Date.now();
    fleet = startFleet({ mqttUrl: broker.url, config, inventory, speed: 40, log: silentLogger });
    await fleet.ready(10_000);
    // speed 40: 30 s sensors publish every ~0.75 s, 60 s ones every ~1.5 s.
    await waitFor(
      () => inventory.sensors.every((s) => (data.get(s.id)?.length ?? 0) >= 3),
      15_000,
      'three messages from every sensor',
    );
    for (const s of inventory.sensors) {
      expect(status.get(s.id), s.id).toBe('online');
      for (const msg of data.get(s.id)!) {
        expect(Object.keys(msg).sort(), s.id).toEqual([...s.quantities, 'ts'].sort());
        expect(msg.ts).toBeGreaterThanOrEqual(t0);
        expect(msg.ts).toBeLessThanOrEqual(Date.now());
        for (const q of s.quantities as Quantity[]) {
          const v = msg[q] as number;
          expect(typeof v, `${s.id} ${q}`).toBe('number');
          // raw values: the inventory's calibration is taken out before publishing
          expect(v).toBeGreaterThanOrEqual(QUANTITIES[q].min - Math.abs(s.calibration[q] ?? 0));
          expect(v).toBeLessThanOrEqual(QUANTITIES[q].max);
        }
      }
    }
    const avg = (interval: number) => {
      const counts = inventory.sensors
        .filter((s) => s.intervalSeconds === interval)
        .map((s) => data.get(s.id)!.length);
      return counts.reduce((a, b) => a + b, 0) / counts.length;
    };
    expect(avg(30)).toBeGreaterThan(1.4 * avg(60));
  });

  it('publishes a forced episode at once and keeps it for its duration', async () => {
    const f = fleet!;
    const before = data.get('lobby-env')!.length;
    f.force('lobby-env', 'co2', 1800, 60_000);
    await waitFor(() => data.get('lobby-env')!.length > before, 5000, 'the forced reading');
    const forced = data.get('lobby-env')!.slice(before);
    expect(forced[0]!.co2).toBe(1800);
    expect(typeof forced[0]!.temperature).toBe('number');
    await waitFor(() => data.get('lobby-env')!.length > before + 1, 10_000, 'the next regular reading');
    expect(data.get('lobby-env')!.at(-1)!.co2).toBe(1800);
    expect(() => f.force('no-such-sensor', 'co2', 1, 1000)).toThrow(/unknown simulated sensor/);
    expect(() => f.force('lobby-env', 'radon', 1, 1000)).toThrow(/unknown quantity/);
  });
});
