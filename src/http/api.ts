import { Router } from 'express';
import type { AppContext } from '../core/context.js';
import { isQuantity, unitOf } from '../core/quantities.js';
import type { Reading } from '../core/reading.js';
import { judgementOf, lastArrival } from '../core/status-service.js';
import type { SeriesQuery } from '../store/store.js';
import { parseDuration, parseTime } from './params.js';

const MAX_BUCKETS = 20_000;

/** A reading as the public API shows it (DESIGN §4): ISO timestamps, unit, availability, staleness. */
export function readingView(ctx: AppContext, r: Reading, now: number) {
  const online = ctx.latest.status(r.site, r.sensor)?.online;
  // The one judgement (src/core/judgement.ts) decides: offline at once, else stale after the sensor's limit.
  // Judged by arrival time (H12): a sensor with a wrong clock that keeps sending is alive.
  const arrived = lastArrival(ctx, r.site, r.sensor) ?? r.ts;
  const freshness = judgementOf(ctx).freshness(r.site, r.sensor, arrived, now, online);
  return {
    site: r.site,
    zone: r.zone,
    sensor: r.sensor,
    quantity: r.quantity,
    value: r.value,
    unit: unitOf(r.quantity),
    ts: new Date(r.ts).toISOString(),
    registered: r.registered,
    /** the sensor's availability message (null: it never sent one) */
    online: online ?? null,
    stale: freshness !== 'fresh',
  };
}

/** /api/latest, /api/series, /api/rejected, /api/site. */
export function apiRouter(ctx: AppContext, rejected: () => unknown[]): Router {
  const r = Router();

  r.get('/latest', (req, res) => {
    const now = ctx.clock.now();
    const { site, zone, sensor, quantity } = req.query as Record<string, string | undefined>;
    const out = ctx.latest
      .all()
      .filter(
        (x) =>
          (!site || x.site === site) &&
          (!zone || x.zone === zone) &&
          (!sensor || x.sensor === sensor) &&
          (!quantity || x.quantity === quantity),
      )
      .sort(
        (a, b) =>
          a.site.localeCompare(b.site) ||
          a.zone.localeCompare(b.zone) ||
          a.sensor.localeCompare(b.sensor) ||
          a.quantity.localeCompare(b.quantity),
      )
      .map((x) => readingView(ctx, x, now));
    res.json(out);
  });

  r.get('/series', async (req, res, next) => {
    try {
      const q = req.query as Record<string, string | undefined>;
      const now = ctx.clock.now();
      const to = parseTime(q.to, now) ?? now;
      const from = parseTime(q.from, now) ?? to - 6 * 3_600_000;
      const span = to - from;
      const step = parseDuration(q.step) ?? autoStep(span);
      const problems: string[] = [];
      if (!Number.isFinite(from)) problems.push('from: expected ISO 8601, epoch ms or -6h');
      if (!Number.isFinite(to)) problems.push('to: expected ISO 8601, epoch ms or now');
      if (Number.isFinite(from) && Number.isFinite(to) && from >= to) problems.push('from must be before to');
      if (!Number.isFinite(step) || step < 1000)
        problems.push('step: expected a duration of at least 1s (60s, 5m, 1h)');
      else if (span / step > MAX_BUCKETS) problems.push(`step too small: more than ${MAX_BUCKETS} buckets`);
      if (q.quantity !== undefined && !isQuantity(q.quantity))
        problems.push(`quantity: unknown "${q.quantity}"`);
      if (problems.length > 0) {
        res.status(400).json({ error: 'bad query', problems });
        return;
      }
      const query: SeriesQuery = { from, to, step };
      if (q.site) query.site = q.site;
      if (q.zone) query.zone = q.zone;
      if (q.sensor) query.sensor = q.sensor;
      if (q.quantity && isQuantity(q.quantity)) query.quantity = q.quantity;
      const buckets = await ctx.store.query(query);
      const series = new Map<
        string,
        { site: string; zone: string; sensor: string; quantity: string; unit: string; points: unknown[] }
      >();
      for (const b of buckets) {
        const key = `${b.site}/${b.zone}/${b.sensor}/${b.quantity}`;
        let s = series.get(key);
        if (!s) {
          s = {
            site: b.site,
            zone: b.zone,
            sensor: b.sensor,
            quantity: b.quantity,
            unit: unitOf(b.quantity),
            points: [],
          };
          series.set(key, s);
        }
        s.points.push({
          ts: new Date(b.ts).toISOString(),
          mean: b.mean,
          min: b.min,
          max: b.max,
          last: b.last,
          count: b.count,
        });
      }
      res.json({
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        stepMs: step,
        series: [...series.values()],
      });
    } catch (err) {
      next(err);
    }
  });

  r.get('/rejected', (_req, res) => {
    res.json(rejected());
  });

  /** Site, zones and sensors with display names, for dashboards. */
  r.get('/site', (_req, res) => {
    const c = ctx.config;
    res.json({
      site: c.site,
      zones: c.zones,
      hours: c.hours,
      limits: c.limits,
      stale: {
        afterIntervals: ctx.inventory.staleAfterIntervals,
        defaultIntervalSeconds: c.inventory.defaultIntervalSeconds,
      },
      sensors: ctx.inventory.sensors.map((s) => ({
        id: s.id,
        site: s.site,
        zone: s.zone,
        name: s.name,
        quantities: s.quantities,
        intervalSeconds: s.intervalSeconds,
      })),
    });
  });

  return r;
}

function autoStep(span: number): number {
  const candidates = [60_000, 300_000, 900_000, 3_600_000, 6 * 3_600_000, 86_400_000];
  return candidates.find((s) => span / s <= 500) ?? 86_400_000;
}
