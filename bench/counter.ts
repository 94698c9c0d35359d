/**
 * Bench child: the ceiling. A raw mqtt.js subscriber that only counts
 * messages (and, in latency mode, reads `ts` to time publish → received);
 * plus a static HTTP server that serves given bodies, the baseline for the
 * HTTP scenario. Nothing here does more work than it must.
 */
import { createServer, type Server } from 'node:http';
import mqtt, { type MqttClient } from 'mqtt';
import { onCommand, reply } from './lib/child.js';
import { percentiles } from './lib/stats.js';

let client: MqttClient | undefined;
let server: Server | undefined;
let count = 0;
let expect = Number.POSITIVE_INFINITY;
let tFirst = 0;
let tLast = 0;
let latency = false;
let lat: number[] = [];
let peakRss = 0;

setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 200).unref();

function stats() {
  return { count, tFirst, tLast, latency: percentiles(lat), rss: process.memoryUsage.rss(), peakRss };
}

const TS = /"ts":(\d+)/;

onCommand(async (msg) => {
  switch (msg.cmd) {
    case 'subscribe': {
      count = 0;
      tFirst = 0;
      expect = (msg.expect as number | undefined) ?? Number.POSITIVE_INFINITY;
      latency = msg.latency === true;
      const c = mqtt.connect(msg.url as string, {
        clientId: `bench-ceiling-${process.pid}`,
        clean: true,
        reconnectPeriod: 0,
      });
      client = c;
      c.on('message', (_topic, payload) => {
        const now = Date.now();
        if (count === 0) tFirst = now;
        count++;
        tLast = now;
        if (latency) {
          const m = TS.exec(payload.toString('latin1'));
          if (m) lat.push(now - Number(m[1]));
        }
        if (count === expect) reply({ ev: 'reached', ...stats() });
      });
      await new Promise<void>((resolve, reject) => {
        c.once('connect', () => resolve());
        c.once('error', reject);
      });
      await c.subscribeAsync('kaiteki/#', { qos: msg.qos as 0 | 1 });
      reply({ ev: 'ready' });
      return;
    }
    case 'reset':
      if (msg.expect !== undefined) {
        // the next burst: count from zero again, on the same connection (warm)
        count = 0;
        tFirst = 0;
        expect = msg.expect as number;
      }
      lat = [];
      peakRss = process.memoryUsage.rss();
      reply({ ev: 'reset' });
      return;
    case 'stats':
      reply({ ev: 'stats', ...stats() });
      return;
    case 'serve': {
      const bodies = msg.bodies as Record<string, string>;
      const s = createServer((req, res) => {
        const body = bodies[(req.url ?? '/').split('?')[0]!] ?? '{}';
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(body);
      });
      server = s;
      await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
      const addr = s.address();
      reply({ ev: 'serving', url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` });
      return;
    }
    case 'stop':
      await client?.endAsync();
      server?.close();
      process.exit(0);
  }
});
