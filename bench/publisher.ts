/**
 * Bench child: the publisher fleet. One job per process: `burst` publishes
 * `count` messages as fast as the broker takes them (a window of unacked
 * QoS 1 publishes per connection), `paced` publishes at `rate` msg/s for
 * `durationMs` or until halted (plus the alarm sensor, alternating across its threshold),
 * `distinct` publishes `count` messages of `size` bytes, each on a topic of its own (a new sensor
 * per message). Sensors are spread over `connections` MQTT connections.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { onCommand, reply } from './lib/child.js';
import { ALARM, ALARM_TOPIC, payloadOf, SITE, TsClock, topicOf } from './lib/fleet.js';

interface Job {
  url: string;
  mode: 'burst' | 'paced' | 'distinct';
  sensors: number;
  connections: number;
  qos: 0 | 1;
  /** burst, distinct: messages in all */
  count?: number;
  /** distinct: bytes per payload */
  size?: number;
  /** paced: messages per second and for how long */
  rate?: number;
  durationMs?: number;
  /** paced: the alarm sensor publishes every this many ms (0 = not at all) */
  alarmEveryMs?: number;
}

const WINDOW = 1000; // unacked publishes per connection

let clients: MqttClient[] = [];
/** paced jobs end at durationMs or on `{ cmd: 'halt' }`, whichever comes first */
let halted = false;

async function connectAll(url: string, n: number): Promise<MqttClient[]> {
  const id = Math.random().toString(16).slice(2, 8);
  return Promise.all(
    Array.from(
      { length: n },
      (_, k) =>
        new Promise<MqttClient>((resolve, reject) => {
          const c = mqtt.connect(url, { clientId: `bench-pub-${id}-${k}`, clean: true, reconnectPeriod: 0 });
          c.once('connect', () => resolve(c));
          c.once('error', reject);
        }),
    ),
  );
}

function burst(job: Job): Promise<{ sent: number; acked: number }> {
  const total = job.count!;
  const ts = new TsClock(job.sensors);
  // Each sensor publishes over one connection, as a device does (so its messages arrive in order);
  // connection k carries the sensors i with i % connections === k.
  const own = clients.map((_, k) =>
    Array.from({ length: job.sensors }, (_, i) => i).filter((i) => i % clients.length === k),
  );
  const quota = own.map((s) => Math.round((total * s.length) / job.sensors));
  quota[quota.length - 1]! += total - quota.reduce((a, b) => a + b, 0);
  const sentBy = clients.map(() => 0);
  let next = 0;
  let acked = 0;
  return new Promise((resolve) => {
    const inflight = clients.map(() => 0);
    const pump = (k: number) => {
      const c = clients[k]!;
      const mine = own[k]!;
      while (inflight[k]! < WINDOW && sentBy[k]! < quota[k]!) {
        const n = next++;
        const i = mine[sentBy[k]!++ % mine.length]!;
        inflight[k]!++;
        c.publish(topicOf(i), payloadOf(ts.next(i, Date.now()), i, n), { qos: job.qos }, () => {
          inflight[k]!--;
          acked++;
          if (acked === total) resolve({ sent: total, acked });
          else if (inflight[k]! === WINDOW / 2) setImmediate(() => pump(k));
        });
      }
    };
    clients.forEach((_, k) => {
      pump(k);
    });
  });
}

/** unacked publishes in the distinct job: large payloads, so fewer than a burst's */
const DISTINCT_WINDOW = 200;

/** message i of the distinct job: sensor `dNNNNN` in zone z01, one topic per message */
function distinctTopicOf(i: number): string {
  return `kaiteki/${SITE}/z01/d${String(i + 1).padStart(5, '0')}`;
}

/** a native JSON reading padded with a string field (ignored by ingest) to `size` bytes */
function paddedPayload(ts: number, i: number, size: number): string {
  const head = `{"ts":${ts},"co2":${500 + ((i * 7) % 300)},"note":"`;
  return `${head}${'x'.repeat(Math.max(0, size - head.length - 2))}"}`;
}

function distinct(job: Job): Promise<{ sent: number; acked: number }> {
  const total = job.count!;
  const size = job.size ?? 200;
  let sent = 0;
  let acked = 0;
  return new Promise((resolve) => {
    const pump = () => {
      while (sent < total && sent - acked < DISTINCT_WINDOW) {
        const i = sent++;
        const c = clients[i % clients.length]!;
        c.publish(distinctTopicOf(i), paddedPayload(Date.now(), i, size), { qos: job.qos }, () => {
          acked++;
          if (acked === total) resolve({ sent, acked });
          else if (sent - acked === DISTINCT_WINDOW / 2) setImmediate(pump);
        });
      }
    };
    pump();
  });
}

function paced(job: Job): Promise<{ sent: number; acked: number; alarms: number }> {
  const rate = job.rate!;
  const ts = new TsClock(job.sensors + 1);
  const t0 = Date.now();
  let sent = 0;
  let acked = 0;
  let alarms = 0;
  return new Promise((resolve) => {
    let stopped = false;
    const done = () => {
      if (stopped && acked === sent + alarms) resolve({ sent, acked, alarms });
    };
    const ack = () => {
      acked++;
      done();
    };
    const tick = setInterval(() => {
      const now = Date.now();
      const elapsed = Math.min(now - t0, job.durationMs!);
      const due = Math.floor((elapsed * rate) / 1000);
      while (sent < due) {
        const i = sent % job.sensors;
        const c = clients[i % clients.length]!; // one connection per sensor, as a device
        c.publish(topicOf(i), payloadOf(ts.next(i, now), i, sent), { qos: job.qos }, ack);
        sent++;
      }
      if (now - t0 >= job.durationMs! || halted) {
        clearInterval(tick);
        clearInterval(alarm);
        stopped = true;
        done();
      }
    }, 2);
    const alarm = setInterval(() => {
      if (!job.alarmEveryMs) return;
      const high = alarms % 2 === 0;
      const value = high ? ALARM.above + 500 : ALARM.above - 1000;
      const body = `{"ts":${ts.next(job.sensors, Date.now())},"${ALARM.quantity}":${value}}`;
      alarms++;
      clients[0]!.publish(ALARM_TOPIC, body, { qos: job.qos }, ack);
    }, job.alarmEveryMs || 1_000_000);
  });
}

onCommand(async (msg) => {
  if (msg.cmd === 'stop') {
    await Promise.all(clients.map((c) => c.endAsync()));
    process.exit(0);
  }
  if (msg.cmd === 'halt') halted = true;
  if (msg.cmd !== 'run') return;
  const job = msg as unknown as Job;
  clients = await connectAll(job.url, job.connections);
  reply({ ev: 'ready' });
  await new Promise<void>((resolve) => process.once('message', () => resolve())); // { cmd: 'go' }
  const t0 = Date.now();
  reply({ ev: 'started', t0 });
  const res =
    job.mode === 'burst'
      ? { ...(await burst(job)), alarms: 0 }
      : job.mode === 'distinct'
        ? { ...(await distinct(job)), alarms: 0 }
        : await paced(job);
  reply({ ev: 'done', t0, t1: Date.now(), ...res });
});
