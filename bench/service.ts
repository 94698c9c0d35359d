/**
 * Bench child: Kaiteki itself, built as `npm start` builds it (App with its
 * default extensions) from a config the orchestrator passes in BENCH_SERVICE.
 * It counts durable readings off the bus, times publish → stored (bus
 * 'readings' minus the reading's `ts`, which the publisher set to its send
 * time) and publish → alert decision (bus 'alert' minus the `ts` of the
 * alarm sensor's reading that crossed the threshold), samples its own RSS,
 * and answers the orchestrator over IPC.
 */
import { App } from '../src/app.js';
import { parseConfig } from '../src/config/load.js';
import { createLogger } from '../src/core/log.js';
import type { Reading } from '../src/core/reading.js';
import { onCommand, reply } from './lib/child.js';
import { ALARM, SITE } from './lib/fleet.js';
import { percentiles } from './lib/stats.js';

export interface ServiceSpec {
  /** the config, as YAML would give it */
  config: Record<string, unknown>;
  /** seed this zone with 24 h of minute readings (for the /api/series scenario) */
  seedZone?: { zone: string; sensors: string[] };
}

const spec = JSON.parse(process.env.BENCH_SERVICE ?? '{}') as ServiceSpec;
const config = parseConfig(spec.config, 'bench', {});
const app = new App({ config, log: createLogger(config.log.level, 2) });

let readings = 0;
/** bus 'readings' events */
let events = 0;
let tFirst = 0;
let tLast = 0;
let waitFor: { n: number } | undefined;
let lat: number[] = [];
let alertLat: number[] = [];
let alerts = 0;
let lastAlarmTs = 0;
let peakRss = process.memoryUsage.rss();
const rssTimeline: { t: number; rss: number; heap: number }[] = [];

// Registered before start(), so these listeners run before any extension's (EventEmitter order).
app.ctx.bus.on('readings', (rs: readonly Reading[]) => {
  const now = Date.now();
  if (readings === 0) tFirst = now;
  readings += rs.length;
  events++;
  tLast = now;
  // one latency sample per message (a message's readings share sensor and ts), however the batch is cut
  let prev: Reading | undefined;
  for (const r of rs) {
    if (!prev || r.ts !== prev.ts || r.sensor !== prev.sensor) lat.push(now - r.ts);
    if (r.zone === ALARM.zone && r.sensor === ALARM.sensor) lastAlarmTs = r.ts;
    prev = r;
  }
  if (waitFor && readings >= waitFor.n) {
    waitFor = undefined;
    reply({ ev: 'reached', ...counters() });
  }
});
app.ctx.bus.on('alert', () => {
  alerts++;
  if (lastAlarmTs > 0) alertLat.push(Date.now() - lastAlarmTs);
});

setInterval(() => {
  const rss = process.memoryUsage.rss();
  peakRss = Math.max(peakRss, rss);
}, 100).unref();
setInterval(() => {
  const m = process.memoryUsage();
  rssTimeline.push({ t: Date.now(), rss: m.rss, heap: m.heapUsed });
  if (rssTimeline.length > 20_000) rssTimeline.shift();
}, 1000).unref();

function counters() {
  return { readings, events, tFirst, tLast, rss: process.memoryUsage.rss(), peakRss, alerts };
}

async function seed(zone: string, sensors: string[]): Promise<number> {
  const to = Date.now() - 60_000;
  let batch: Reading[] = [];
  let n = 0;
  for (const sensor of sensors) {
    for (let ts = to - 86_400_000; ts < to; ts += 60_000) {
      batch.push({ site: SITE, zone, sensor, quantity: 'temperature', value: 23, ts, registered: false });
      batch.push({ site: SITE, zone, sensor, quantity: 'co2', value: 600, ts, registered: false });
      if (batch.length >= 5000) {
        await app.ctx.store.write(batch);
        n += batch.length;
        batch = [];
      }
    }
  }
  await app.ctx.store.write(batch);
  return n + batch.length;
}

await app.start();
const health = await app.health();
const seeded = spec.seedZone ? await seed(spec.seedZone.zone, spec.seedZone.sensors) : 0;
reply({
  ev: 'ready',
  url: app.url,
  store: app.ctx.store.kind,
  parts: Object.keys(health),
  seeded,
  pid: process.pid,
});

onCommand(async (msg) => {
  switch (msg.cmd) {
    case 'wait': {
      const n = msg.readings as number;
      if (readings >= n) reply({ ev: 'reached', ...counters() });
      else waitFor = { n };
      return;
    }
    case 'drained':
      // InfluxDB: every accepted reading confirmed by the server (HTTP 204), timed here, not by a poll
      await app.storeDrained();
      reply({ ev: 'drained', t: Date.now() });
      return;
    case 'stats':
      reply({
        ev: 'stats',
        ...counters(),
        latency: percentiles(lat),
        alertLatency: percentiles(alertLat),
        rssTimeline: msg.timeline ? rssTimeline : [],
      });
      return;
    case 'settle': {
      // what the process keeps, not garbage waiting for a collection (needs --expose-gc)
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc) {
        for (let i = 0; i < 4; i++) {
          gc();
          await new Promise((r) => setTimeout(r, 400));
        }
      }
      const m = process.memoryUsage();
      reply({
        ev: 'settled',
        gc: gc !== undefined,
        rss: m.rss,
        heapUsed: m.heapUsed,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
      });
      return;
    }
    case 'reset':
      lat = [];
      alertLat = [];
      peakRss = process.memoryUsage.rss();
      reply({ ev: 'reset' });
      return;
    case 'stop':
      await app.stop();
      process.exit(0);
  }
});
