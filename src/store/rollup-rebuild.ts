import { DAY_MS, HOUR_MS } from '../core/jst.js';
import type { Quantity } from '../core/quantities.js';
import { type Reading, seriesKey } from '../core/reading.js';
import { type HourlyAggregator, hourOf, STATE_QUANTITIES } from './rollup.js';
import { newAggregator, type RollupSpec } from './rollup-spec.js';
import type { RollupRow, SeriesFilter, TimeSeriesStore } from './store.js';

/** Raw readings in [from, to): the store's, plus (remote stores) those still waiting in the outbox. */
export type RawSource = (q: SeriesFilter & { from: number; to: number }) => Promise<Reading[]>;

export type SeriesId = Pick<Reading, 'site' | 'zone' | 'sensor' | 'quantity'>;

/** Where a rebuild reads raw data and writes rows, and what a row computes. */
export interface RebuildContext {
  store: Pick<TimeSeriesStore, 'writeRollups'>;
  source: RawSource;
  spec: RollupSpec;
}

export interface RebuildResult {
  /** raw readings read (lead-in included) */
  readings: number;
  /** rollup rows written */
  rows: number;
}

/** Progress in hours of the range done so far, out of the total. */
export type RebuildProgress = (done: number, total: number) => void;

/**
 * Hours to re-aggregate, per series: what a late or imported reading
 * touched. Marking is cheap and idempotent; each (series, hour) is
 * re-aggregated once however many readings touched it.
 */
export class DirtyHours {
  private readonly m = new Map<string, { id: SeriesId; hours: Set<number> }>();
  private n = 0;

  /** Marks every hour that [from, to) touches (at least the hour of `from`). */
  add(id: SeriesId, from: number, to: number): void {
    const key = seriesKey(id);
    let e = this.m.get(key);
    if (!e) {
      e = {
        id: { site: id.site, zone: id.zone, sensor: id.sensor, quantity: id.quantity },
        hours: new Set(),
      };
      this.m.set(key, e);
    }
    for (let h = hourOf(from); h === hourOf(from) || h < to; h += HOUR_MS) {
      if (!e.hours.has(h)) {
        e.hours.add(h);
        this.n++;
      }
    }
  }

  /** Marks the hours a reading can change: from its hour up to its reach (stale time or state hold). */
  addReading(r: Reading, reachMs: number): void {
    this.add(r, r.ts, r.ts + reachMs);
  }

  merge(other: DirtyHours): void {
    for (const e of other.m.values()) for (const h of e.hours) this.add(e.id, h, h + 1);
  }

  /** number of (series, hour) pairs */
  get size(): number {
    return this.n;
  }

  entries(): IterableIterator<[string, { id: SeriesId; hours: Set<number> }]> {
    return this.m.entries();
  }

  has(key: string, hour: number): boolean {
    return this.m.get(key)?.hours.has(hour) ?? false;
  }

  /** Moves everything out (the caller now owns it), leaving this empty. */
  take(): DirtyHours {
    const out = new DirtyHours();
    for (const [k, e] of this.m) out.m.set(k, e);
    out.n = this.n;
    this.m.clear();
    this.n = 0;
    return out;
  }
}

/**
 * Raw readings of [from, to) plus a lead-in long enough for the readings
 * before `from` that still reach into it, in time order. `keep` picks the
 * series to aggregate; `known` are series wanted even without a reading in
 * [from, to) (a held state: lights on since yesterday evening). The lead is
 * per quantity: a state (lights, occupancy) may reach back a day and is read
 * with its own query; a measurement only its stale time.
 */
export async function readWithLeadIn(
  source: RawSource,
  agg: HourlyAggregator,
  filter: SeriesFilter,
  from: number,
  to: number,
  keep: (key: string) => boolean,
  known: readonly SeriesId[] = [],
): Promise<Reading[]> {
  const main = (await source({ ...filter, from, to })).filter((r) => keep(seriesKey(r)));
  const seen = new Set<string>();
  let plain = 0;
  const stateLead = new Map<Quantity, number>();
  const note = (r: Pick<Reading, 'site' | 'zone' | 'sensor' | 'quantity'>) => {
    const k = seriesKey(r);
    if (seen.has(k)) return;
    seen.add(k);
    if (STATE_QUANTITIES.has(r.quantity))
      stateLead.set(r.quantity, Math.max(stateLead.get(r.quantity) ?? 0, agg.reachMs(r)));
    else plain = Math.max(plain, agg.reachMs(r));
  };
  for (const r of main) note(r);
  for (const id of known) note(id);
  // a state held into the range by a reading before it: looked for even when the range has none of it
  for (const q of STATE_QUANTITIES as ReadonlySet<Quantity>) {
    if (filter.quantity !== undefined && filter.quantity !== q) continue;
    const hold = agg.reachMs({ site: filter.site ?? '', sensor: filter.sensor ?? '', quantity: q });
    stateLead.set(q, Math.max(stateLead.get(q) ?? 0, hold));
  }
  const before: Reading[] = [];
  if (plain > 0)
    for (const r of await source({ ...filter, from: from - plain, to: from }))
      if (!STATE_QUANTITIES.has(r.quantity) && seen.has(seriesKey(r))) before.push(r);
  for (const [q, lead] of stateLead)
    for (const r of await source({ ...filter, quantity: q, from: from - lead, to: from }))
      if (keep(seriesKey(r))) before.push(r);
  if (before.length === 0) return main;
  const all = before.concat(main);
  all.sort((a, b) => a.ts - b.ts);
  return all;
}

/** One series' filter, or the site's when all share one, else everything. */
function filterFor(ids: readonly SeriesId[]): SeriesFilter {
  if (ids.length === 1) {
    const { site, zone, sensor, quantity } = ids[0]!;
    return { site, zone, sensor, quantity };
  }
  const site = ids[0]?.site;
  return site !== undefined && ids.every((i) => i.site === site) ? { site } : {};
}

/**
 * Re-aggregates the dirty (series, hour) pairs from raw data and writes
 * their rows, a chunk of `chunkMs` (default a day) at a time: one raw read
 * (plus its lead-in) per chunk, whatever the number of pairs in it. Hours
 * without any raw reading keep whatever rollup they had (raw data past its
 * retention, synthetic backfill). Throws when the store does; rows of the
 * chunks done before are written.
 */
export async function reaggregateDirty(
  ctx: RebuildContext,
  dirty: DirtyHours,
  opts: { now: number; chunkMs?: number; onProgress?: RebuildProgress },
): Promise<RebuildResult> {
  const chunkMs = opts.chunkMs ?? DAY_MS;
  const chunks = new Map<number, Map<string, SeriesId>>();
  const pairs = new Map<number, number>();
  /** per chunk: the first and last dirty hour, so only that part of the chunk is read */
  const span = new Map<number, [number, number]>();
  for (const [key, e] of dirty.entries()) {
    for (const h of e.hours) {
      const c = Math.floor(h / chunkMs) * chunkMs;
      let m = chunks.get(c);
      if (!m) {
        m = new Map();
        chunks.set(c, m);
      }
      m.set(key, e.id);
      pairs.set(c, (pairs.get(c) ?? 0) + 1);
      const sp = span.get(c);
      span.set(c, sp ? [Math.min(sp[0], h), Math.max(sp[1], h)] : [h, h]);
    }
  }
  const starts = [...chunks.keys()].sort((a, b) => a - b);
  const out: RebuildResult = { readings: 0, rows: 0 };
  const total = dirty.size;
  let done = 0;
  for (const a of starts) {
    await yieldToIo();
    const series = chunks.get(a)!;
    const [first, last] = span.get(a)!;
    const res = await rebuildChunk(ctx, first, last + HOUR_MS, filterFor([...series.values()]), opts.now, {
      keepSeries: (k) => series.has(k),
      keepRow: (k, hour) => dirty.has(k, hour),
      known: [...series.values()],
    });
    out.readings += res.readings;
    out.rows += res.rows;
    done += pairs.get(a)!;
    opts.onProgress?.(done, total);
  }
  return out;
}

/**
 * Rebuilds every hour of [from, to) from raw data for the series matching
 * `filter` (all by default), chunk by chunk, for `kaiteki rollups rebuild`
 * and for a restart that finds the rollups far behind. Hours without raw
 * readings are left as they are.
 */
export async function rebuildRange(
  ctx: RebuildContext,
  range: { from: number; to: number; filter?: SeriesFilter },
  opts: { now: number; chunkMs?: number; onProgress?: RebuildProgress; shouldStop?: () => boolean },
): Promise<RebuildResult & { stoppedAt?: number }> {
  const chunkMs = opts.chunkMs ?? DAY_MS;
  const from = hourOf(range.from);
  const to = Math.ceil(range.to / HOUR_MS) * HOUR_MS;
  const out: RebuildResult = { readings: 0, rows: 0 };
  const total = (to - from) / HOUR_MS;
  for (let a = from; a < to; a += chunkMs) {
    if (opts.shouldStop?.()) return { ...out, stoppedAt: a };
    await yieldToIo();
    const b = Math.min(to, a + chunkMs);
    const res = await rebuildChunk(ctx, a, b, range.filter ?? {}, opts.now, {
      keepSeries: () => true,
      keepRow: () => true,
    });
    out.readings += res.readings;
    out.rows += res.rows;
    opts.onProgress?.((b - from) / HOUR_MS, total);
  }
  return out;
}

async function rebuildChunk(
  ctx: RebuildContext,
  a: number,
  b: number,
  filter: SeriesFilter,
  now: number,
  keep: {
    keepSeries: (key: string) => boolean;
    keepRow: (key: string, hour: number) => boolean;
    known?: readonly SeriesId[];
  },
): Promise<RebuildResult> {
  const agg = newAggregator(ctx.spec);
  const raw = await readWithLeadIn(ctx.source, agg, filter, a, b, keep.keepSeries, keep.known);
  for (const r of raw) agg.add(r);
  const rows: RollupRow[] = agg
    .takeRows(now, a)
    .filter((r) => r.hour < b && keep.keepRow(seriesKey(r), r.hour));
  if (rows.length > 0) await ctx.store.writeRollups(rows);
  return { readings: raw.length, rows: rows.length };
}

/**
 * Rebuilds one series from `from` to now into a fresh aggregator (for the
 * live service to adopt): the rows of every hour from `from` on, and the
 * raw readings read (so the caller can tell a replayed reading from a new one).
 */
export async function rebuildSeriesTail(
  ctx: Pick<RebuildContext, 'source' | 'spec'>,
  id: SeriesId,
  from: number,
  now: number,
): Promise<{ agg: HourlyAggregator; rows: RollupRow[]; raw: Reading[] }> {
  const agg = newAggregator(ctx.spec);
  const key = seriesKey(id);
  // far enough ahead for readings stamped slightly in the future (ingest allows a clock skew)
  const raw = await readWithLeadIn(ctx.source, agg, filterFor([id]), from, now + DAY_MS, (k) => k === key, [
    id,
  ]);
  for (const r of raw) agg.add(r);
  return { agg, rows: agg.takeRows(now, from), raw };
}

/**
 * Lets I/O run between chunks: the embedded store answers synchronously, so
 * without this a long rebuild inside the service would hold up MQTT ingest
 * and HTTP until it is done.
 */
export function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
