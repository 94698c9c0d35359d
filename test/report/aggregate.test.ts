import { describe, expect, it } from 'vitest';
import { findings } from '../../src/report/findings.js';
import type { Report, ZoneFigures } from '../../src/report/types.js';
import * as fx from '../fixtures/report/small-fy2026.js';

const build = fx.fixtureReport;

const zone = (r: Report, id: string) => r.zones.find((z) => z.id === id)!;

describe('buildReport (known answers, FY2026 fixture)', () => {
  const r = build();
  const lobbyApr: ZoneFigures = zone(r, 'lobby').months[0]!;
  const e = fx.expected;

  it('labels the fiscal year both ways and cuts it at JST midnight', () => {
    expect(r.fyLabel).toBe('2026年度');
    expect(r.reiwaLabel).toBe('令和8年度');
    expect(new Date(r.from).toISOString()).toBe('2026-03-31T15:00:00.000Z');
    expect(new Date(r.to).toISOString()).toBe('2027-03-31T15:00:00.000Z');
    expect(r.months.map((m) => m.key)).toEqual([
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
      '2026-12',
      '2027-01',
      '2027-02',
      '2027-03',
    ]);
    expect(r.partial).toBe(false);
  });

  it('weights the 08:00 hour by its 30 open minutes and ignores closed hours, holidays and rows outside the year', () => {
    expect(lobbyApr.temperature.mean).toBeCloseTo(e.lobby.april.temperatureMean, 9);
    expect(lobbyApr.temperature.withinShare).toBeCloseTo(e.lobby.april.temperatureWithin, 9);
    expect(lobbyApr.humidity.mean).toBeCloseTo(e.lobby.april.humidityMean, 9);
    expect(lobbyApr.humidity.withinShare).toBeCloseTo(e.lobby.april.humidityWithin, 9);
  });

  it('judges CO2 on the daily mean of opening hours and counts hours above the limit', () => {
    expect(lobbyApr.co2.mean).toBeCloseTo(e.lobby.april.co2Mean, 9);
    expect(lobbyApr.co2.daysMeasured).toBe(e.lobby.april.co2DaysMeasured);
    expect(lobbyApr.co2.daysAbove).toBe(e.lobby.april.co2DaysAbove);
    expect(lobbyApr.co2.hoursAbove).toBeCloseTo(e.lobby.april.co2HoursAbove, 9);
    expect(zone(r, 'lobby').months[1]!.co2.daysAbove).toBeNull(); // no CO2 data in May: blank, not 0
  });

  it('computes the share of opening hours at or above the illuminance target', () => {
    expect(lobbyApr.illuminance.target).toBe(500);
    expect(lobbyApr.illuminance.mean).toBeCloseTo(e.lobby.april.illuminanceMean, 9);
    expect(lobbyApr.illuminance.atOrAboveShare).toBeCloseTo(e.lobby.april.illuminanceWithin, 9);
  });

  it('adds up lights left on after hours and on closed days (Saturday, national holiday)', () => {
    expect(lobbyApr.eco.lightsAfterHoursHours).toBeCloseTo(e.lobby.april.lightsAfterHours, 9);
    expect(lobbyApr.eco.lightsClosedDayHours).toBeCloseTo(e.lobby.april.lightsClosedDay, 9);
  });

  it('measures meter energy across the fiscal-year boundary, survives a meter reset and compares with last year', () => {
    expect(lobbyApr.eco.energySource).toBe('meter');
    expect(lobbyApr.eco.energyKwh).toBeCloseTo(e.lobby.april.energyKwh, 9);
    expect(lobbyApr.eco.energyPrevKwh).toBeCloseTo(e.lobby.april.energyPrevKwh, 9);
    expect(lobbyApr.eco.energyChange).toBeCloseTo(e.lobby.april.energyChange, 9);
    const may = zone(r, 'lobby').months[1]!;
    expect(may.eco.energyKwh).toBeCloseTo(e.lobby.may.energyKwh, 9);
    expect(may.eco.energyPrevKwh).toBeNull();
    expect(may.eco.energyChange).toBeNull();
  });

  it('computes year figures from the year’s readings, not from monthly means', () => {
    const y = zone(r, 'lobby').year;
    expect(y.temperature.mean).toBeCloseTo(e.lobby.year.temperatureMean, 9);
    expect(y.temperature.withinShare).toBeCloseTo(e.lobby.year.temperatureWithin, 9);
    expect(y.eco.overheatedHours).toBeCloseTo(e.lobby.year.overheatedHours, 9);
    expect(y.eco.energyKwh).toBeCloseTo(e.lobby.year.energyKwh, 9);
    expect(y.eco.energyPrevKwh).toBeCloseTo(e.lobby.year.energyPrevKwh, 9);
    expect(y.eco.energyChange).toBeCloseTo(e.lobby.year.energyChange, 9);
  });

  it('reports counter queues during opening hours and hours in each wait band', () => {
    const c = zone(r, 'counter').months[0]!.counter;
    expect(c.waitingMean).toBeCloseTo(e.counter.april.waitingMean, 9);
    expect(c.waitingPeak).toBe(e.counter.april.waitingPeak);
    expect(c.waitMinutesMean).toBeCloseTo(e.counter.april.waitMinutesMean, 9);
    expect(c.bandHours.red).toBeCloseTo(e.counter.april.redHours, 9);
    expect(c.bandHours.yellow).toBeCloseTo(e.counter.april.yellowHours, 9);
    expect(c.bandHours.blue).toBeCloseTo(e.counter.april.blueHours, 9);
    expect(zone(r, 'counter').months[3]!.eco.overcooledHours).toBeCloseTo(e.counter.july.overcooledHours, 9);
  });

  it('shows completeness per sensor: gaps, the month boundary reading, and a silent sensor', () => {
    const env1 = r.sensors.find((s) => s.sensor === 'env1')!;
    expect(env1.months[0]).toMatchObject(e.completeness.env1April);
    expect(env1.months[0]!.share).toBeCloseTo(
      e.completeness.env1April.received / e.completeness.env1April.expected,
      12,
    );
    expect(env1.months[1]).toMatchObject(e.completeness.env1May);
    expect(env1.year).toMatchObject(e.completeness.env1Year);
    const dead = r.sensors.find((s) => s.sensor === 'dead-1')!;
    expect(dead.year).toMatchObject({ ...e.completeness.dead1Year, share: 0 });
  });

  it('summarises alerts by month opened (JST), category and severity with mean times', () => {
    expect(r.alerts.months[0]).toEqual(e.alerts.april);
    expect(r.alerts.months[1]).toEqual(e.alerts.may);
    expect(r.alerts.year.map((g) => [g.category, g.severity, g.count])).toEqual([
      ['comfort', 'warning', 2],
      ['eco', 'critical', 1],
    ]);
  });

  it('writes findings from the figures', () => {
    // a few hours a month are reference values: named as such, never presented as the worst month
    expect(r.findings.join('\n')).toMatch(
      /データ取得率が80%未満で参考値のみの月（結果として扱いません。0%の月はデータなし）: ロビー 温度: 2026年4月/,
    );
    expect(r.findings.join('\n')).not.toMatch(/全センサーの各月のデータ取得率/);
    expect(r.findings.join('\n')).toMatch(/警報 3件（うち重大 1件）/);
  });
});

describe('buildReport (year to date)', () => {
  it('stops at `to`: later rows are left out and expected readings shrink with the span', () => {
    const r = build({ to: fx.jst('2026-05-01T00:00') });
    expect(r.partial).toBe(true);
    const env1 = r.sensors.find((s) => s.sensor === 'env1')!;
    expect(env1.year).toMatchObject({ received: 390, expected: 30 * 24 * 60 });
    expect(env1.months[1]!.expected).toBe(0);
    const lobby = zone(r, 'lobby');
    expect(lobby.year.eco.energyKwh).toBeCloseTo(103, 9);
    // compared with the same span of the previous year (April only)
    expect(lobby.year.eco.energyPrevKwh).toBeCloseTo(110, 9);
    expect(r.alerts.year.map((g) => g.count)).toEqual([2]);
  });
});

describe('findings: "not applicable" is never printed as 0', () => {
  /** The FY2026 fixture in English, April–May: no cooling-season hour, so over-cooling does not apply. */
  const english = () => {
    const config = fx.fixtureConfig();
    config.report.language = 'en';
    return build({ config, to: fx.jst('2026-06-01T00:00') });
  };

  it('an English report of a span with no cooling-season data says n/a, as the Japanese says 該当なし', () => {
    const en = english();
    expect(en.zones.every((z) => z.year.eco.overcooledHours === null)).toBe(true);
    // a heating-season figure makes the line appear while over-cooling does not apply
    en.zones[0]!.year.eco.overheatedHours = 2;
    const text = findings(en, 0.8).join('\n');
    expect(text).toMatch(/Over-cooled \(below 26 °C in the cooling season\) — \(n\/a\), over-heated .* 2 h/);
    expect(text).not.toMatch(/Over-cooled[^,]* 0 h/);
    const ja = build({ to: fx.jst('2026-06-01T00:00') });
    ja.zones[0]!.year.eco.overheatedHours = 2;
    expect(findings(ja, 0.8).join('\n')).toMatch(
      /冷やし過ぎ（冷房期 26 °C未満）—（該当なし）、暖め過ぎ（暖房期 \d+ °C超）2 時間/,
    );
  });

  it('lights and energy coverage: a missing figure is n/a in both languages, not 0', () => {
    for (const [lang, na] of [
      ['en', '— (n/a)'],
      ['ja', '—（該当なし）'],
    ] as const) {
      const config = fx.fixtureConfig();
      config.report.language = lang;
      const r = build({ config });
      for (const z of r.zones) {
        z.year.eco.lightsAfterHoursHours = null;
        z.year.eco.lightsClosedDayHours = null;
      }
      r.zones[0]!.year.eco.lightsClosedDayHours = 3;
      const metered = r.zones.find((z) => z.year.eco.energyKwh !== null)!;
      metered.year.coverage.energyPrev = null;
      const text = findings(r, 0.8).join('\n');
      expect(text).toContain(
        lang === 'en' ? `${na} after hours, 3 h on closed days` : `時間外 ${na}、閉庁日 3 時間`,
      );
      expect(text).toContain(lang === 'en' ? `previous ${na}` : `前年度 ${na}`);
    }
  });
});
