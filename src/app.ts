import { join } from 'node:path';
import type { Router } from 'express';
import { createAlerting } from './alerts/index.js';
import { AuditLog } from './audit/audit.js';
import { auditRouter } from './audit/routes.js';
import type { Config } from './config/schema.js';
import { Bus } from './core/bus.js';
import { type Clock, systemClock } from './core/clock.js';
import type { AppContext, Extension, ExtensionFactory, PartHealth } from './core/context.js';
import { errorMessage } from './core/errors.js';
import { LatestCache } from './core/latest.js';
import { child, createLogger, type Logger } from './core/log.js';
import { Metrics } from './core/metrics.js';
import type { Service } from './core/service.js';
import { judgementOf, ZoneStatusService } from './core/status-service.js';
import { HttpServer } from './http/server.js';
import { statusRouter } from './http/status.js';
import { importRouter } from './import/routes.js';
import { AvailabilityStore } from './ingest/availability.js';
import { EmbeddedBroker, PACKET_SLACK_BYTES } from './ingest/broker.js';
import { stripShare } from './ingest/broker-acl.js';
import { discoveryRouter } from './ingest/discovery-routes.js';
import { DiscoveryFormat, DiscoveryService, ProposalStore } from './ingest/discovery-store.js';
import { buildRouter, defaultRegistry } from './ingest/formats/registry.js';
import { Ingestor } from './ingest/ingestor.js';
import { MqttSource } from './ingest/mqtt-source.js';
import type { FormatRouter } from './ingest/router.js';
import { type Inventory, loadInventory } from './inventory/inventory.js';
import { createReports } from './report/index.js';
import { createRollups, createStore, type StoreBundle } from './store/factory.js';
import type { RollupService } from './store/rollup-service.js';
import { rollupSpec } from './store/rollup-spec.js';
import type { TimeSeriesStore } from './store/store.js';

export interface AppOptions {
  config: Config;
  log?: Logger;
  clock?: Clock;
  inventory?: Inventory;
  /** features to plug in (rules and alerts, reports, discovery …); defaults to all of them */
  extensions?: ExtensionFactory[];
}

/**
 * The running service: store → broker → extensions → MQTT ingest → HTTP,
 * started in that order and stopped in reverse. Each extension starts in its
 * own try/catch, so a broken feature is logged and the rest runs.
 */
export class App {
  readonly ctx: AppContext;
  private readonly storeBundle: StoreBundle;
  private readonly rollups: RollupService;
  private broker?: EmbeddedBroker;
  private mqtt?: MqttSource;
  private readonly http: HttpServer;
  private readonly ingestor: Ingestor;
  private readonly availability: AvailabilityStore;
  private readonly extensions: Extension[] = [];
  private readonly failed = new Map<string, string>();
  private readonly started: Service[] = [];
  private readonly router: FormatRouter;
  /** zone status: the one judgement the wall, the alerts and the report share */
  readonly status: ZoneStatusService;

  constructor(opts: AppOptions) {
    const config = opts.config;
    const log = opts.log ?? createLogger(config.log.level);
    const metrics = new Metrics({ defaults: true });
    const inventory = opts.inventory ?? loadInventory(config);
    const clock = opts.clock ?? systemClock;
    this.storeBundle = createStore(config, log, metrics, clock);
    const { store, sink } = this.storeBundle;
    this.ctx = {
      config,
      log,
      metrics,
      bus: new Bus(),
      clock,
      store,
      inventory,
      latest: new LatestCache(),
      audit: new AuditLog(join(config.store.dataDir, 'audit.db'), child(log, 'audit'), clock),
    };
    this.rollups = createRollups({
      config,
      bus: this.ctx.bus,
      bundle: this.storeBundle,
      // one definition of what a rollup computes, shared with `kaiteki rollups rebuild` and imports
      ...rollupSpec(config, inventory, judgementOf(this.ctx)),
      clock,
      log,
      metrics,
    });
    // Third-party devices: one format instance per inventory entry; HA discovery proposes entries.
    const registry = defaultRegistry();
    const proposals = new ProposalStore();
    const disc = config.ingest.discovery;
    this.router = buildRouter(config, inventory, {
      registry,
      ...(disc.enabled
        ? {
            discovery: {
              prefix: disc.prefix,
              format: new DiscoveryFormat(proposals, disc.prefix, this.ctx.clock, config.mqtt.topicPrefix),
            },
          }
        : {}),
    });
    const discovery = new DiscoveryService({
      config,
      inventory,
      router: this.router,
      registry,
      store: proposals,
      clock: this.ctx.clock,
      onConfirm: (s) =>
        inventory.add({ ...s, intervalSeconds: config.inventory.defaultIntervalSeconds, file: 'discovery' }),
    });
    this.availability = new AvailabilityStore({
      ...this.ctx,
      dataDir: config.store.dataDir,
      log: child(log, 'ingest'),
    });
    this.ingestor = new Ingestor({
      ...this.ctx,
      router: this.router,
      sink,
      log: child(log, 'ingest'),
      availability: this.availability,
    });
    this.extensions.push(
      ...(opts.extensions ? opts.extensions.map((make) => make(this.ctx)) : defaultExtensions(this.ctx)),
    );
    this.status = new ZoneStatusService(this.ctx);
    this.http = new HttpServer(this.ctx, {
      health: () => this.health(),
      rejected: () => [...this.ingestor.rejected()],
      statuses: () => this.status.statuses(),
      routers: [
        statusRouter(this.status),
        auditRouter(this.ctx.audit!, config.secrets.adminToken, () => clock.now()),
        discoveryRouter({
          store: proposals,
          service: discovery,
          adminToken: config.secrets.adminToken,
          audit: this.ctx.audit,
        }),
        // POST /api/import: past readings in-process, so this service serves them and their rollups at once
        importRouter({
          ...this.ctx,
          sink,
          rollups: this.rollups,
          adminToken: config.secrets.adminToken,
        }),
        ...this.extensions.map((e) => e.router).filter((r): r is Router => r !== undefined),
      ],
    });
  }

  get store(): TimeSeriesStore {
    return this.ctx.store;
  }

  /** HTTP base URL (after start) */
  get url(): string {
    return this.http.url;
  }

  /** every address HTTP listens on (after start), e.g. for the office TV */
  get urls(): string[] {
    return this.http.urls;
  }

  /** URL of the broker Kaiteki reads from (the embedded one when none is configured) */
  get mqttUrl(): string {
    return this.ctx.config.mqtt.url ?? this.broker?.url ?? '';
  }

  async start(): Promise<void> {
    const log = child(this.ctx.log, 'app');
    const { config } = this.ctx;
    await this.storeBundle.open();
    this.started.push({ name: 'store', start: async () => {}, stop: () => this.storeBundle.close() });
    try {
      for (const r of await this.ctx.store.latest()) this.ctx.latest.put(r);
    } catch (err) {
      log.warn(
        { err: errorMessage(err) },
        'store not reachable at start; live values fill from new readings',
      );
    }
    for (const s of this.storeBundle.services) await this.startOne(s, true); // the outbox drainer (InfluxDB)
    await this.startOne(this.availability, true); // before MQTT: restores who is offline
    await this.startOne(this.rollups, false); // before MQTT: it listens to 'readings'
    await this.startOne(this.status, false); // zone status (GET /api/status, SSE `status`)
    if (!config.mqtt.url) {
      const emb = config.mqtt.embedded;
      this.broker = new EmbeddedBroker(emb.host, emb.port, child(this.ctx.log, 'broker'), {
        ...emb,
        envUsers: config.secrets.brokerUsers,
        maxPacketBytes: config.ingest.maxPayloadBytes + PACKET_SLACK_BYTES,
        reservedClientId: config.mqtt.clientId ?? `kaiteki-${config.site.id}`,
        sensorPublish: () => sensorTopics(config, this.router),
        metrics: this.ctx.metrics,
      });
      await this.startOne(this.broker, true);
    }
    for (const e of this.extensions) await this.startOne(e, false);
    // On the embedded broker Kaiteki logs in with the broker's per-start secret: its client id cannot be taken over.
    const login = this.broker?.internalLogin;
    const mqttCtx = login
      ? {
          ...this.ctx,
          config: {
            ...config,
            mqtt: { ...config.mqtt, username: login.username },
            secrets: { ...config.secrets, mqttPassword: login.password },
          },
        }
      : this.ctx;
    this.mqtt = new MqttSource(mqttCtx, this.mqttUrl, this.ingestor, this.router);
    await this.startOne(this.mqtt, true);
    await this.startOne(this.http, true);
    log.info(
      {
        site: config.site.id,
        store: this.ctx.store.kind,
        mqtt: this.mqttUrl,
        http: this.http.urls, // (H12) the real listen addresses
        sensors: this.ctx.inventory.sensors.length,
      },
      'Kaiteki started',
    );
  }

  private async startOne(s: Service, required: boolean): Promise<void> {
    try {
      await s.start();
      this.started.push(s);
    } catch (err) {
      if (required) {
        await this.stop();
        throw err;
      }
      this.failed.set(s.name, errorMessage(err));
      this.ctx.log.error(
        { part: s.name, err: errorMessage(err) },
        'part failed to start; the rest runs without it',
      );
      await s.stop().catch(() => undefined);
    }
  }

  /**
   * Resolves once every reading accepted so far is in the store: at once for
   * the embedded store (accepted = stored), after the drainer's confirmed
   * writes for InfluxDB (it waits while the server is down).
   */
  storeDrained(): Promise<void> {
    return this.storeBundle.drained();
  }

  async health(): Promise<Record<string, PartHealth>> {
    const parts: Record<string, PartHealth> = {};
    parts.mqtt = this.mqtt?.health() ?? { ok: false, required: true, detail: { state: 'not started' } };
    // InfluxDB health is buffer-aware: a short outage is a warning while the outbox holds readings.
    const sh = this.storeBundle.health();
    parts.store =
      this.ctx.store.kind === 'embedded'
        ? { ...sh, ok: sh.ok && (await this.ctx.store.ping().catch(() => false)) } // (H12) not ok while writes are refused
        : sh;
    parts.rollups = this.rollups.health();
    for (const e of this.extensions) {
      const failed = this.failed.get(e.name);
      parts[e.name] = failed
        ? { ok: false, required: false, detail: { error: failed } }
        : (e.health?.() ?? { ok: true, required: false });
    }
    return parts;
  }

  async stop(): Promise<void> {
    while (this.started.length > 0) {
      const s = this.started.pop()!;
      try {
        await s.stop();
      } catch (err) {
        this.ctx.log.warn({ part: s.name, err: errorMessage(err) }, 'part failed to stop cleanly');
      }
    }
    this.ctx.audit?.close();
  }
}

/** Where a sensor user of the embedded broker may publish: `<prefix>/<site>/…` and the mapped device topics. */
function sensorTopics(config: Config, router: FormatRouter): string[] {
  const { topicPrefix, sites } = config.mqtt;
  const native = (sites.length > 0 ? sites : [config.site.id]).map((s) => `${topicPrefix}/${s}/#`);
  const mapped = router
    .subscriptions()
    .map(stripShare)
    .filter((f) => !f.startsWith(`${topicPrefix}/`));
  return [...native, ...mapped];
}

/** Rules and alerts, and the eco report (which reads the alert history). */
function defaultExtensions(ctx: AppContext): Extension[] {
  const alerting = createAlerting(ctx);
  return [alerting, createReports(ctx, async (from, to) => alerting.history(from, to))];
}
