import type { AppContext } from './context.js';
import { errorMessage } from './errors.js';
import { Judgement } from './judgement.js';
import { child } from './log.js';
import { type Reading, seriesKey } from './reading.js';
import type { Service } from './service.js';
import { type SeriesInput, type ZoneStatus, zoneStatus } from './zone-status.js';

const services = new WeakMap<object, ZoneStatusService>();

/**
 * When the sensor's newest message arrived (server clock), as the running
 * status service saw it; undefined without one (tests, CLI) — callers then
 * fall back to the reading's own ts.
 */
export function lastArrival(ctx: Pick<AppContext, 'bus'>, site: string, sensor: string): number | undefined {
  return services.get(ctx.bus)?.arrivedAt(site, sensor);
}

/** The context's one Judgement, created on first use (so every part shares the same instance). */
export function judgementOf(
  ctx: Pick<AppContext, 'config' | 'inventory'> & { judgement?: Judgement },
): Judgement {
  ctx.judgement ??= new Judgement(ctx.config, ctx.inventory);
  return ctx.judgement;
}

/**
 * Holds each zone's newest readings with their arrival times, and publishes
 * zone status (src/core/zone-status.ts): on request (GET /api/status), and as
 * a `zoneStatus` bus event (SSE `status`) whenever a zone's status changes —
 * checked for zones with new readings every `flushMs` and for all zones every
 * `tickMs` (closing time, staleness and availability move with time).
 */
export class ZoneStatusService implements Service {
  readonly name = 'status';
  private readonly j: Judgement;
  /** zone → series key → newest reading + arrival */
  /** newest reading per series of each zone: the Reading itself, no copy (this runs for every reading) */
  private readonly zones = new Map<string, Map<string, Reading>>();
  /** site/sensor → newest arrival (any quantity, any ts: a late or replayed message still proves it alive) */
  private readonly arrivals = new Map<string, number>();
  private readonly last = new Map<string, { key: string; state: string; since: number }>();
  private readonly dirty = new Set<string>();
  private readonly offs: (() => void)[] = [];
  private flushTimer?: NodeJS.Timeout;
  private tickTimer?: NodeJS.Timeout;

  constructor(
    private readonly ctx: AppContext,
    private readonly flushMs = 1000,
    private readonly tickMs = 15_000,
  ) {
    this.j = judgementOf(ctx);
    services.set(ctx.bus, this);
    for (const z of ctx.config.zones) this.zones.set(z.id, new Map());
  }

  async start(): Promise<void> {
    const now = this.ctx.clock.now();
    // After a restart the newest stored readings count as arrived at their own time (never later than now).
    for (const r of this.ctx.latest.all()) this.put(r, Math.min(r.ts, now));
    this.offs.push(
      this.ctx.bus.on('readings', (rs) => this.onReadings(rs)),
      this.ctx.bus.on('status', (s) => this.dirty.add(s.zone)),
    );
    this.flushTimer = setInterval(() => this.publish(false), this.flushMs);
    this.flushTimer.unref();
    this.tickTimer = setInterval(() => this.publish(true), this.tickMs);
    this.tickTimer.unref();
  }

  async stop(): Promise<void> {
    for (const off of this.offs.splice(0)) off();
    clearInterval(this.flushTimer);
    clearInterval(this.tickTimer);
  }

  onReadings(rs: readonly Reading[]): void {
    const now = this.ctx.clock.now();
    // one message's readings share their sensor: its keys and its zone are looked up once (hot path)
    let prev: Reading | undefined;
    let sk = '';
    let zone: Map<string, Reading> | undefined;
    for (const r of rs) {
      if (!prev || r.sensor !== prev.sensor || r.site !== prev.site || r.zone !== prev.zone) {
        sk = `${r.site}/${r.sensor}`;
        this.arrivals.set(sk, Math.max(this.arrivals.get(sk) ?? 0, now));
        zone = r.site === this.ctx.config.site.id ? this.zoneMap(r.zone) : undefined;
        if (zone) this.dirty.add(r.zone);
        prev = r;
      }
      if (!zone) continue;
      const key = seriesKey(r);
      const cur = zone.get(key);
      if (!cur || r.ts >= cur.ts) zone.set(key, r);
    }
  }

  private zoneMap(id: string): Map<string, Reading> {
    let zone = this.zones.get(id);
    if (!zone) {
      zone = new Map();
      this.zones.set(id, zone);
    }
    return zone;
  }

  private put(r: Reading, arrivedAt: number): void {
    const sk = `${r.site}/${r.sensor}`;
    this.arrivals.set(sk, Math.max(this.arrivals.get(sk) ?? 0, arrivedAt));
    // zone status is this site's (config.site.id): another site's lobby (kaiteki/other/lobby/…) is not our lobby
    if (r.site !== this.ctx.config.site.id) return;
    const zone = this.zoneMap(r.zone);
    const key = seriesKey(r);
    const cur = zone.get(key);
    if (!cur || r.ts >= cur.ts) zone.set(key, r);
    this.dirty.add(r.zone);
  }

  /** When the sensor's newest message arrived. */
  arrivedAt(site: string, sensor: string): number | undefined {
    return this.arrivals.get(`${site}/${sensor}`);
  }

  /** Status of one zone now (undefined for an unknown zone). */
  status(zone: string, now = this.ctx.clock.now()): ZoneStatus | undefined {
    const series = this.zones.get(zone);
    if (!series) return undefined;
    const inputs: SeriesInput[] = [];
    for (const s of series.values()) {
      const avail = this.ctx.latest.status?.(s.site, s.sensor);
      inputs.push({
        site: s.site,
        sensor: s.sensor,
        quantity: s.quantity,
        value: s.value,
        ts: s.ts,
        arrivedAt: this.arrivals.get(`${s.site}/${s.sensor}`) ?? s.ts,
        online: avail ? avail.online : null,
      });
    }
    const st = zoneStatus(this.j, zone, now, inputs);
    const key = `${st.state}|${st.inUse}`;
    const prev = this.last.get(zone);
    let since: number;
    if (st.state === 'closed') since = st.since;
    else if (prev && prev.key === key) since = prev.since;
    // the zone opened (or closed) since the last look: the state began with its hours, not at this tick
    else if (prev?.key.endsWith(`|${!st.inUse}`)) since = st.since;
    else since = now;
    if (!prev || prev.key !== key) this.last.set(zone, { key, state: st.state, since });
    return { ...st, since: new Date(since).toISOString() };
  }

  /** Every zone's status: configured zones in config order, then zones only seen in readings. */
  statuses(now = this.ctx.clock.now()): ZoneStatus[] {
    const out: ZoneStatus[] = [];
    for (const zone of this.zones.keys()) {
      const s = this.status(zone, now);
      if (s) out.push(s);
    }
    return out;
  }

  /** Emits `zoneStatus` for zones whose status changed (all zones when `all`). */
  publish(all: boolean): void {
    try {
      const now = this.ctx.clock.now();
      const zones = all ? [...this.zones.keys()] : [...this.dirty];
      this.dirty.clear();
      for (const zone of zones) {
        const s = this.status(zone, now);
        if (!s) continue;
        const sig = JSON.stringify({ ...s, at: undefined });
        if (this.sent.get(zone) === sig) continue;
        this.sent.set(zone, sig);
        this.ctx.bus.emit('zoneStatus', s);
      }
    } catch (err) {
      child(this.ctx.log, 'status').error({ err: errorMessage(err) }, 'zone status failed');
    }
  }

  private readonly sent = new Map<string, string>();
}
