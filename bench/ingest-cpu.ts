/**
 * `node --import tsx bench/ingest-cpu.ts [messages] [batch] [--influx]` — CPU
 * time per message of Kaiteki's own ingest path (ingestor → store → rollups,
 * rules, zone status), without a broker: the App is built as the bench builds
 * it and fed the bench fleet's messages in batches straight into the
 * ingestor, one batch per event-loop turn (so timers and, with `--influx`, the
 * drainer to a real influxd run in between, and count). A developer's tool for
 * the part of `npm run bench` that is ours.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from '../src/app.js';
import { parseConfig } from '../src/config/load.js';
import { createLogger } from '../src/core/log.js';
import type { RawMessage } from '../src/ingest/format.js';
import type { Ingestor } from '../src/ingest/ingestor.js';
import { startInfluxd } from '../test/helpers/influxd.js';
import { payloadOf, TsClock, topicOf } from './lib/fleet.js';
import { serviceConfig } from './lib/service.js';
import type { BenchEnv } from './lib/types.js';

const args = process.argv.slice(2).filter((a) => a !== '--influx');
const influx = process.argv.includes('--influx') ? await startInfluxd() : undefined;
const total = Number(args[0] ?? 120_000);
const batchSize = Number(args[1] ?? 300);
const sensors = 1000;
const tmp = mkdtempSync(join(tmpdir(), 'kaiteki-cpu-'));
const env = {
  tmp,
  sizes: { sensors },
  broker: { url: 'mqtt://127.0.0.1:1' },
} as unknown as BenchEnv;
const { config: raw } = serviceConfig(
  env,
  influx ? { store: 'influx-v1', influxUrl: influx.url } : { store: 'embedded' },
);
const config = parseConfig(raw, 'bench', {});
const app = new App({ config, log: createLogger('error', 2) });
await app.start();
const ingestor = (app as unknown as { ingestor: Ingestor }).ingestor;
const ts = new TsClock(sensors);
let n = 0;
function batch(): RawMessage[] {
  const out: RawMessage[] = [];
  const now = Date.now();
  for (let k = 0; k < batchSize; k++, n++) {
    const i = n % sensors;
    out.push({
      topic: topicOf(i),
      payload: Buffer.from(payloadOf(ts.next(i, now), i, n)),
      receivedAt: now,
      messageId: (n % 65535) + 1,
    });
  }
  return out;
}
const run = async (count: number) => {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let done = 0; done < count; done += batchSize) {
    ingestor.handleMany(batch());
    await new Promise((r) => setImmediate(r));
  }
  const cpu = process.cpuUsage(cpu0);
  return { wall: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1000 };
};
await run(20_000); // warm up
const r = await run(total);
console.log(
  `${total} messages in batches of ${batchSize}: ${((r.cpu * 1000) / total).toFixed(1)} µs CPU per message (${((r.wall * 1000) / total).toFixed(1)} µs wall)`,
);
await app.stop();
await influx?.close();
rmSync(tmp, { recursive: true, force: true });
