import type { RollupRow } from '../store/store.js';
import { YEAR } from './accumulate.js';
import type { PeriodHours } from './period.js';
import type { Completeness, ReportInput, SensorReport } from './types.js';

/**
 * Share of expected readings received, per sensor and month.
 *
 * Expected = ms of the month inside the span / the sensor's interval (from the
 * inventory; sensors sending without being registered use the default). A
 * sensor sends all its quantities in one message, so an hour's received count
 * is the largest count among its quantities, capped at the readings one hour
 * can hold (ceil(3600 / interval)) — a burst in one hour cannot hide a gap in
 * another.
 */
export function sensorCompleteness(
  input: ReportInput,
  period: PeriodHours,
  bySeries: ReadonlyMap<string, readonly RollupRow[]>,
): SensorReport[] {
  const site = input.config.site.id;
  const perHour = new Map<string, Float64Array>();
  const zoneOf = new Map<string, string>();
  for (const rows of bySeries.values()) {
    const r0 = rows[0]!;
    const key = `${r0.zone}/${r0.sensor}`;
    zoneOf.set(key, r0.zone);
    let counts = perHour.get(key);
    if (!counts) {
      counts = new Float64Array(period.count);
      perHour.set(key, counts);
    }
    for (const r of rows) {
      const i = period.indexOf(r.hour);
      if (i >= 0 && r.count > counts[i]!) counts[i] = r.count;
    }
  }
  const sensors = new Map<string, { zone: string; sensor: string; interval: number; registered: boolean }>();
  for (const s of input.sensors) {
    if (s.site !== site) continue;
    sensors.set(`${s.zone}/${s.id}`, {
      zone: s.zone,
      sensor: s.id,
      interval: s.intervalSeconds,
      registered: true,
    });
  }
  for (const [key, zone] of zoneOf) {
    if (!sensors.has(key)) {
      const sensor = key.slice(zone.length + 1);
      sensors.set(key, { zone, sensor, interval: input.defaultIntervalSeconds, registered: false });
    }
  }
  const zoneOrder = new Map(input.config.zones.map((z, i) => [z.id, i]));
  const list = [...sensors.entries()].sort(
    ([ka, a], [kb, b]) =>
      (zoneOrder.get(a.zone) ?? 1e6) - (zoneOrder.get(b.zone) ?? 1e6) || (ka < kb ? -1 : ka > kb ? 1 : 0),
  );
  return list.map(([key, s]) => {
    const cap = Math.ceil(3600 / s.interval);
    const received = new Float64Array(13);
    const counts = perHour.get(key);
    if (counts) {
      for (let i = 0; i < period.count; i++) {
        const c = Math.min(counts[i]!, cap);
        received[period.month[i]!]! += c;
        received[YEAR]! += c;
      }
    }
    const expected = Array.from({ length: 12 }, (_, m) => period.spanOfMonth(m) / 1000 / s.interval);
    const make = (exp: number, rec: number): Completeness => ({
      expected: exp,
      received: rec,
      share: exp > 0 ? Math.min(1, rec / exp) : null,
    });
    return {
      zone: s.zone,
      sensor: s.sensor,
      intervalSeconds: s.interval,
      registered: s.registered,
      months: expected.map((e, m) => make(e, received[m]!)),
      year: make(
        expected.reduce((x, y) => x + y, 0),
        received[YEAR]!,
      ),
    };
  });
}
