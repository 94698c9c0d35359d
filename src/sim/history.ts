import type { Config } from '../config/schema.js';
import type { Reading } from '../core/reading.js';
import type { Inventory } from '../inventory/inventory.js';
import type { TimeSeriesStore } from '../store/store.js';
import { SimModel, sampleRange } from './model.js';

/**
 * The recent past for the demo: `hours` of readings from the same model the
 * live fleet runs, every `stepMs`, so the wall's trends are filled from the
 * first minute; with `queueWeeks`, also that many weeks of the ticket
 * machines (every 15 minutes before those hours), so the visitor page's
 * usual pattern by weekday (混雑予想) has a past. Writes nothing when the
 * store already holds readings of the site (a restarted demo keeps its own
 * history). Returns the readings written.
 */
export async function seedRecentHistory(
  store: TimeSeriesStore,
  config: Config,
  inventory: Inventory,
  opts: { now: number; hours?: number; stepMs?: number; seed?: number; queueWeeks?: number },
): Promise<number> {
  if ((await store.latest({ site: config.site.id })).length > 0) return 0;
  const hours = opts.hours ?? 6;
  const stepMs = opts.stepMs ?? 5 * 60_000;
  const model = SimModel.fromConfig(config, opts.seed ?? 1);
  const from = opts.now - hours * 3_600_000;
  const readings: Reading[] = [];
  const sample = (sensor: (typeof inventory.sensors)[number], start: number, end: number, step: number) => {
    for (const { ts, values } of sampleRange(model, sensor, start, end, step)) {
      for (const [quantity, value] of Object.entries(values)) {
        if (value === undefined) continue;
        readings.push({
          site: sensor.site,
          zone: sensor.zone,
          sensor: sensor.id,
          quantity: quantity as Reading['quantity'],
          value,
          ts,
          registered: true,
        });
      }
    }
  };
  const ours = inventory.sensors.filter((s) => s.site === config.site.id && s.format === 'kaiteki');
  for (const sensor of ours) sample(sensor, from, opts.now - stepMs, stepMs);
  const weeks = opts.queueWeeks ?? 0;
  if (weeks > 0) {
    const queueFrom = from - weeks * 7 * 24 * 3_600_000;
    for (const sensor of ours) {
      if (sensor.quantities.some((q) => q === 'waiting' || q === 'wait_minutes' || q === 'serving'))
        sample(sensor, queueFrom, from, 15 * 60_000);
    }
  }
  await store.write(readings);
  return readings.length;
}
