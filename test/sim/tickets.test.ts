import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { HOUR_MS, jstMidnight } from '../../src/core/jst.js';
import { loadInventory } from '../../src/inventory/inventory.js';
import { SimModel, type SimSensor, sampleRange } from '../../src/sim/model.js';

const config = loadConfig({}, 'config/takatsu.yaml');
const inventory = loadInventory(config);
const model = SimModel.fromConfig(config, 1);
const ticket = (id: string): SimSensor => inventory.sensors.find((s) => s.id === id)!;
/** A JST day's samples every 5 minutes of one ticket machine. */
const day = (id: string, y: number, m: number, d: number) => [
  ...sampleRange(model, ticket(id), jstMidnight(y, m, d), jstMidnight(y, m, d) + 24 * HOUR_MS, 5 * 60_000),
];

describe('simulated ticket machines: the number being called (serving) and the last ticket (issued)', () => {
  it('are in the inventory of both counters', () => {
    for (const id of ['kumin-ticket', 'hoken-ticket'])
      expect(ticket(id).quantities).toEqual(
        expect.arrayContaining(['waiting', 'wait_minutes', 'serving', 'issued']),
      );
  });

  it('advance through an open day, never go back, and the called number trails the tickets by about the queue', () => {
    const samples = day('kumin-ticket', 2026, 11, 30); // a Monday
    const serving = samples.map((s) => s.values.serving!);
    const issued = samples.map((s) => s.values.issued!);
    for (let i = 1; i < samples.length; i++) {
      expect(serving[i]).toBeGreaterThanOrEqual(serving[i - 1]!);
      expect(issued[i]).toBeGreaterThanOrEqual(issued[i - 1]!);
      expect(serving[i]).toBeLessThanOrEqual(issued[i]!);
    }
    // 0 before opening (08:30), a busy day's worth of tickets by closing, everyone served after it
    const at = (h: number, min = 0) => samples[(h * 60 + min) / 5]!.values;
    expect(at(8, 0)).toMatchObject({ serving: 0, issued: 0 });
    expect(at(17, 30).issued).toBeGreaterThan(150);
    expect(at(17, 30).serving).toBe(at(17, 30).issued);
    const mid = at(11);
    expect(Math.abs(mid.issued! - mid.serving! - mid.waiting!)).toBeLessThanOrEqual(
      Math.max(4, mid.waiting! * 0.4),
    );
  });

  it('start again at 1 the next open day, and stay 0 on closed days', () => {
    expect(
      day('hoken-ticket', 2026, 11, 29).every((s) => s.values.serving === 0 && s.values.issued === 0),
    ).toBe(true); // Sunday
    expect(day('hoken-ticket', 2026, 11, 23).every((s) => s.values.issued === 0)).toBe(true); // 勤労感謝の日
    const tue = day('hoken-ticket', 2026, 12, 1);
    expect(tue[0]!.values.issued).toBe(0);
    expect(tue.at(-1)!.values.issued).toBeGreaterThan(50);
  });
});
