import type { Config, Secrets } from '../config/schema.js';
import { type Clock, systemClock } from '../core/clock.js';
import { KaitekiError } from '../core/errors.js';
import { child, type Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import { isQuantity } from '../core/quantities.js';
import type { Sensor } from '../inventory/inventory.js';
import { SimModel } from './model.js';
import { SimulatedSensor } from './sensor.js';

export interface FleetOptions {
  /** broker URL (mqtt://, mqtts://, ws://) */
  mqttUrl: string;
  /** site, zones, hours, eco seasons, topic prefix; username from `mqtt.username`, password from secrets */
  config: Pick<Config, 'site' | 'zones' | 'hours' | 'limits' | 'mqtt'> & { secrets?: Secrets };
  /** the sensors to simulate: every inventory entry in the native `kaiteki` format */
  inventory: { readonly sensors: readonly Sensor[] };
  /** wall clock for the published `ts` (default: system clock) */
  clock?: Clock;
  /**
   * Fast-forward factor (default 1): publishing intervals are divided by it and
   * the simulated day runs this many times faster from the start, while each
   * message's `ts` stays the wall clock (so ingest never sees future readings).
   */
  speed?: number;
  /** model seed (default 1): the same seed gives the same days */
  seed?: number;
  log: Logger;
  metrics?: Metrics;
}

/** A running simulated fleet: one real MQTT client per sensor. */
export interface Fleet {
  /** ids of the simulated sensors */
  readonly sensors: readonly string[];
  /** Resolves once every sensor's client has connected; rejects (retryable) after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
  /**
   * Makes `sensor` report `value` for `quantity` for the next `durationMs` of
   * wall-clock time (e.g. a CO2 episode in the lobby) and publishes at once.
   * Throws a KaitekiError for an unknown sensor or quantity.
   */
  force(sensor: string, quantity: string, value: number, durationMs: number): void;
  /** Stops publishing, marks every sensor `offline` (retained) and disconnects. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the simulated sensor fleet against a broker. Each sensor connects as
 * `sim-<sensor>` with a retained `offline` LWT on `<prefix>/<site>/<zone>/<sensor>/status`,
 * publishes `online` (retained) on connect, then a JSON object of its quantities
 * plus `ts` (epoch ms) at QoS 1 every `intervalSeconds` (±10 % jitter), the first
 * within about two seconds. A sensor whose broker is down skips its readings
 * (counted) instead of piling them up, and reconnects by itself.
 */
export function startFleet(opts: FleetOptions): Fleet {
  const log = child(opts.log, 'sim');
  const clock = opts.clock ?? systemClock;
  const speed = opts.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed))
    throw new KaitekiError(`speed must be a positive number, got ${speed}`);
  const model = SimModel.fromConfig(opts.config, opts.seed ?? 1);
  const startedAt = clock.now();
  const modelTime = () => startedAt + (clock.now() - startedAt) * speed;
  const published = opts.metrics?.counter('kaiteki_sim_published_total', 'simulated readings published');
  const skipped = opts.metrics?.counter(
    'kaiteki_sim_skipped_total',
    'simulated readings skipped (not connected)',
  );

  const sims = new Map<string, SimulatedSensor>();
  for (const s of opts.inventory.sensors) {
    if (s.format !== 'kaiteki') {
      log.warn({ sensor: s.id, format: s.format }, 'not simulated: only the native kaiteki format is');
      continue;
    }
    if (s.quantities.length === 0) continue;
    sims.set(
      s.id,
      new SimulatedSensor({
        sensor: s,
        model,
        modelTime,
        clock,
        speed,
        prefix: opts.config.mqtt.topicPrefix,
        url: opts.mqttUrl,
        username: opts.config.mqtt.username,
        password: opts.config.secrets?.mqttPassword,
        reconnectPeriodMs: opts.config.mqtt.reconnectPeriodMs,
        log,
        onPublish: (ok) => (ok ? published?.inc() : skipped?.inc()),
      }),
    );
  }
  for (const s of sims.values()) s.start();
  log.info({ url: opts.mqttUrl, sensors: sims.size, speed }, 'simulated fleet started');

  let stopped: Promise<void> | undefined;
  return {
    sensors: [...sims.keys()],
    ready: (timeoutMs = 10_000) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new KaitekiError(`simulated sensors not connected to ${opts.mqttUrl} after ${timeoutMs} ms`, {
                retryable: true,
              }),
            ),
          timeoutMs,
        );
      });
      return Promise.race([
        Promise.all([...sims.values()].map((s) => s.connected)).then(() => undefined),
        timeout,
      ]).finally(() => clearTimeout(timer));
    },
    force: (sensor, quantity, value, durationMs) => {
      const s = sims.get(sensor);
      if (!s)
        throw new KaitekiError(`unknown simulated sensor "${sensor}" (have: ${[...sims.keys()].join(', ')})`);
      if (!isQuantity(quantity)) throw new KaitekiError(`unknown quantity "${quantity}"`);
      if (!Number.isFinite(value))
        throw new KaitekiError(`forced value must be a finite number, got ${value}`);
      log.info({ sensor, quantity, value, durationMs }, 'forced episode');
      s.force(quantity, value, clock.now() + durationMs);
    },
    stop: () => {
      stopped ??= Promise.all([...sims.values()].map((s) => s.stop())).then(() => {
        log.info('simulated fleet stopped');
      });
      return stopped;
    },
  };
}
