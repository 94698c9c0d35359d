import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { HOUR_MS, jstMidnight, jstParts } from '../../src/core/jst.js';
import { QUANTITIES, type Quantity } from '../../src/core/quantities.js';
import { loadInventory } from '../../src/inventory/inventory.js';
import { type SensorState, SimModel, type SimSensor, sampleRange } from '../../src/sim/model.js';

const config = loadConfig({}, 'config/takatsu.yaml');
const inventory = loadInventory(config);
const model = SimModel.fromConfig(config, 1);
const MIN = 60_000;

function sensor(id: string): SimSensor {
  const s = inventory.sensors.find((x) => x.id === id);
  if (!s) throw new Error(`no sensor ${id} in sensors/takatsu.yaml`);
  return s;
}
const at = (y: number, m: number, d: number, h = 0, min = 0) =>
  jstMidnight(y, m, d) + h * HOUR_MS + min * MIN;
/** One value sampled fresh at ts (state warmed up by the model). */
const valueAt = (m: SimModel, id: string, q: Quantity, ts: number) =>
  m.step(sensor(id), undefined, ts).values[q]!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Weekdays (JST) between two dates matching `weekday`. */
function daysOf(weekday: number, from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = from; t < to; t += 24 * HOUR_MS) if (jstParts(t).weekday === weekday) out.push(t);
  return out;
}

describe('sensors/takatsu.yaml', () => {
  it('gives every zone an environment and a lights sensor, each counter a ticket machine, and a power meter', () => {
    for (const z of config.zones) {
      const here = inventory.sensors.filter((s) => s.zone === z.id);
      const has = (qs: Quantity[]) => here.some((s) => qs.every((q) => s.quantities.includes(q)));
      expect(has(['temperature', 'humidity', 'co2', 'illuminance']), z.id).toBe(true);
      expect(has(['lights']), z.id).toBe(true);
      if (z.kind === 'counter') expect(has(['waiting', 'wait_minutes']), z.id).toBe(true);
    }
    expect(
      inventory.sensors.some((s) => s.quantities.includes('power') && s.quantities.includes('energy')),
    ).toBe(true);
    for (const s of inventory.sensors) {
      expect(s.intervalSeconds).toBeGreaterThanOrEqual(30);
      expect(s.intervalSeconds).toBeLessThanOrEqual(60);
    }
  });
});

describe('SimModel', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const from = at(2026, 5, 11, 8);
    const run = (seed: number) => [
      ...sampleRange(
        SimModel.fromConfig(config, seed),
        sensor('kumin-waiting-env'),
        from,
        from + 4 * HOUR_MS,
        30_000,
      ),
    ];
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('step does not change the state it is given', () => {
    const s = sensor('main-meter');
    const first = model.step(s, undefined, at(2026, 5, 11, 9)).state;
    const copy: SensorState = structuredClone(first);
    model.step(s, first, at(2026, 5, 11, 9, 1));
    expect(first).toEqual(copy);
  });

  it('has more CO2 at 11:00 on weekdays than at 03:00, in every zone', () => {
    for (const id of [
      'lobby-env',
      'kumin-counter-env',
      'kumin-waiting-env',
      'hoken-counter-env',
      'waiting-2f-env',
      'office-env',
    ]) {
      for (const day of [at(2026, 5, 12), at(2026, 6, 17), at(2026, 11, 6)]) {
        const night = valueAt(model, id, 'co2', day + 3 * HOUR_MS);
        const late = valueAt(model, id, 'co2', day + 11 * HOUR_MS);
        expect(late, `${id} ${new Date(day).toISOString()}`).toBeGreaterThan(night + 150);
        expect(night).toBeLessThan(520);
      }
    }
  });

  it('lets the busy waiting area pass 1000 ppm at some peaks, not most of the time', () => {
    const open: number[] = [];
    for (const r of sampleRange(
      model,
      sensor('kumin-waiting-env'),
      at(2026, 1, 1),
      at(2026, 4, 1),
      15 * MIN,
    )) {
      const p = jstParts(r.ts);
      if (p.weekday > 0 && p.weekday < 6 && p.minuteOfDay >= 9 * 60 && p.minuteOfDay < 17 * 60)
        open.push(r.values.co2!);
    }
    const above = open.filter((v) => v > 1000).length / open.length;
    expect(above).toBeGreaterThan(0);
    expect(above).toBeLessThan(0.15);
  });

  it('keeps queues at zero on Sundays, on New Year’s Day and all through 年末年始', () => {
    const closed = [
      at(2026, 1, 18),
      at(2026, 1, 1),
      at(2025, 12, 29),
      at(2025, 12, 30),
      at(2025, 12, 31),
      at(2026, 1, 2),
      at(2026, 1, 3),
    ];
    for (const id of ['kumin-ticket', 'hoken-ticket']) {
      for (const day of closed) {
        for (const r of sampleRange(model, sensor(id), day, day + 24 * HOUR_MS, 5 * MIN)) {
          expect(r.values, `${id} ${new Date(r.ts).toISOString()}`).toEqual({
            waiting: 0,
            wait_minutes: 0,
            serving: 0,
            issued: 0,
          });
        }
      }
    }
    // …and not at zero on an ordinary weekday morning, so the check above can fail.
    expect(valueAt(model, 'kumin-ticket', 'waiting', at(2026, 1, 14, 10))).toBeGreaterThan(0);
  });

  it('has longer queues at 10:00 on Mondays than at 15:30 on Wednesdays, over weeks', () => {
    const from = at(2026, 4, 13);
    const to = at(2026, 7, 13);
    for (const id of ['kumin-ticket', 'hoken-ticket']) {
      const mon = daysOf(1, from, to).map((d) => valueAt(model, id, 'waiting', d + 10 * HOUR_MS));
      const wed = daysOf(3, from, to).map((d) => valueAt(model, id, 'waiting', d + 15.5 * HOUR_MS));
      expect(mean(mon), id).toBeGreaterThan(1.5 * mean(wed));
    }
  });

  it('has longer 10:00 queues on the day after a holiday than on ordinary Tuesdays (over seeds)', () => {
    // 2026-01-12 is 成人の日 (Monday): Tuesday 13th follows a holiday; 20th and 27th are ordinary.
    const after: number[] = [];
    const plain: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const m = SimModel.fromConfig(config, seed);
      after.push(valueAt(m, 'kumin-ticket', 'waiting', at(2026, 1, 13, 10)));
      plain.push(
        valueAt(m, 'kumin-ticket', 'waiting', at(2026, 1, 20, 10)),
        valueAt(m, 'kumin-ticket', 'waiting', at(2026, 1, 27, 10)),
      );
    }
    expect(mean(after)).toBeGreaterThan(1.15 * mean(plain));
  });

  it('turns lights on in opening hours and mostly off at night, with a few nights left on', () => {
    const ids = inventory.sensors.filter((s) => s.quantities.includes('lights')).map((s) => s.id);
    let nights = 0;
    let on = 0;
    for (let day = at(2026, 4, 1); day < at(2026, 7, 1); day += 24 * HOUR_MS) {
      for (const id of ids) {
        nights++;
        on += valueAt(model, id, 'lights', day + 2 * HOUR_MS);
      }
    }
    expect(on).toBeGreaterThan(0);
    expect(on / nights).toBeLessThan(0.1);
    for (const id of ids) expect(valueAt(model, id, 'lights', at(2026, 6, 10, 11)), id).toBe(1);
  });

  it('lights a lit zone near its target and leaves a dark one dark', () => {
    const lit = valueAt(model, 'office-env', 'illuminance', at(2026, 6, 10, 11));
    expect(lit).toBeGreaterThan(750 * 0.75);
    expect(lit).toBeLessThan(750 * 1.4);
    expect(valueAt(model, 'office-env', 'illuminance', at(2026, 6, 14, 23))).toBeLessThan(50);
  });

  it('holds July rooms at 24–28 °C in opening hours (cooling) and lets them drift at night', () => {
    const env = inventory.sensors.filter((s) => s.quantities.includes('temperature'));
    for (const s of env) {
      for (const r of sampleRange(model, s, at(2026, 7, 1), at(2026, 8, 1), 10 * MIN)) {
        const p = jstParts(r.ts);
        const open =
          p.weekday > 0 && p.weekday < 6 && p.minuteOfDay >= 8 * 60 + 30 && p.minuteOfDay < 17 * 60;
        if (open && p.day !== 20) {
          // 20 July 2026 is 海の日 (closed)
          expect(r.values.temperature, `${s.id} ${new Date(r.ts).toISOString()}`).toBeGreaterThanOrEqual(24);
          expect(r.values.temperature).toBeLessThanOrEqual(28);
        }
      }
    }
    const night = valueAt(model, 'office-env', 'temperature', at(2026, 8, 4, 4));
    const jan = valueAt(model, 'office-env', 'temperature', at(2026, 1, 20, 4));
    expect(night).toBeGreaterThan(jan + 6);
  });

  it('keeps the energy meter monotonic and rising with power', () => {
    let prev = -1;
    const rows = [...sampleRange(model, sensor('main-meter'), at(2026, 3, 1), at(2026, 4, 1), 15 * MIN)];
    for (const r of rows) {
      expect(r.values.energy!).toBeGreaterThanOrEqual(prev);
      prev = r.values.energy!;
    }
    const used = rows.at(-1)!.values.energy! - rows[0]!.values.energy!;
    const meanKw = mean(rows.map((r) => r.values.power!)) / 1000;
    expect(used).toBeCloseTo(meanKw * 31 * 24, -2);
  });

  it('keeps every value of every sensor in its plausible range over a year, counts as whole numbers', () => {
    const bad: string[] = [];
    let checked = 0;
    for (const s of inventory.sensors) {
      for (const r of sampleRange(model, s, at(2025, 4, 1), at(2026, 4, 1), HOUR_MS)) {
        for (const q of s.quantities) {
          const v = r.values[q];
          const { min, max, decimals } = QUANTITIES[q];
          checked++;
          const ok =
            v !== undefined &&
            Number.isFinite(v) &&
            v >= min &&
            v <= max &&
            (decimals > 0 || Number.isInteger(v));
          if (!ok) bad.push(`${s.id} ${q}=${v} at ${new Date(r.ts).toISOString()}`);
        }
      }
    }
    expect(bad.slice(0, 10)).toEqual([]);
    expect(checked).toBeGreaterThan(inventory.sensors.length * 8760);
  });

  it('samples a year of hourly values quickly enough for a backfill', () => {
    const t0 = performance.now();
    let n = 0;
    for (const _ of sampleRange(model, sensor('main-meter'), at(2025, 4, 1), at(2026, 4, 1), HOUR_MS)) n++;
    expect(n).toBe(365 * 24);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
