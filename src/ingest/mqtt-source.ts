import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { AppContext, PartHealth } from '../core/context.js';
import { errorMessage, KaitekiError } from '../core/errors.js';
import { child, type Logger } from '../core/log.js';
import type { Service } from '../core/service.js';
import type { RawMessage } from './format.js';
import type { Ingestor } from './ingestor.js';
import { PubackHold } from './puback-hold.js';
import type { FormatRouter } from './router.js';

/**
 * Subscribes to the broker and feeds every message to the Ingestor. QoS 1
 * with a persistent session (clean: false, stable client id): the broker
 * keeps readings published while Kaiteki is down and delivers them when it
 * returns. mqtt.js sends the PUBACK only after `handleMessage` calls back,
 * and the Ingestor commits to disk before that, so an acknowledged reading is
 * never lost; while the store refuses writes, the callback waits (the broker
 * holds the rest) and the write is retried with backoff.
 */
export class MqttSource implements Service {
  readonly name = 'mqtt';
  private client?: MqttClient;
  private readonly log: Logger;
  private connected = false;
  private lastError?: string;
  private stopping = false;
  private readonly mConnects;
  private readonly mRetries;

  constructor(
    private readonly ctx: AppContext,
    private readonly url: string,
    private readonly ingestor: Ingestor,
    private readonly router: FormatRouter,
  ) {
    this.log = child(ctx.log, 'mqtt');
    this.mConnects = ctx.metrics.counter(
      'kaiteki_mqtt_connects_total',
      'Connections (and reconnections) to the broker',
    );
    this.mRetries = ctx.metrics.counter(
      'kaiteki_ingest_store_retries_total',
      'Durable accepts retried because the store refused',
    );
    ctx.metrics.gauge(
      'kaiteki_mqtt_connected',
      'Whether the broker connection is up (1/0)',
      [],
      () => undefined,
    );
  }

  async start(): Promise<void> {
    const c = this.ctx.config.mqtt;
    const opts: IClientOptions = {
      clientId: c.clientId ?? `kaiteki-${this.ctx.config.site.id}`,
      clean: false,
      reconnectPeriod: c.reconnectPeriodMs,
      connectTimeout: 10_000,
      keepalive: 30,
      // mqtt.js logs several debug lines per packet; even switched off, each call cost ~4 % of ingest
      // (bench profile). Its own `log` option: off unless DEBUG asks for mqttjs.
      ...(/mqttjs|\*/.test(process.env.DEBUG ?? '') ? {} : { log: () => {} }),
      protocolVersion: c.sharedGroup ? 5 : 4,
      ...(c.sharedGroup ? { properties: { sessionExpiryInterval: 7 * 86_400 } } : {}),
      username: c.username,
      password: this.ctx.config.secrets.mqttPassword,
      rejectUnauthorized: c.tls.rejectUnauthorized,
      ...(c.tls.ca ? { ca: readFileSync(c.tls.ca) } : {}),
      ...(c.tls.cert ? { cert: readFileSync(c.tls.cert) } : {}),
      ...(c.tls.key ? { key: readFileSync(c.tls.key) } : {}),
    };
    const client = mqtt.connect(this.url, opts);
    this.client = client;
    // Group commit. mqtt.js hands over the packets of one socket read one at a
    // time and reads on only after each callback; the callback would send the
    // PUBACK at once. So the callback runs at once, the PUBACK it sends is held
    // (PubackHold, the one mqtt.js internal we touch), and setImmediate commits
    // the whole read in one transaction, then releases its PUBACKs in one write.
    // Never acknowledged before the commit; while commits fail, mqtt.js is held
    // (backpressure). Acks are tied to the connection they belong to.
    let hold: PubackHold;
    try {
      hold = PubackHold.install(
        client,
        () => this.batch.length > 0,
        () => this.connection,
      );
    } catch (err) {
      client.end(true);
      throw err;
    }
    this.hold = hold;
    client.handleMessage = (packet, done) => {
      // one shape for every message (no conditional spreads: this runs for every message)
      this.batch.push({
        topic: packet.topic,
        payload: packet.payload as Buffer,
        receivedAt: this.ctx.clock.now(),
        retain: packet.retain === true,
        dup: packet.dup === true,
        messageId: packet.messageId,
      });
      if (!this.flushPending) {
        this.flushPending = true;
        setImmediate(() => this.flush(0));
      }
      if (this.failing || this.batch.length >= MAX_BATCH) {
        this.paused.push({ resume: () => done(), connection: this.connection });
        return;
      }
      const seen = hold.seen;
      done();
      // mqtt.js sends a QoS 1 PUBACK synchronously from this callback: if it did
      // not pass through the hold, this mqtt.js acknowledges some other way.
      if (packet.qos === 1 && hold.seen === seen) this.holdBroken();
    };
    client.on('connect', (connack) => {
      this.connected = true;
      this.mConnects.inc();
      this.ctx.metrics.gauge('kaiteki_mqtt_connected', '').set(1);
      this.log.info({ url: redact(this.url), sessionPresent: connack.sessionPresent }, 'connected to broker');
      // Resubscribe even with a session present: cheap, and covers brokers that lost the session.
      const topics = this.router.subscriptions();
      client.subscribe(topics, { qos: c.qos }, (err, granted) => {
        if (err) this.log.error({ err: errorMessage(err) }, 'subscribe failed');
        else this.log.info({ topics: granted?.map((g) => `${g.topic} (qos ${g.qos})`) }, 'subscribed');
      });
    });
    // A confirmed discovery proposal adds topics while running; a reconnect subscribes to all of them anyway.
    this.router.onSubscriptionsChanged(({ added, removed }) => {
      if (!client.connected) return;
      if (added.length > 0) client.subscribe(added, { qos: c.qos });
      if (removed.length > 0) client.unsubscribe(removed);
    });
    client.on('close', () => {
      this.connection++;
      if (this.connected) this.log.warn({ url: redact(this.url) }, 'broker connection lost; reconnecting');
      this.connected = false;
      this.ctx.metrics.gauge('kaiteki_mqtt_connected', '').set(0);
    });
    client.on('error', (err) => {
      this.lastError = errorMessage(err);
      this.log.warn({ err: this.lastError }, 'broker error');
    });
    // Do not block start-up on the broker: it may come later; health says so meanwhile.
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 3000);
      t.unref();
      client.once('connect', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private batch: RawMessage[] = [];
  private hold?: PubackHold;
  private holdFailed = false;
  /** mqtt.js continuations held back (batch full, or commits failing) */
  private paused: { resume: () => void; connection: number }[] = [];
  /** counts broker connections: acks of an earlier one must not be sent on a later one */
  private connection = 0;
  private flushPending = false;
  private failing = false;

  private holdBroken(): void {
    if (this.holdFailed) return;
    this.holdFailed = true;
    this.lastError = 'mqtt.js sent a PUBACK outside the group-commit hold (src/ingest/puback-hold.ts)';
    this.log.fatal({ err: this.lastError }, 'acknowledgement before commit possible: stopping ingest');
    // Stop reading: better no ingest (health says why) than acks for readings not yet durable.
    void this.client?.end(true);
  }

  private flush(attempt: number): void {
    if (this.stopping) return; // never ack: the broker redelivers to the next session
    try {
      // Throws only when the store refused (a KaitekiError); a bad message is its own counted rejection.
      this.ingestor.handleMany(this.batch);
    } catch (err) {
      this.failing = true;
      this.mRetries.inc();
      const delay = Math.min(30_000, 100 * 2 ** Math.min(attempt, 9));
      if (attempt === 0 || attempt % 10 === 0) {
        this.log.error(
          {
            err: errorMessage(err),
            retryable: err instanceof KaitekiError && err.retryable,
            attempt,
            delayMs: delay,
            messages: this.batch.length,
          },
          'store refused readings; holding the acks and retrying',
        );
      }
      setTimeout(() => this.flush(attempt + 1), delay).unref();
      return;
    }
    const paused = this.paused;
    this.batch = [];
    this.paused = [];
    this.failing = false;
    this.flushPending = false;
    this.hold!.release(this.connection);
    // Each sends its PUBACK (committed) and lets mqtt.js read on; an old connection's are dropped.
    for (const p of paused) if (p.connection === this.connection) p.resume();
  }

  health(): PartHealth {
    return {
      ok: this.connected && !this.holdFailed,
      required: true,
      detail: {
        url: redact(this.url),
        connected: this.connected,
        ...(this.lastError ? { lastError: this.lastError } : {}),
      },
    };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const c = this.client;
    if (!c) return;
    await new Promise<void>((resolve) => c.end(false, {}, () => resolve()));
  }
}

/** messages per commit at most; beyond, mqtt.js waits for the commit */
const MAX_BATCH = 1000;

/** URL without credentials, for logs and /healthz. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
