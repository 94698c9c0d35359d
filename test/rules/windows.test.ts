import { describe, expect, it } from 'vitest';
import { Judgement } from '../../src/core/judgement.js';
import { compileRules, loadRules } from '../../src/rules/compile.js';
import { config, engineFor, jst, MIN, zones } from './helpers.js';

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
    e.read('lights', 1, jst('2026-11-10T16:00:00'), 'lobby');
    for (let t = jst('2026-11-10T16:00:00'); t <= jst('2026-11-10T17:59:45'); t += 15_000) {
      if ((t / 15_000) % 8 === 0) e.read('lights', 1, t, 'lobby'); // heartbeat every 2 min
      e.tick(t);
    }
    // the lobby closes at 17:00, but staff are in until 17:30 (hours.staff): not after hours until then
    expect(e.types()).toEqual([]);
    e.read('lights', 1, jst('2026-11-10T18:00:00'), 'lobby');
    expect(e.events.at(-1)).toMatchObject({ type: 'fired', since: jst('2026-11-10T17:30:00') });
  });

  it('`hours: closed` is out of hours as the judgement says: lights on for staff (08:00–08:30, 17:00–17:30) are not after hours', () => {
    const j = new Judgement(config());
    const rules = compileRules({ rules: [afterHours] }, 'rules.yaml', config(), j);
    const row = j.limit('eco.lights_after_hours')!;
    for (let t = jst('2026-11-09T00:00:00'); t < jst('2026-11-16T00:00:00'); t += 10 * MIN)
      for (const zone of ['lobby', 'office'])
        expect(rules[0]!.applies!(t, zone), `${zone} ${new Date(t).toISOString()}`).toBe(
          j.applies(row, zone, t),
        );
    expect(rules[0]!.applies!(jst('2026-11-10T08:10:00'), 'lobby')).toBe(false);
    expect(rules[0]!.applies!(jst('2026-11-10T07:50:00'), 'lobby')).toBe(true);
  });

  it('the default rules named after a limit of the table are judged exactly when that limit is (alerts = wall = report)', () => {
    const cfg = config({
      zones: [
        ...zones,
        {
          id: 'night-desk',
          name: { ja: '夜間窓口', en: 'Night desk' },
          inUse: { open: '17:00', close: '21:00' },
        },
      ],
      hours: { extra: [{ date: '2026-11-14', open: '09:00', close: '12:00' }] },
    });
    const j = new Judgement(cfg);
    const rules = loadRules('config/rules.yaml', cfg, j);
    const named = rules.filter((r) => j.limit(r.id));
    expect(named.map((r) => r.id)).toEqual(
      expect.arrayContaining([
        'comfort.co2',
        'eco.lights_after_hours',
        'eco.lights_closed_day',
        'protection.temperature',
      ]),
    );
    // a week with a national holiday (勤労感謝の日 Mon 23 Nov), a Saturday with extra hours, and the cooling/heating months
    for (const from of [jst('2026-11-14T00:00:00'), jst('2026-07-06T00:00:00')])
      for (let t = from; t < from + 10 * 24 * 60 * MIN; t += 15 * MIN)
        for (const zone of ['lobby', 'office', 'night-desk'])
          for (const r of named)
            expect(
              r.applies ? r.applies(t, zone) : true,
              `${r.id} ${zone} ${new Date(t).toISOString()}`,
            ).toBe(j.applies(j.limit(r.id)!, zone, t));
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

  it("judges the zone's mean over the in-use day when it ends (1200 ppm open, 450 at night: over)", () => {
    const e = engineFor([rule]);
    for (let t = jst('2026-11-10T00:00:00'); t < jst('2026-11-11T00:30:00'); t += 10 * MIN) {
      const p = new Date(t + 9 * 3_600_000);
      const m = p.getUTCHours() * 60 + p.getUTCMinutes();
      const inUse = m >= 540 && m < 1020 && t < jst('2026-11-11T00:00:00');
      e.read('co2', inUse ? 1200 : 450, t, 'lobby', 's1');
      e.read('co2', inUse ? 1100 : 450, t, 'lobby', 's2'); // a second sensor of the zone: the zone's mean counts both
      e.tick(t + 1);
      if (t < jst('2026-11-10T17:00:00')) expect(e.types()).toEqual([]); // nothing before the day's in-use time is over
    }
    const fired = e.events.find((x) => x.type === 'fired')!;
    expect(fired.ts).toBe(jst('2026-11-10T17:00:00'));
    expect(fired.subject).toMatchObject({ zone: 'lobby', quantity: 'co2', key: 'takatsu/lobby/co2:day' });
    // 08:00–09:00 counts half (all 450), 09:00–17:00 fully: s1 1200, s2 1100
    expect(fired.value).toBeCloseTo((450 * 6 + 1200 * 48 + 1100 * 48) / (6 + 96), 6);
    expect(e.types()).toEqual(['fired', 'resolved']); // resolved at JST midnight
    expect(e.events.find((x) => x.type === 'resolved')).toMatchObject({ reason: 'window' });
  });

  it('a high night and a normal day: not over (the night does not count)', () => {
    const e = engineFor([{ ...rule, minReadings: 1 }]);
    for (let t = jst('2026-11-10T00:00:00'); t < jst('2026-11-11T00:00:00'); t += 10 * MIN) {
      const p = new Date(t + 9 * 3_600_000);
      const inUse = p.getUTCHours() >= 9 && p.getUTCHours() < 17;
      e.read('co2', inUse ? 800 : 3000, t);
      e.tick(t + 1);
    }
    expect(e.types()).toEqual([]);
    // the same with a high day fires: the test can fail
    const f = engineFor([{ ...rule, minReadings: 1 }]);
    for (let t = jst('2026-11-10T00:00:00'); t < jst('2026-11-11T00:00:00'); t += 10 * MIN) {
      f.read('co2', 1300, t);
      f.tick(t + 1);
    }
    expect(f.types()).toEqual(['fired']);
  });

  it('a zone in use all day is judged when the day rolls over at JST midnight', () => {
    const cfg = config({
      zones: [{ id: 'lobby', name: { ja: 'ロビー', en: 'Lobby' }, inUse: 'always' }],
    });
    const e = engineFor([{ ...rule, minReadings: 1 }], {}, cfg);
    for (let t = jst('2026-11-08T00:00:00'); t < jst('2026-11-09T00:30:00'); t += 10 * MIN) {
      e.read('co2', 1200, t); // Sunday too: the zone is always in use
      e.tick(t + 1);
    }
    expect(e.types()).toEqual(['fired']);
    expect(e.events[0]).toMatchObject({ ts: jst('2026-11-09T00:00:00') });
  });

  it('a closed day is not judged', () => {
    const e = engineFor([{ ...rule, minReadings: 1 }]);
    for (let t = jst('2026-11-08T00:00:00'); t < jst('2026-11-09T00:00:00'); t += 10 * MIN) {
      e.read('co2', 2000, t); // Sunday
      e.tick(t + 1);
    }
    expect(e.types()).toEqual([]);
  });

  it('judges the mean, not single readings; a day with too few in-use readings is not judged', () => {
    const few = config({ limits: { co2: { max: 1000, minDailyReadings: 8 } } });
    const t0 = jst('2026-11-10T09:00:00');
    const run = (values: number[]) => {
      const e = engineFor([rule], {}, few);
      values.forEach((v, i) => {
        e.read('co2', v, t0 + i * 60 * MIN); // hourly, 09:00–16:00: the day's in-use time is covered
      });
      e.tick(jst('2026-11-10T17:00:00'));
      return e.types();
    };
    expect(run([800, 800, 800, 800, 800, 1900, 800, 800])).toEqual([]); // one high reading, mean < 1000
    expect(run([1100, 1100, 1100, 1100, 1100, 1100, 1100, 1100])).toEqual(['fired']);
    expect(run([1100, 1100, 1100, 1100, 1100, 1100, 1100])).toEqual([]); // 7 < limits.co2.minDailyReadings
  });

  it('a day measured only in the morning is not judged: one rule (readings and coverage) for alerts and report', () => {
    const morning = (cfg = config()) => {
      const e = engineFor([rule], {}, cfg);
      // 12 readings 09:00–10:50 at 1300 ppm, then the sensor dies: 2 h of the 8.5 h in use
      for (let i = 0; i < 12; i++) e.read('co2', 1300, jst('2026-11-10T09:00:00') + i * 10 * MIN);
      e.tick(jst('2026-11-10T17:00:00'));
      return e.types();
    };
    expect(morning()).toEqual([]);
    const j = new Judgement(config());
    const buckets = [
      { hour: jst('2026-11-10T09:00:00'), sum: 6 * 1300, count: 6, sensor: 's1' },
      { hour: jst('2026-11-10T10:00:00'), sum: 6 * 1300, count: 6, sensor: 's1' },
    ];
    const d = j.dailyMean('lobby', buckets);
    expect(d).toMatchObject({ mean: 1300, n: 12, judged: false });
    expect(d.coverage).toBeCloseTo(2 / 8.5, 6);
    // with the coverage threshold at 0 the same day is judged, by the alert and the judgement alike
    const lax = config({ limits: { co2: { max: 1000, minDailyCoverage: 0 } } });
    expect(morning(lax)).toEqual(['fired']);
    expect(new Judgement(lax).dailyMean('lobby', buckets).judged).toBe(true);
    // coverage is per sensor, averaged: a second sensor covering the whole day does not hide the dead one
    const both = [
      ...buckets,
      ...[9, 10, 11, 12, 13, 14, 15, 16].map((h) => ({
        hour: jst(`2026-11-10T${String(h).padStart(2, '0')}:00:00`),
        sum: 6 * 900,
        count: 6,
        sensor: 's2',
      })),
    ];
    expect(j.dailyMean('lobby', both).coverage).toBeCloseTo((2 / 8.5 + 8 / 8.5) / 2, 6);
  });
});
