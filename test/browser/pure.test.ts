import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { QUANTITIES as CORE } from '../../src/core/quantities.js';

// The dashboard is plain browser JS (no build step); its pure modules load in Node as well.
const load = (name: string) => import(pathToFileURL(`dashboards/js/${name}.js`).href);
const format = await load('format');
const status = await load('status');
const stateMod = await load('state');
const i18n = await load('i18n');

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

describe('dashboard status: drawn from the server, judged nowhere here', () => {
  it('status.js holds no limits, hours or stale logic', () => {
    expect(Object.keys(status).sort()).toEqual(['ZONE_STATES', 'asZoneStatus', 'hasEco']);
    expect(status.asZoneStatus({ sensor: 'b', online: false })).toBeNull();
    expect(status.hasEco({ eco: [{ id: 'eco.lights_after_hours' }] })).toBe(true);
  });
});

describe('dashboard live state', () => {
  it("shows the server's zone status: values, states, stale flags and bands", () => {
    const s = new stateMod.LiveState(() => Date.parse('2026-11-24T01:00:00Z'));
    expect(s.zoneValue('z', 'co2')).toMatchObject({ value: null, stale: false, count: 0, state: null });
    s.setStatus({ sensor: 'b', online: false }); // a sensor availability message is not a zone status
    expect(s.zoneStatus('z')).toBeNull();
    s.setStatus({
      zone: 'z',
      inUse: true,
      state: 'caution',
      values: {
        co2: {
          value: 900,
          ts: '2026-11-24T00:59:50Z',
          stale: false,
          offline: false,
          sensors: 2,
          state: 'caution',
        },
        temperature: {
          value: 17,
          ts: '2026-11-24T00:40:00Z',
          stale: true,
          offline: true,
          sensors: 0,
          state: null,
        },
        wait_minutes: {
          value: 25,
          ts: '2026-11-24T00:59:00Z',
          stale: false,
          offline: false,
          sensors: 1,
          state: null,
          band: 'yellow',
        },
      },
    });
    expect(s.zoneStatus('z')?.state).toBe('caution');
    expect(s.zoneValue('z', 'co2')).toMatchObject({ value: 900, stale: false, count: 2, state: 'caution' });
    expect(s.zoneValue('z', 'temperature')).toMatchObject({
      value: 17,
      stale: true,
      offline: true,
      ts: Date.parse('2026-11-24T00:40:00Z'),
    });
    expect(s.zoneValue('z', 'wait_minutes').band).toBe('yellow');
    // readings are only remembered to notice a half-open stream
    s.put([{ zone: 'z', sensor: 'a', quantity: 'co2', value: 600, ts: '2026-11-24T00:59:00Z' }]);
    expect(
      s.missed([{ zone: 'z', sensor: 'a', quantity: 'co2', ts: '2026-11-24T00:59:30Z' }], Date.now()),
    ).toBe(1);
    expect(s.zoneValue('z', 'co2').value).toBe(900);
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
