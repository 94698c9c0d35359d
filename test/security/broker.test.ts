import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/log.js';
import { Metrics } from '../../src/core/metrics.js';
import { EmbeddedBroker } from '../../src/ingest/broker.js';
import { expand, filterCovers, topicMatches } from '../../src/ingest/broker-acl.js';
import { parsePasswd, verifyPassword } from '../../src/ingest/passwd.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { sensorSchema } from '../../src/inventory/schema.js';
import { startApp, testConfig } from '../helpers/app.js';
import { findBinary, waitFor } from '../helpers/binaries.js';

const PASSWD = findBinary('mosquitto_passwd', [
  '/usr/bin/mosquitto_passwd',
  '/usr/local/bin/mosquitto_passwd',
]);
const OPENSSL = findBinary('openssl', ['/usr/bin/openssl', '/usr/local/bin/openssl']);

type WithBroker = { broker: EmbeddedBroker };

/** Connects and resolves with the CONNACK's return code (0 = accepted), never retrying. */
function tryConnect(url: string, opts: IClientOptions = {}): Promise<{ code: number; client: MqttClient }> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
  return new Promise((resolve) => {
    client.once('connect', () => resolve({ code: 0, client }));
    client.once('error', (err) => {
      client.end(true);
      resolve({ code: (err as { code?: number }).code ?? -1, client });
    });
  });
}

async function metric(app: App, reason: string): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const m = new RegExp(`kaiteki_broker_refused_total\\{reason="${reason}"\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
}

describe('embedded broker: defaults', () => {
  it('default config binds the broker to loopback only', async () => {
    expect(parseConfig({}, 'none', {}).mqtt.embedded.host).toBe('127.0.0.1');
    // testConfig with an embedded section that does not name a host: the default applies
    const app = await startApp({ config: testConfig({ mqtt: { embedded: { port: 0 } } }) });
    try {
      const { host, port } = (app as unknown as WithBroker).broker.address;
      expect(host).toBe('127.0.0.1');
      // a loopback client gets in anonymously (this machine only, as mosquitto 2.0 without a listener)
      const local = await tryConnect(`mqtt://127.0.0.1:${port}`);
      expect(local.code).toBe(0);
      local.client.end(true);
      // even on loopback, Kaiteki's client id is not for anyone else
      const impostor = await tryConnect(`mqtt://127.0.0.1:${port}`, {
        clientId: 'kaiteki-default',
        clean: false,
      });
      expect(impostor.code).toBe(2);
      expect((await (await fetch(`${app.url}/healthz`)).json()).parts.mqtt.ok).toBe(true);
      // and the port is not reachable on the machine's other addresses
      const lan = Object.values(networkInterfaces())
        .flat()
        .find((i) => i && i.family === 'IPv4' && !i.internal);
      if (lan) {
        const err = await new Promise<string>((resolve) => {
          const s = netConnect(port, lan.address);
          s.once('connect', () => {
            s.destroy();
            resolve('connected');
          });
          s.once('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'));
        });
        expect(err).toBe('ECONNREFUSED');
      }
    } finally {
      await app.cleanup();
    }
  });
});

describe.skipIf(!PASSWD || !OPENSSL)('embedded broker with a network listener', () => {
  let dir: string;
  let app: App & { cleanup(): Promise<void> };
  let url: string;
  let tlsUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kaiteki-sec-'));
    const passwd = join(dir, 'passwd');
    execFileSync(PASSWD!, ['-c', '-b', passwd, 'alice', 'alice-pw']); // $7$ PBKDF2-SHA512
    execFileSync(PASSWD!, ['-H', 'sha512', '-b', passwd, 'bob', 'bob-pw']); // $6$ SHA512
    execFileSync(
      OPENSSL!,
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ],
      { stdio: 'ignore' },
    );
    const config = testConfig(
      {
        mqtt: {
          embedded: {
            host: '0.0.0.0',
            port: 0,
            passwordFile: passwd,
            tls: { host: '127.0.0.1', port: 0, cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') },
            acl: [
              { user: 'dave', publish: ['kaiteki/default/+/%u'], subscribe: ['kaiteki/#'] },
              { user: 'erin', publish: ['kaiteki/default/+/%c'], subscribe: ['kaiteki/default/+/%c/#'] },
            ],
          },
          reconnectPeriodMs: 200,
        },
      },
      { KAITEKI_BROKER_USERS: 'carol:carol-pw,dave:dave-pw,erin:erin-pw' },
    );
    // one third-party device: its mapped topic is a place sensors may publish to
    const z2m = sensorSchema.parse({
      id: 'z2m-env',
      zone: 'lobby',
      format: 'zigbee2mqtt',
      topic: 'zigbee2mqtt/1F/env',
    });
    const inventory = new Inventory([{ ...z2m, site: 'default', intervalSeconds: 60, file: 'test.yaml' }]);
    app = await startApp({ config, inventory });
    const b = (app as unknown as WithBroker).broker;
    url = `mqtt://127.0.0.1:${b.address.port}`;
    tlsUrl = `mqtts://127.0.0.1:${b.tlsPort}`;
  });

  afterAll(async () => {
    await app?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads a password file written by mosquitto_passwd ($7$ and $6$)', async () => {
    const users = parsePasswd(readFileSync(join(dir, 'passwd'), 'utf8'));
    expect(users.get('alice')).toMatch(/^\$7\$/);
    expect(users.get('bob')).toMatch(/^\$6\$/);
    expect(await verifyPassword(users.get('alice')!, 'alice-pw')).toBe(true);
    expect(await verifyPassword(users.get('alice')!, 'alice-pX')).toBe(false);
    expect(await verifyPassword(users.get('bob')!, 'bob-pw')).toBe(true);
    expect(await verifyPassword(users.get('bob')!, 'bob-pX')).toBe(false);
  });

  it('refuses an anonymous client and a wrong password; accepts file and env users', async () => {
    const before = await metric(app, 'anonymous');
    expect((await tryConnect(url)).code).toBe(5);
    expect(await metric(app, 'anonymous')).toBe(before + 1);
    expect((await tryConnect(url, { username: 'alice', password: 'nope' })).code).toBe(4);
    for (const [username, password] of [
      ['alice', 'alice-pw'],
      ['bob', 'bob-pw'],
      ['carol', 'carol-pw'],
    ] as const) {
      const r = await tryConnect(url, { username, password });
      expect(r.code, username).toBe(0);
      r.client.end(true);
    }
  });

  it('a sensor user publishing outside its ACL is refused and counted; inside it, stored', async () => {
    const before = await metric(app, 'publish_acl');
    const { code, client } = await tryConnect(url, { username: 'alice', password: 'alice-pw' });
    expect(code).toBe(0);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('elsewhere/fake', '{"co2":5000}', { qos: 1 });
    await closed; // the broker drops a client that publishes where it may not
    expect(await metric(app, 'publish_acl')).toBe(before + 1);
    client.end(true);

    const ok = await tryConnect(url, { username: 'alice', password: 'alice-pw' });
    await ok.client.publishAsync('kaiteki/default/lobby/acl-ok', '{"co2":612}', { qos: 1 });
    await waitFor(
      async () => (await app.store.latest()).some((r) => r.sensor === 'acl-ok'),
      5000,
      'the allowed reading stored',
    );
    // no subscription to everything
    const subBefore = await metric(app, 'subscribe_acl');
    const err = await ok.client.subscribeAsync('#', { qos: 0 }).then(
      () => undefined,
      (e: { packet?: { granted?: number[] } }) => e,
    );
    expect(err?.packet?.granted).toEqual([128]); // SUBACK failure; the connection stays
    expect(await metric(app, 'subscribe_acl')).toBe(subBefore + 1);
    expect(ok.client.connected).toBe(true);
    ok.client.end(true);
  });

  it('a sensor may publish to a mapped device topic, not to another device', async () => {
    const { client } = await tryConnect(url, { username: 'bob', password: 'bob-pw' });
    await client.publishAsync('zigbee2mqtt/1F/env', '{"temperature":23.5,"humidity":45}', { qos: 1 });
    await waitFor(
      async () => (await app.store.latest()).some((r) => r.sensor === 'z2m-env'),
      5000,
      'the mapped device reading stored',
    );
    const before = await metric(app, 'publish_acl');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('zigbee2mqtt/2F/other', '{"temperature":40}', { qos: 1 });
    await closed;
    expect(await metric(app, 'publish_acl')).toBe(before + 1);
    client.end(true);
  });

  it('an acl entry replaces the sensor rights for its user (%u = user name)', async () => {
    const { code, client } = await tryConnect(url, { username: 'dave', password: 'dave-pw' });
    expect(code).toBe(0);
    // may read everything under kaiteki/, which a sensor may not
    expect((await client.subscribeAsync('kaiteki/#', { qos: 0 }))[0]?.qos).toBe(0);
    await client.publishAsync('kaiteki/default/lobby/dave', '{"co2":640}', { qos: 1 });
    const before = await metric(app, 'publish_acl');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('kaiteki/default/lobby/someone-else', '{"co2":640}', { qos: 1 });
    await closed;
    expect(await metric(app, 'publish_acl')).toBe(before + 1);
    client.end(true);
  });

  it('%c in an acl entry: a client id holding # or + or / grants nothing (as mosquitto)', async () => {
    // its own client id: a topic level of its own
    const own = await tryConnect(url, { username: 'erin', password: 'erin-pw', clientId: 'erin-1' });
    expect(own.code).toBe(0);
    expect((await own.client.subscribeAsync('kaiteki/default/lobby/erin-1/#', { qos: 0 }))[0]?.qos).toBe(0);
    await own.client.publishAsync('kaiteki/default/lobby/erin-1', '{"co2":610}', { qos: 1 });
    own.client.end(true);
    for (const clientId of ['#', '+', 'a/b']) {
      const { code, client } = await tryConnect(url, { username: 'erin', password: 'erin-pw', clientId });
      expect(code, clientId).toBe(0);
      // substituted naively, '#' would make kaiteki/default/+/#/#: every topic under the site
      const subBefore = await metric(app, 'subscribe_acl');
      const err = await client.subscribeAsync('kaiteki/default/lobby/other/#', { qos: 0 }).then(
        () => undefined,
        (e: { packet?: { granted?: number[] } }) => e,
      );
      expect(err?.packet?.granted, clientId).toEqual([128]);
      expect(await metric(app, 'subscribe_acl')).toBe(subBefore + 1);
      const before = await metric(app, 'publish_acl');
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      client.publish('kaiteki/default/lobby/someone-else', '{"co2":5000}', { qos: 1 });
      await closed;
      expect(await metric(app, 'publish_acl'), clientId).toBe(before + 1);
      client.end(true);
    }
  });

  it("a client using Kaiteki's client id is refused, and a reading published meanwhile is stored", async () => {
    const before = await metric(app, 'reserved_client_id');
    const sensor = await tryConnect(url, { username: 'carol', password: 'carol-pw' });
    for (let i = 0; i < 3; i++) {
      const impostor = await tryConnect(url, {
        clientId: 'kaiteki-default',
        username: 'alice',
        password: 'alice-pw',
        clean: false,
      });
      expect(impostor.code).toBe(2); // identifier rejected
      await sensor.client.publishAsync(`kaiteki/default/lobby/meanwhile-${i}`, '{"co2":700}', { qos: 1 });
    }
    expect(await metric(app, 'reserved_client_id')).toBe(before + 3);
    await waitFor(
      async () => (await app.store.latest()).filter((r) => r.sensor.startsWith('meanwhile-')).length === 3,
      5000,
      'all three readings stored',
    );
    const health = await (await fetch(`${app.url}/healthz`)).json();
    expect(health.parts.mqtt.ok).toBe(true);
    sensor.client.end(true);
  });

  it('a 10 MB publish is cut off at its header, without the process RSS growing by its size', async () => {
    const before = await metric(app, 'packet_too_large');
    const port = (app as unknown as WithBroker).broker.address.port;
    const sock: Socket = netConnect(port, '127.0.0.1');
    await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
    const connack = new Promise<Buffer>((resolve) => sock.once('data', (d) => resolve(d)));
    sock.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        clientId: 'big-sender',
        keepalive: 30,
        username: 'alice',
        password: Buffer.from('alice-pw'),
      }),
    );
    expect((await connack)[3]).toBe(0);
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const total = 10 * 1024 * 1024;
    const topic = Buffer.from('kaiteki/default/lobby/big');
    const header = mqttPacket.generate({
      cmd: 'publish',
      topic: 'kaiteki/default/lobby/big',
      payload: Buffer.alloc(0),
      qos: 0,
      retain: false,
      dup: false,
    });
    // the real header for a 10 MB body: type byte + remaining-length varint, then the topic
    const remaining = 2 + topic.length + total;
    const len: number[] = [];
    let x = remaining;
    do {
      let b = x % 128;
      x = Math.floor(x / 128);
      if (x > 0) b |= 0x80;
      len.push(b);
    } while (x > 0);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    let closed = false;
    sock.on('error', () => undefined);
    const done = new Promise<void>((resolve) => sock.once('close', () => resolve()));
    sock.once('close', () => {
      closed = true;
    });
    sock.write(
      Buffer.concat([header.subarray(0, 1), Buffer.from(len), Buffer.from([0, topic.length]), topic]),
    );
    while (!closed && sent < total) {
      const ok = sock.write(chunk);
      sent += chunk.length;
      peak = Math.max(peak, process.memoryUsage().rss);
      if (!ok) await Promise.race([new Promise((r) => sock.once('drain', r)), done]);
    }
    await done;
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(sent).toBeLessThan(total); // the broker closed the connection before the body was through
    // measured: < 0.5 MB when cut off at the header; about 8 MB when aedes reads the body
    expect(peak - rss0).toBeLessThan(4 * 1024 * 1024);
    expect(await metric(app, 'packet_too_large')).toBe(before + 1);
    // and the broker still works
    const after = await tryConnect(url, { username: 'alice', password: 'alice-pw' });
    expect(after.code).toBe(0);
    after.client.end(true);
  });

  it('TLS listener: users connect over mqtts, anonymous clients are refused', async () => {
    const ok = await tryConnect(tlsUrl, { username: 'bob', password: 'bob-pw', rejectUnauthorized: false });
    expect(ok.code).toBe(0);
    await ok.client.publishAsync('kaiteki/default/lobby/over-tls', '{"co2":650}', { qos: 1 });
    await waitFor(
      async () => (await app.store.latest()).some((r) => r.sensor === 'over-tls'),
      5000,
      'the TLS reading stored',
    );
    // the packet size check sees the decrypted stream too
    const before = await metric(app, 'packet_too_large');
    const closed = new Promise<void>((resolve) => ok.client.once('close', () => resolve()));
    ok.client.publish('kaiteki/default/lobby/over-tls', Buffer.alloc(256 * 1024, 0x20), { qos: 0 });
    await closed;
    expect(await metric(app, 'packet_too_large')).toBe(before + 1);
    ok.client.end(true);
    expect((await tryConnect(tlsUrl, { rejectUnauthorized: false })).code).toBe(5);
  });
});

describe('topic filters', () => {
  it('matches topics and filter coverage as MQTT does', () => {
    expect(topicMatches('kaiteki/default/#', 'kaiteki/default/lobby/s1')).toBe(true);
    expect(topicMatches('kaiteki/default/#', 'kaiteki/default')).toBe(true);
    expect(topicMatches('kaiteki/default/#', 'kaiteki/other/lobby/s1')).toBe(false);
    expect(topicMatches('kaiteki/+/lobby', 'kaiteki/x/lobby')).toBe(true);
    expect(topicMatches('kaiteki/+/lobby', 'kaiteki/x/lobby/y')).toBe(false);
    expect(topicMatches('#', '$SYS/broker')).toBe(false);
    expect(topicMatches('$share/g/kaiteki/#', 'kaiteki/a')).toBe(true);
    expect(filterCovers('kaiteki/#', 'kaiteki/+/lobby')).toBe(true);
    expect(filterCovers('kaiteki/+/lobby', 'kaiteki/#')).toBe(false);
    expect(filterCovers('kaiteki/+', 'kaiteki/+')).toBe(true);
    expect(filterCovers('kaiteki/a', 'kaiteki/+')).toBe(false);
  });

  it('%u and %c stand for one plain topic level only; otherwise the pattern grants nothing', () => {
    const acl = ['kaiteki/takatsu/+/%c/#', 'kaiteki/takatsu/%u', 'kaiteki/fixed/#'];
    expect(expand(acl, 'dave', 'dev-1')).toEqual([
      'kaiteki/takatsu/+/dev-1/#',
      'kaiteki/takatsu/dave',
      'kaiteki/fixed/#',
    ]);
    for (const bad of ['#', '+', 'a/b', 'x#', '']) {
      expect(expand(acl, 'dave', bad), `client id ${JSON.stringify(bad)}`).toEqual([
        'kaiteki/takatsu/dave',
        'kaiteki/fixed/#',
      ]);
      expect(expand(acl, bad, 'dev-1'), `user ${JSON.stringify(bad)}`).toEqual([
        'kaiteki/takatsu/+/dev-1/#',
        'kaiteki/fixed/#',
      ]);
    }
    // a user name holding %c is not substituted a second time
    expect(expand(['t/%u/%c'], 'u%c', 'id')).toEqual(['t/u%c/id']);
  });
});

describe('embedded broker: connections per address', () => {
  it('refuses connections beyond the limit from one address, and counts them', async () => {
    const metrics = new Metrics();
    const broker = new EmbeddedBroker('127.0.0.1', 0, silentLogger, { maxConnectionsPerAddress: 2, metrics });
    await broker.start();
    const clients: MqttClient[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const r = await tryConnect(broker.url);
        expect(r.code).toBe(0);
        clients.push(r.client);
      }
      const third = mqtt.connect(broker.url, { reconnectPeriod: 0, connectTimeout: 5000 });
      await new Promise<void>((resolve) => third.once('close', () => resolve()));
      expect(third.connected).toBe(false);
      third.end(true);
      expect(await metrics.text()).toContain('kaiteki_broker_refused_total{reason="too_many_connections"} 1');
    } finally {
      for (const c of clients) c.end(true);
      await broker.stop();
    }
  });
});
