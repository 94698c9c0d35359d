import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { Bus } from '../../src/core/bus.js';
import { ManualClock } from '../../src/core/clock.js';
import { LatestCache } from '../../src/core/latest.js';
import { silentLogger } from '../../src/core/log.js';
import { Metrics } from '../../src/core/metrics.js';
import type { Reading } from '../../src/core/reading.js';
import { discoveryRouter } from '../../src/ingest/discovery-routes.js';
import { DiscoveryFormat, DiscoveryService, ProposalStore } from '../../src/ingest/discovery-store.js';
import { buildRouter, defaultRegistry } from '../../src/ingest/formats/registry.js';
import { Ingestor } from '../../src/ingest/ingestor.js';
import type { SubscriptionChange } from '../../src/ingest/router.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { inventoryFileSchema } from '../../src/inventory/schema.js';
import { byQuantity, fixtures, NOW } from './helpers.js';

const TOKEN = 'test-admin-token-0123456789';
const fx = fixtures('homeassistant');

function setup() {
  const config = parseConfig(
    {
      ingest: { unregistered: 'reject' },
      zones: [
        { id: 'lobby', name: { ja: 'ロビー', en: 'Lobby' } },
        { id: 'office', name: { ja: '事務室', en: 'Office' } },
      ],
    },
    'test',
    { KAITEKI_ADMIN_TOKEN: TOKEN },
  );
  const clock = new ManualClock(NOW);
  const store = new ProposalStore();
  const registry = defaultRegistry();
  let inventory = new Inventory([]);
  const format = new DiscoveryFormat(store, 'homeassistant', clock);
  const router = buildRouter(config, inventory, { registry, discovery: { prefix: 'homeassistant', format } });
  const changes: SubscriptionChange[] = [];
  router.onSubscriptionsChanged((c) => changes.push(c));
  const service = new DiscoveryService({
    config,
    inventory,
    router,
    registry,
    store,
    clock,
    // what the app does: register the confirmed sensor so `unregistered: reject` accepts it
    onConfirm: (s) => {
      inventory = new Inventory([...inventory.sensors, { ...s, intervalSeconds: 60, file: 'discovery' }]);
    },
  });
  const bus = new Bus();
  const readings: Reading[] = [];
  const rejected: string[] = [];
  bus.on('readings', (r) => readings.push(...r));
  bus.on('rejected', (r) => rejected.push(r.reason));
  let t = NOW;
  const deps = {
    config,
    get inventory() {
      return inventory;
    },
    router,
    sink: { acceptSync: () => {} },
    latest: new LatestCache(),
    bus,
    clock,
    log: silentLogger,
    metrics: new Metrics(),
  };
  const ingestor = new Ingestor(deps);
  const send = (id: string) => {
    t += 10_000;
    return ingestor.handle({ topic: fx[id]!.topic, payload: Buffer.from(fx[id]!.payload), receivedAt: t });
  };
  return { store, service, router, changes, readings, rejected, send };
}

describe('discovery: proposals are confirmed before anything is ingested', () => {
  const s = setup();
  const app = express();
  app.use('/api', discoveryRouter({ store: s.store, service: s.service, adminToken: TOKEN }));
  let base = '';
  let server: ReturnType<typeof app.listen>;
  beforeAll(async () => {
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const confirm = (id: string, body: object, token: string | null = TOKEN) =>
    fetch(`${base}/discovery/${id}/confirm`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });

  it('records proposals from discovery messages and does not ingest the unconfirmed device', async () => {
    expect(s.send('bedroom-t-config')).toBe('ignored');
    expect(s.send('bedroom-h-config')).toBe('ignored');
    expect(s.router.subscriptions()).not.toContain('homeassistant/sensor/sensorBedroom/state');
    expect(s.send('bedroom-state')).toBe('rejected');
    expect(s.rejected).toEqual(['unmapped']);
    expect(s.readings).toEqual([]);
    const list = (await (await fetch(`${base}/discovery`)).json()) as {
      proposals: { id: string; quantity: string }[];
    };
    expect(list.proposals.map((p) => p.quantity).sort()).toEqual(['humidity', 'temperature']);
  });

  it('refuses to confirm without the admin token, or with a wrong one', async () => {
    const id = s.store.list()[0]!.id;
    expect((await confirm(id, { zone: 'office' }, null)).status).toBe(401);
    expect((await confirm(id, { zone: 'office' }, 'wrong')).status).toBe(401);
    expect(s.readings).toEqual([]);
  });

  it('rejects a zone that is not configured and an unknown proposal', async () => {
    const id = s.store.list()[0]!.id;
    expect((await confirm(id, { zone: 'roof' })).status).toBe(400);
    expect((await confirm('nope', { zone: 'office' })).status).toBe(404);
  });

  it('confirms both entities into one sensor: subscribes, ingests, and returns YAML that is a valid inventory', async () => {
    const [t, h] = [...s.store.list()]
      .sort((a, b) => (a.quantity ?? '').localeCompare(b.quantity ?? ''))
      .reverse();
    const r1 = await confirm(t!.id, { zone: 'office', sensor: 'bedroom' });
    expect(r1.status).toBe(200);
    expect(s.changes.at(-1)?.added).toContain('homeassistant/sensor/sensorBedroom/state');
    const r2 = await confirm(h!.id, { zone: 'office', sensor: 'bedroom' });
    const body = (await r2.json()) as { yaml: string; sensor: { map: Record<string, unknown> } };
    expect(Object.keys(body.sensor.map).sort()).toEqual(['humidity', 'temperature']);
    const file = inventoryFileSchema.parse(parseYaml(body.yaml));
    expect(file.sensors[0]).toMatchObject({
      id: 'bedroom',
      zone: 'office',
      format: 'homeassistant',
      topic: 'homeassistant/sensor/sensorBedroom/state',
    });
    expect(s.send('bedroom-state')).toBe('accepted');
    expect(byQuantity(s.readings)).toEqual({ temperature: 23.2, humidity: 43.7 });
    expect(s.readings[0]).toMatchObject({ zone: 'office', sensor: 'bedroom', registered: true });
  });

  it('refuses to confirm into a sensor id already used for another topic', async () => {
    s.send('garden-config');
    const garden = s.store.list().find((p) => p.component === 'binary_sensor')!;
    expect((await confirm(garden.id, { zone: 'office', sensor: 'bedroom' })).status).toBe(409);
  });
});
