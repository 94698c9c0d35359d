import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Bus } from '../core/bus.js';
import { type Clock, systemClock } from '../core/clock.js';
import type { PartHealth } from '../core/context.js';
import { child, type Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { Reading } from '../core/reading.js';
import type { Service } from '../core/service.js';
import { Drainer } from './drainer.js';
import { InfluxV1Store } from './influx-v1.js';
import { InfluxV2Store } from './influx-v2.js';
import { Outbox } from './outbox.js';
import type { AggregatorOptions, OutsideCheck } from './rollup.js';
import { type RawSource, RollupService } from './rollup-service.js';
import { SqliteStore } from './sqlite.js';
import type { DurableSink, TimeSeriesStore } from './store.js';

export interface StoreBundle {
  /** reads (and rollup writes) go here; for InfluxDB, readings still in the outbox are not visible yet */
  store: TimeSeriesStore;
  /** ingest's durable acceptance step */
  sink: DurableSink;
  /** start after the ingest is wired, stop before `close()` (the drainer, for InfluxDB) */
  services: Service[];
  /** raw readings for rollup rebuilds: the store's plus those still in the outbox */
  rawSource: RawSource;
  /** store part of /healthz */
  health(): PartHealth;
  /** resolves once every reading accepted so far is in the store (at once when the sink is the store) */
  drained(): Promise<void>;
  /** opens the store (and the outbox); call before the first acceptSync. A remote server that is down is not an error. */
  open(): Promise<void>;
  /** closes the store and the outbox (after the services stopped); safe to call twice */
  close(): Promise<void>;
}

/**
 * Builds the configured store (nothing is opened until `open()`):
 * - embedded: SqliteStore at <dataDir>/kaiteki.db is both store and sink;
 * - influx-v1 / influx-v2: the remote store, an Outbox at <dataDir>/outbox.db
 *   as the sink, and a Drainer service between them. A server that is down
 *   at start-up is not an error: readings wait in the outbox.
 */
export function createStore(
  config: Config,
  log: Logger,
  metrics: Metrics,
  clock: Clock = systemClock,
): StoreBundle {
  const sc = config.store;
  if (sc.kind === 'embedded') {
    const store = new SqliteStore(join(sc.dataDir, 'kaiteki.db'));
    const sink = new WriteWatch(store, clock);
    return {
      open: () => store.open(),
      store,
      sink,
      services: [],
      rawSource: (q) => store.raw({ ...q, limit: 5_000_000 }),
      health: () => sink.health({ ok: true, required: true, detail: { store: 'embedded' } }),
      drained: () => Promise.resolve(),
      close: () => store.close(),
    };
  }
  const slog = child(log, `store:${sc.kind}`);
  const store =
    sc.kind === 'influx-v1'
      ? new InfluxV1Store(sc.influx, config.secrets.influxPassword, slog)
      : new InfluxV2Store(sc.influx, config.secrets.influxToken, slog);
  const outbox = new Outbox(join(sc.dataDir, 'outbox.db'), sc.buffer.maxReadings, clock);
  const drainer = new Drainer(
    outbox,
    store,
    { ...sc.influx, ...sc.buffer },
    { clock, log: child(log, 'store:drainer'), metrics },
  );
  const outboxSink = new WriteWatch(outbox, clock);
  let closed = false;
  return {
    open: async () => {
      outbox.open();
      await store.open();
      slog.info(
        { url: sc.influx.url, buffered: outbox.depth },
        'store open; the drainer writes the durable buffer',
      );
    },
    store,
    sink: outboxSink,
    services: [drainer],
    rawSource: outboxAndStore(outbox, store),
    health: () => outboxSink.health(drainer.health()),
    drained: () => drainer.drained(),
    close: async () => {
      if (closed) return;
      closed = true;
      await store.close();
      outbox.close();
    },
  };
}

/**
 * Raw readings for a rebuild from InfluxDB plus the outbox in front of it. The
 * drainer may move a batch from the outbox to the store while the store is
 * read: a batch read from neither would be missing from the rollups. So the
 * outbox is read before AND after the store: a batch drained meanwhile was
 * pending at the first read; one accepted meanwhile is pending at the second.
 */
export function outboxAndStore(
  outbox: Pick<Outbox, 'pending'>,
  store: Pick<TimeSeriesStore, 'raw'>,
): RawSource {
  return async (q) => {
    const before = outbox.pending(q);
    const stored = await store.raw({ ...q, limit: 5_000_000 });
    // the outbox wins over the store for one identity: it drains in order, so what it holds is newer
    return dedupe([...stored, ...before, ...outbox.pending(q)]);
  };
}

/** one reading per identity; the later in the list wins (the outbox is newer than the store) */
function dedupe(rs: Reading[]): Reading[] {
  const m = new Map<string, Reading>();
  for (const r of rs) m.set(`${r.site}\u0000${r.zone}\u0000${r.sensor}\u0000${r.quantity}\u0000${r.ts}`, r);
  return [...m.values()];
}

/** The rollup service for the app: fed from the bus, limit checks from src/core/limits.ts. */
export function createRollups(deps: {
  config: Config;
  bus: Bus;
  bundle: StoreBundle;
  checks: readonly OutsideCheck[];
  staleAfterMs: (site: string, sensor: string) => number;
  /** aggregator options from rollupSpec() (src/store/rollup-spec.ts) */
  options?: AggregatorOptions;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
}): RollupService {
  return new RollupService({
    bus: deps.bus,
    store: deps.bundle.store,
    source: deps.bundle.rawSource,
    checks: deps.checks,
    staleAfterMs: deps.staleAfterMs,
    ...(deps.options ? { options: deps.options } : {}),
    flushIntervalMs: deps.config.store.rollups.flushIntervalSeconds * 1000,
    clock: deps.clock,
    log: child(deps.log, 'store:rollups'),
    metrics: deps.metrics,
  });
}

/**
 * The durable sink with its last write outcome: while the disk refuses writes
 * (full, read-only, I/O error) the store part of /healthz is not ok, with the
 * error, until a write succeeds again.
 */
class WriteWatch implements DurableSink {
  private failure?: { at: number; error: string };
  constructor(
    private readonly inner: DurableSink,
    private readonly clock: Clock,
  ) {}

  acceptSync(readings: readonly Reading[]): void {
    try {
      this.inner.acceptSync(readings);
    } catch (err) {
      this.failure ??= { at: this.clock.now(), error: err instanceof Error ? err.message : String(err) };
      throw err;
    }
    this.failure = undefined;
  }

  health(h: PartHealth): PartHealth {
    if (!this.failure) return h;
    return {
      ...h,
      ok: false,
      detail: {
        ...h.detail,
        writesRefused: { since: new Date(this.failure.at).toISOString(), error: this.failure.error },
      },
    };
  }
}
