import { describe, expect, it } from 'vitest';
import { engineFor, jst, MIN } from './helpers.js';

const afterHours = {
  id: 'eco.lights_after_hours',
  category: 'eco',
  quantity: 'lights',
  above: 0,
  when: { hours: 'closed', days: 'open' },
  for: '30m',
  readings: 1,
  clearFor: 0,
};
const closedDay = { ...afterHours, id: 'eco.lights_closed_day', when: { days: 'closed' } };

/** lights on at 10:00 and reported every 5 minutes until 12:00 JST on the given date */
function lightsMorning(date: string) {
  const e = engineFor([afterHours, closedDay]);
  for (let t = jst(`${date}T10:00:00`); t <= jst(`${date}T12:00:00`); t += 5 * MIN) {
    e.read('lights', 1, t, 'office');
    e.tick(t + 1);
  }
  return e.events.filter((x) => x.type === 'fired').map((x) => x.ruleId);
}

describe('applicability windows in JST', () => {
  it('a national holiday is a closed day (文化の日 2026-11-03, a Tuesday)', () => {
    expect(lightsMorning('2026-11-03')).toEqual(['eco.lights_closed_day']);
    expect(lightsMorning('2026-11-10')).toEqual([]);
  });

  it('29 Dec – 3 Jan is closed even on weekdays; 28 Dec and 4 Jan are open', () => {
    expect(lightsMorning('2026-12-29')).toEqual(['eco.lights_closed_day']);
    expect(lightsMorning('2027-01-02')).toEqual(['eco.lights_closed_day']);
    expect(lightsMorning('2026-12-28')).toEqual([]);
    expect(lightsMorning('2027-01-04')).toEqual([]);
  });

  it('lights reported once during the day fire after hours from the tick (no new reading needed)', () => {
    const e = engineFor([afterHours]);
    e.read('lights', 1, jst('2026-11-10T16:00:00'), 'office');
    for (let t = jst('2026-11-10T16:00:00'); t <= jst('2026-11-10T17:29:45'); t += 15_000) {
      if ((t / 15_000) % 8 === 0) e.read('lights', 1, t, 'office'); // heartbeat every 2 min
      e.tick(t);
    }
    expect(e.types()).toEqual([]);
    e.read('lights', 1, jst('2026-11-10T17:30:00'), 'office');
    expect(e.events.at(-1)).toMatchObject({ type: 'fired', since: jst('2026-11-10T17:00:00') });
  });

  it('over-cooling applies only in opening hours of the cooling season, and resolves at closing time', () => {
    const rule = {
      id: 'eco.overcooling',
      category: 'eco',
      quantity: 'temperature',
      below: 'limits.eco.overcoolBelow',
      when: { hours: 'open', months: 'cooling' },
      for: '30m',
      readings: 1,
    };
    const run = (date: string) => {
      const e = engineFor([rule]);
      for (let t = jst(`${date}T15:00:00`); t <= jst(`${date}T18:00:00`); t += MIN)
        e.read('temperature', 24.5, t, 'office');
      return e;
    };
    const july = run('2026-07-14');
    expect(july.types()).toEqual(['fired', 'resolved']);
    expect(july.events.at(-1)).toMatchObject({ reason: 'window', ts: jst('2026-07-14T17:00:00') });
    expect(run('2026-11-10').types()).toEqual([]);
  });

  it('lights on in a zone empty for N minutes', () => {
    const rule = {
      id: 'eco.lights_empty_zone',
      kind: 'empty_zone',
      category: 'eco',
      for: '30m',
      clearFor: 0,
    };
    const e = engineFor([rule]);
    const t0 = jst('2026-11-10T10:00:00');
    e.read('lights', 1, t0, 'office', 'light-1');
    e.read('occupancy', 2, t0, 'office', 'people-1');
    e.read('occupancy', 0, t0 + 5 * MIN, 'office', 'people-1');
    for (let t = t0 + 5 * MIN; t < t0 + 35 * MIN; t += MIN) {
      e.read('lights', 1, t, 'office', 'light-1');
      e.tick(t + 1);
    }
    expect(e.types()).toEqual([]);
    e.read('lights', 1, t0 + 35 * MIN, 'office', 'light-1');
    expect(e.events.at(-1)).toMatchObject({
      type: 'fired',
      subject: { key: 'takatsu/office' },
      since: t0 + 5 * MIN,
    });
    e.read('occupancy', 1, t0 + 36 * MIN, 'office', 'people-1');
    expect(e.types()).toEqual(['fired', 'resolved']);
  });
});

describe('CO2 day average', () => {
  const rule = {
    id: 'comfort.co2_day_average',
    kind: 'day_average',
    category: 'comfort',
    quantity: 'co2',
    above: 'limits.co2.max',
    minReadings: 6,
    for: 0,
    readings: 1,
    clearFor: 0,
  };

  it('resets at JST midnight (15:00 UTC), not at UTC midnight', () => {
    const e = engineFor([rule]);
    // JST 2026-11-10 08:00 → 2026-11-11 00:00 crosses 00:00 UTC (09:00 JST) without a reset
    const start = jst('2026-11-10T08:00:00');
    for (let t = start; t < jst('2026-11-10T10:00:00'); t += 10 * MIN) e.read('co2', 1200, t);
    const fired = e.events.find((x) => x.type === 'fired')!;
    expect(fired.since).toBe(start + 50 * MIN); // the 6th reading
    expect(e.types()).toEqual(['fired']); // still firing across 00:00 UTC
    for (let t = jst('2026-11-10T10:00:00'); t < jst('2026-11-10T23:50:00'); t += 10 * MIN) {
      e.read('co2', 1010, t);
      e.tick(t + 1);
    }
    expect(e.types()).toEqual(['fired']);
    e.tick(jst('2026-11-10T23:59:59'));
    expect(e.types()).toEqual(['fired']);
    e.tick(jst('2026-11-11T00:00:00'));
    expect(e.types()).toEqual(['fired', 'resolved']);
    expect(e.events.at(-1)).toMatchObject({ reason: 'window', ts: Date.parse('2026-11-10T15:00:00Z') });
    // the new day starts from nothing: five high readings are not enough to judge
    for (let i = 0; i < 5; i++) e.read('co2', 1500, jst('2026-11-11T00:10:00') + i * MIN);
    expect(e.types()).toEqual(['fired', 'resolved']);
  });

  it('judges the mean, not single readings', () => {
    const e = engineFor([rule]);
    const t0 = jst('2026-11-10T09:00:00');
    const values = [800, 800, 800, 800, 800, 1900, 800, 800]; // one high reading, mean < 1000
    values.forEach((v, i) => {
      e.read('co2', v, t0 + i * 10 * MIN);
    });
    expect(e.types()).toEqual([]);
  });
});
