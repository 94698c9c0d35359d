import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { QUANTITIES as CORE } from '../../src/core/quantities.js';

// The dashboard is plain browser JS (no build step); its pure modules load in Node as well.
const load = (name: string) => import(pathToFileURL(`dashboards/js/${name}.js`).href);
const format = await load('format');
const status = await load('status');
const stateMod = await load('state');
const i18n = await load('i18n');

const limits = {
  temperature: { min: 18, max: 28 },
  humidity: { min: 40, max: 70 },
  co2: { max: 1000 },
  illuminance: { defaultTarget: 300 },
  eco: { coolingMonths: [6, 7, 8, 9], overcoolBelow: 26, heatingMonths: [12, 1, 2, 3], overheatAbove: 22 },
  wait: { yellowFrom: 20, redFrom: 40 },
};
const hours = {
  days: [1, 2, 3, 4, 5],
  open: '08:30',
  close: '17:00',
  extra: [],
  closedDays: ['12-29', '01-03'],
};
const t = i18n.translator('ja');

describe('dashboard formatting (JST, whatever the browser zone)', () => {
  it('writes the Japanese date with weekday and era from the JST calendar day', () => {
    // 2026-11-22T15:30Z is already Monday 23 November in Tokyo
    const ms = Date.parse('2026-11-22T15:30:00Z');
    expect(format.formatDate(ms, 'ja')).toBe('2026年11月23日（月）');
    expect(format.formatDate(ms, 'en')).toBe('Mon 23 Nov 2026');
    expect(format.eraYear(ms)).toBe('令和8年');
    expect(format.formatTime(ms, true)).toBe('00:30:00');
  });

  it('counts Reiwa from 1 May 2019 (元年) and Heisei before', () => {
    expect(format.eraYear(Date.parse('2019-04-30T14:59:00Z'))).toBe('平成31年');
    expect(format.eraYear(Date.parse('2019-04-30T15:00:00Z'))).toBe('令和元年');
    expect(format.eraYear(Date.parse('2020-01-01T00:00:00Z'))).toBe('令和2年');
  });

  it('formats values with the quantity decimals and durations in words', () => {
    expect(format.formatValue('temperature', 24.06)).toBe('24.1');
    expect(format.formatValue('co2', 1240.4)).toBe('1,240');
    expect(format.formatValue('co2', null)).toBe('—');
    expect(format.formatDuration(12 * 60_000 + 5_000, t)).toBe('12分');
    expect(format.formatDuration(3 * 3_600_000, i18n.translator('en'))).toBe('3 h');
  });
});

describe('dashboard status colours', () => {
  const ctx = { limits, open: true, illuminanceTarget: 750 };
  it('turns amber inside the margin and red outside the legal range', () => {
    expect(status.comfortStatus('temperature', 24, ctx)).toBe('ok');
    expect(status.comfortStatus('temperature', 27.5, ctx)).toBe('caution');
    expect(status.comfortStatus('temperature', 28.1, ctx)).toBe('out');
    expect(status.comfortStatus('humidity', 42, ctx)).toBe('caution');
    expect(status.comfortStatus('co2', 850, ctx)).toBe('caution');
    expect(status.comfortStatus('co2', 1001, ctx)).toBe('out');
    expect(status.comfortStatus('illuminance', 700, ctx)).toBe('out');
    expect(status.comfortStatus('illuminance', 700, { ...ctx, open: false })).toBeNull();
    expect(status.worst(['ok', null, 'caution'])).toBe('caution');
  });

  it('marks eco deviations by season and opening hours (JST)', () => {
    const julyOpen = Date.parse('2026-07-15T01:00:00Z'); // Wed 10:00 JST
    const julyNight = Date.parse('2026-07-15T12:00:00Z'); // Wed 21:00 JST
    expect(status.ecoDeviations({ temperature: 24.5 }, julyOpen, limits, hours)).toEqual(['overcooling']);
    expect(status.ecoDeviations({ temperature: 27 }, julyOpen, limits, hours)).toEqual([]);
    expect(status.ecoDeviations({ lights: 1 }, julyNight, limits, hours)).toEqual(['lights']);
    expect(status.ecoDeviations({ lights: 1 }, julyOpen, limits, hours)).toEqual([]);
    expect(status.isOpen(Date.parse('2026-12-29T01:00:00Z'), hours)).toBe(false); // 年末 closed day
  });

  it('puts waits into the congestion bands at their edges', () => {
    expect(status.waitBand(19.9, limits.wait)).toBe('blue');
    expect(status.waitBand(20, limits.wait)).toBe('yellow');
    expect(status.waitBand(40, limits.wait)).toBe('red');
    expect(status.waitBand(null, limits.wait)).toBeNull();
  });
});

describe('dashboard live state', () => {
  it('combines fresh sensors and shows a stale value only flagged as stale', () => {
    let now = Date.parse('2026-11-24T01:00:00Z');
    const s = new stateMod.LiveState(() => now);
    s.setSensors([
      { id: 'a', intervalSeconds: 30 },
      { id: 'b', intervalSeconds: 30 },
    ]);
    const iso = (ms: number) => new Date(ms).toISOString();
    s.put([
      { zone: 'z', sensor: 'a', quantity: 'co2', value: 600, ts: iso(now - 10_000) },
      { zone: 'z', sensor: 'b', quantity: 'co2', value: 900, ts: iso(now - 10_000) },
    ]);
    expect(s.zoneValue('z', 'co2')).toMatchObject({ value: 900, stale: false, count: 2 });
    // an older reading never replaces a newer one
    s.put([{ zone: 'z', sensor: 'b', quantity: 'co2', value: 100, ts: iso(now - 60_000) }]);
    expect(s.zoneValue('z', 'co2').value).toBe(900);
    // an offline sensor's value no longer counts as current
    s.setStatus({ sensor: 'b', online: false });
    expect(s.zoneValue('z', 'co2')).toMatchObject({ value: 600, stale: false, count: 1 });
    s.setStatus({ sensor: 'b', online: true });
    now += 95_000; // past 3 × 30 s for both
    expect(s.zoneValue('z', 'co2')).toMatchObject({ stale: true, count: 0, ts: now - 105_000 });
  });

  it('keeps active alerts only, most urgent first, and drops resolved ones', () => {
    const s = new stateMod.LiveState(() => 0);
    s.setAlerts([
      { id: 1, severity: 'warning', state: 'firing', openedAt: '2026-11-24T00:00:00Z', zone: 'z' },
      { id: 2, severity: 'critical', state: 'acknowledged', openedAt: '2026-11-24T00:10:00Z', zone: 'z' },
      { id: 3, severity: 'critical', state: 'firing', openedAt: '2026-11-24T00:20:00Z', zone: 'y' },
    ]);
    expect(s.activeAlerts().map((a: { id: number }) => a.id)).toEqual([3, 2, 1]);
    s.upsertAlert({ id: 3, state: 'resolved' });
    expect(s.activeAlerts().map((a: { id: number }) => a.id)).toEqual([2, 1]);
    expect(s.zoneAlerts('z')).toHaveLength(2);
  });

  it('merges several sensors of a zone into one trend line, count-weighted', () => {
    const merged = stateMod.mergeSeries([
      { points: [{ ts: '2026-11-24T00:00:00Z', mean: 20, count: 1 }] },
      {
        points: [
          { ts: '2026-11-24T00:00:00Z', mean: 23, count: 2 },
          { ts: '2026-11-24T00:05:00Z', mean: 21, count: 1 },
        ],
      },
    ]);
    expect(merged).toEqual([
      { x: Date.parse('2026-11-24T00:00:00Z'), y: 22, n: 3 },
      { x: Date.parse('2026-11-24T00:05:00Z'), y: 21, n: 1 },
    ]);
  });
});

describe('dashboard dictionary', () => {
  it('has the same quantity labels and decimals as src/core/quantities.ts', () => {
    for (const [q, def] of Object.entries(CORE)) {
      expect(i18n.QUANTITIES[q], q).toMatchObject({ ja: def.ja, en: def.en, decimals: def.decimals });
    }
    expect(Object.keys(i18n.QUANTITIES).sort()).toEqual(Object.keys(CORE).sort());
  });

  it('has every key in both languages', () => {
    expect(Object.keys(i18n.DICTIONARIES.en).sort()).toEqual(Object.keys(i18n.DICTIONARIES.ja).sort());
  });
});
