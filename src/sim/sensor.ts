import mqtt, { type MqttClient } from 'mqtt';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { QUANTITIES, type Quantity } from '../core/quantities.js';
import type { Sensor } from '../inventory/inventory.js';
import type { SensorState, SimModel, SimValues } from './model.js';
import { hash, Rng, strHash } from './rng.js';

export interface SimulatedSensorOptions {
  sensor: Sensor;
  model: SimModel;
  /** simulated time for the model (may run faster than the wall clock) */
  modelTime: () => number;
  clock: Clock;
  speed: number;
  prefix: string;
  url: string;
  username?: string;
  password?: string;
  reconnectPeriodMs: number;
  log: Logger;
  /** called per due reading: true published, false skipped (not connected) */
  onPublish: (ok: boolean) => void;
}

/** Delay before the first reading, so a demo shows values at once. */
const FIRST_MS = 2000;

/**
 * One simulated sensor: a real MQTT client (`sim-<id>`) with an `offline`
 * LWT, publishing the model's values at its own interval. Values are published
 * as the raw sensor would send them, i.e. before the inventory's calibration
 * (which ingest adds back), so the stored value is the model's.
 */
export class SimulatedSensor {
  /** resolves on the first successful connection */
  readonly connected: Promise<void>;
  private resolveConnected!: () => void;
  private client: MqttClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private state: SensorState | undefined;
  private readonly forced = new Map<Quantity, { value: number; until: number }>();
  private readonly jitter: Rng;
  private readonly topic: string;
  private stopping = false;
  private errorLogged = false;

  constructor(private readonly o: SimulatedSensorOptions) {
    this.connected = new Promise((resolve) => {
      this.resolveConnected = resolve;
    });
    const s = o.sensor;
    this.topic = `${o.prefix}/${s.site}/${s.zone}/${s.id}`;
    this.jitter = new Rng(hash(o.model.seed, strHash(`jitter:${s.id}`)));
  }

  start(): void {
    const s = this.o.sensor;
    const client = mqtt.connect(this.o.url, {
      clientId: `sim-${s.id}`,
      clean: true,
      reconnectPeriod: this.o.reconnectPeriodMs,
      connectTimeout: 10_000,
      username: this.o.username,
      password: this.o.password,
      will: { topic: `${this.topic}/status`, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    this.client = client;
    client.on('connect', () => {
      this.errorLogged = false;
      client.publish(`${this.topic}/status`, 'online', { qos: 1, retain: true });
      this.resolveConnected();
    });
    client.on('error', (err) => {
      if (this.errorLogged) return;
      this.errorLogged = true;
      this.o.log.warn({ sensor: s.id, err: errorMessage(err) }, 'simulated sensor: broker error (retrying)');
    });
    const first = Math.min(FIRST_MS, (s.intervalSeconds * 1000) / this.o.speed);
    this.schedule(first * (0.05 + 0.95 * this.jitter.next()));
  }

  /** Overrides `quantity` until the wall-clock time `until`, and publishes now. */
  force(quantity: Quantity, value: number, until: number): void {
    this.forced.set(quantity, { value, until });
    this.tick(false);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    const client = this.client;
    if (!client) return;
    if (client.connected) {
      // A clean disconnect suppresses the LWT: say "offline" ourselves so no stale "online" stays retained.
      try {
        await client.publishAsync(`${this.topic}/status`, 'offline', { qos: 1, retain: true });
      } catch {
        // going away anyway
      }
      await client.endAsync();
    } else {
      await client.endAsync(true);
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.tick(true);
    }, delayMs);
  }

  private tick(reschedule: boolean): void {
    if (this.stopping) return;
    if (reschedule) {
      const every = (this.o.sensor.intervalSeconds * 1000) / this.o.speed;
      this.schedule(every * (0.9 + 0.2 * this.jitter.next()));
    }
    const client = this.client;
    if (!client?.connected) {
      this.o.onPublish(false);
      return;
    }
    const r = this.o.model.step(this.o.sensor, this.state, this.o.modelTime());
    this.state = r.state;
    const payload = JSON.stringify({ ...this.raw(r.values), ts: this.o.clock.now() });
    client.publish(this.topic, payload, { qos: 1 }, (err) => {
      if (err && !this.stopping)
        this.o.log.debug({ sensor: this.o.sensor.id, err: errorMessage(err) }, 'publish failed');
    });
    this.o.onPublish(true);
  }

  /** Forced episodes applied, calibration taken out (ingest adds it back), rounded to the quantity's precision. */
  private raw(values: SimValues): SimValues {
    const now = this.o.clock.now();
    const out: SimValues = { ...values };
    for (const [q, f] of this.forced) {
      if (now >= f.until) this.forced.delete(q);
      else out[q] = f.value;
    }
    for (const [q, v] of Object.entries(out) as [Quantity, number][]) {
      const c = this.o.sensor.calibration[q] ?? 0;
      const f = 10 ** QUANTITIES[q].decimals;
      out[q] = Math.round((v - c) * f) / f;
    }
    return out;
  }
}
