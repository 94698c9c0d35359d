import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Inventory, type Sensor } from '../../src/inventory/inventory.js';
import { sensorSchema } from '../../src/inventory/schema.js';
import { connectClient, getJson, startApp, testConfig } from '../helpers/app.js';
import { waitFor } from '../helpers/binaries.js';
import { MOSQUITTO, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';

interface LatestRow {
  site: string;
  zone: string;
  sensor: string;
  quantity: string;
  value: number;
}

const sensor = (raw: Record<string, unknown>): Sensor => {
  const s = sensorSchema.parse({ zone: 'lobby', ...raw });
  return { ...s, site: 'default', intervalSeconds: 60, file: 'e2e.yaml' };
};

/** One device per third-party format, and one real-format message each (payloads as in the fixtures). */
const now = () => Math.floor(Date.now() / 1000);
const DEVICES: { entry: Sensor; publish: [string, string, boolean?][]; expect: Record<string, number> }[] = [
  {
    entry: sensor({ id: 'z2m', format: 'zigbee2mqtt', topic: 'zigbee2mqtt/1F 区民課/温湿度' }),
    publish: [['zigbee2mqtt/1F 区民課/温湿度', '{"temperature":27.34,"humidity":44.72,"battery":0}']],
    expect: { temperature: 27.34, humidity: 44.72 },
  },
  {
    entry: sensor({ id: 'tasmota', format: 'tasmota', topic: 'tele/tasmota/SENSOR' }),
    publish: [
      [
        'tele/tasmota/SENSOR',
        '{"Time":"2024-01-01T10:31:09","SCD40":{"CarbonDioxide":1204,"eCO2":1235},"TempUnit":"C"}',
      ],
    ],
    expect: { co2: 1204 },
  },
  {
    entry: sensor({
      id: 'esphome',
      format: 'esphome',
      topic: 'livingroom',
      map: { living_room_illuminance: 'illuminance' },
    }),
    publish: [['livingroom/sensor/living_room_illuminance/state', '512']],
    expect: { illuminance: 512 },
  },
  {
    entry: sensor({
      id: 'ha',
      format: 'homeassistant',
      topic: 'homeassistant/sensor/sensorBedroom/state',
      map: { temperature: { quantity: 'temperature', unit: '°C' } },
    }),
    publish: [['homeassistant/sensor/sensorBedroom/state', '{ "temperature": 23.20, "humidity": 43.70 }']],
    expect: { temperature: 23.2 },
  },
  {
    entry: sensor({ id: 'shelly', format: 'shelly', topic: 'shellyhtg3-84fce63ad204' }),
    publish: [
      [
        'shellyhtg3-84fce63ad204/events/rpc',
        `{"src":"shellyhtg3-84fce63ad204","dst":"shellyhtg3-84fce63ad204/events","method":"NotifyStatus","params":{"ts":${now()},"humidity:0":{"id":0,"rh":45.5}}}`,
      ],
    ],
    expect: { humidity: 45.5 },
  },
  {
    entry: sensor({
      id: 'homie',
      format: 'homie',
      topic: 'homie/super-car',
      map: { 'engine.temperature': 'temperature' },
    }),
    publish: [
      ['homie/super-car/engine/temperature/$unit', '°F', true],
      ['homie/super-car/engine/temperature', '70.7', true],
    ],
    expect: { temperature: 21.5 },
  },
];

function publish(c: MqttClient, topic: string, payload: string, retain = false): Promise<void> {
  return new Promise((resolve, reject) =>
    c.publish(topic, payload, { qos: 1, retain }, (err) => (err ? reject(err) : resolve())),
  );
}

describe('third-party formats end to end: real mosquitto → app → /api/latest', () => {
  const skip = !MOSQUITTO && process.env.CI !== 'true';
  let mosq: Mosquitto | undefined;
  let app: Awaited<ReturnType<typeof startApp>>;
  let pub: MqttClient;

  beforeAll(async () => {
    if (skip) return;
    if (!MOSQUITTO) throw new Error('mosquitto is required under CI=true');
    mosq = await startMosquitto();
    app = await startApp({
      config: testConfig({ mqtt: { url: mosq.url } }),
      inventory: new Inventory(DEVICES.map((d) => d.entry)),
    });
    pub = await connectClient(mosq.url);
  });
  afterAll(async () => {
    pub?.end(true);
    await app?.cleanup();
    await mosq?.close();
  });

  it.skipIf(skip)('one message per format arrives with the entry ids and canonical units', async () => {
    for (const d of DEVICES) for (const [t, p, retain] of d.publish) await publish(pub, t, p, retain);
    let rows: LatestRow[] = [];
    const missing = () =>
      DEVICES.flatMap((d) =>
        Object.keys(d.expect)
          .filter((q) => !rows.some((r) => r.sensor === d.entry.id && r.quantity === q))
          .map((q) => `${d.entry.id}:${q}`),
      );
    await waitFor(
      async () => {
        rows = (await getJson<LatestRow[]>(`${app.url}/api/latest`)).body;
        return missing().length === 0;
      },
      5000,
      'a reading from every format',
    ).catch(() => undefined);
    expect(missing()).toEqual([]);
    for (const d of DEVICES) {
      for (const [q, v] of Object.entries(d.expect)) {
        const row = rows.find((r) => r.sensor === d.entry.id && r.quantity === q)!;
        expect(row).toMatchObject({ site: 'default', zone: 'lobby' });
        expect(row.value).toBeCloseTo(v, 6);
      }
    }
    // battery is not a quantity and never shows up
    expect(rows.some((r) => r.quantity === 'battery')).toBe(false);
  });
});
