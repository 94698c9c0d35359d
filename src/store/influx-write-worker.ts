/**
 * The InfluxDB 1.x write thread (see influx-write-thread.ts): builds the
 * line-protocol body of a batch from series heads and numbers, and posts it
 * with its own InfluxV1Store, so the body, the HTTP request and its garbage
 * stay off the thread that takes MQTT messages. It answers every request
 * with ok or the write error's parts; it never drops or retries a batch
 * itself (the drainer does, and deletes rows only after an ok).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../core/errors.js';
import type { InfluxConfig } from './config.js';
import { InfluxV1Store } from './influx-v1.js';
import type { WriteReply, WriteRequest } from './influx-write-thread.js';
import { lineOf } from './line-protocol.js';
import { StoreWriteError } from './write-error.js';

const port = parentPort!;
const { cfg, password } = workerData as { cfg: InfluxConfig; password: string | undefined };
const store = new InfluxV1Store({ ...cfg, writeThread: false }, password);
await store.open();
/** series heads by the index the main thread gave them */
const heads: string[] = [];

port.on('message', (m: WriteRequest) => {
  if (m.reset) heads.length = 0;
  for (const [i, head] of m.heads) heads[i] = head;
  void write(m).then((reply) => port.postMessage(reply));
});
port.postMessage({ ready: true });

async function write(m: WriteRequest): Promise<WriteReply> {
  const { series, ts, value, registered } = m;
  let body = '';
  for (let i = 0; i < ts.length; i++) {
    if (i > 0) body += '\n';
    body += lineOf(heads[series[i]!]!, value[i]!, registered[i] === 1, ts[i]!);
  }
  const before = store.droppedByRetention;
  try {
    await store.writeBody(body);
    return { id: m.id, ok: true, droppedByRetention: store.droppedByRetention - before };
  } catch (err) {
    const e = err instanceof StoreWriteError ? err : undefined;
    return {
      id: m.id,
      ok: false,
      message: errorMessage(err),
      failure: e?.failure ?? 'unavailable',
      status: e?.status,
      retryAfterMs: e?.retryAfterMs,
    };
  }
}
