import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { Judgement } from '../../src/core/judgement.js';
import { zoneStatus } from '../../src/core/zone-status.js';

const config = parseConfig(
  {
    zones: [
      { id: 'lobby', name: { ja: 'ロビー', en: 'Lobby' }, kind: 'lobby' },
      { id: 'office', name: { ja: '事務室', en: 'Office' }, kind: 'office', inUse: 'staff' },
    ],
    hours: { extra: [{ date: '2026-12-05', open: '08:30', close: '12:30' }] },
  },
  'test',
  {},
);
const j = new Judgement(config);
const at = (iso: string) => Date.parse(iso);

describe('Judgement: in use', () => {
  it('opening hours by default, minute-exact, JST', () => {
    expect(j.inUse('lobby', at('2026-11-30T08:29:00+09:00'))).toBe(false); // Monday
    expect(j.inUse('lobby', at('2026-11-30T08:30:00+09:00'))).toBe(true);
    expect(j.inUse('lobby', at('2026-11-30T16:59:59+09:00'))).toBe(true);
    expect(j.inUse('lobby', at('2026-11-30T17:00:00+09:00'))).toBe(false);
  });
  it('a zone with staff hours (office 08:00–17:30)', () => {
    expect(j.inUse('office', at('2026-11-30T08:00:00+09:00'))).toBe(true);
    expect(j.inUse('office', at('2026-11-30T17:29:00+09:00'))).toBe(true);
    expect(j.inUse('office', at('2026-11-30T17:30:00+09:00'))).toBe(false);
  });
  it('lights on while staff are in (08:00–17:30) are not after-hours waste; before and after they are', () => {
    const isWaste = (iso: string) =>
      j.judgeReading('lobby', 'lights', 1, at(iso)).some((b) => b.limit === 'eco.lights_after_hours');
    expect(isWaste('2026-11-30T07:59:00+09:00')).toBe(true);
    expect(isWaste('2026-11-30T08:00:00+09:00')).toBe(false); // staff arrive before the 08:30 opening
    expect(isWaste('2026-11-30T17:15:00+09:00')).toBe(false);
    expect(isWaste('2026-11-30T17:30:00+09:00')).toBe(true);
  });
  it('closed days: weekend, national holiday, 29 Dec – 3 Jan; extra windows open', () => {
    expect(j.inUse('lobby', at('2026-11-29T10:00:00+09:00'))).toBe(false); // Sunday
    expect(j.inUse('lobby', at('2026-11-23T10:00:00+09:00'))).toBe(false); // 勤労感謝の日 (Monday)
    expect(j.isClosedDay(at('2026-11-23T10:00:00+09:00'))).toBe(true);
    expect(j.inUse('lobby', at('2026-12-29T10:00:00+09:00'))).toBe(false); // Tuesday, 年末
    expect(j.inUse('lobby', at('2027-01-04T10:00:00+09:00'))).toBe(true);
    expect(j.inUse('lobby', at('2026-12-05T10:00:00+09:00'))).toBe(true); // Saturday opening
    expect(j.inUse('lobby', at('2026-12-05T13:00:00+09:00'))).toBe(false);
  });
  it('a zone in use always (comfort judged at every hour, e.g. a 24 h room or a test)', () => {
    const c = parseConfig({ zones: [{ id: 'z', name: { ja: 'z', en: 'z' }, inUse: 'always' }] }, 'test', {});
    const a = new Judgement(c);
    for (const t of ['2026-11-29T03:00:00+09:00', '2026-11-23T23:59:59+09:00', '2027-01-01T12:00:00+09:00'])
      expect(a.inUse('z', at(t)), t).toBe(true);
    const day = at('2026-11-29T00:00:00+09:00');
    expect(a.inUseMinutes('z', day, day + 86_400_000)).toBe(1440);
    expect(a.judgeReading('z', 'temperature', 17, at('2026-11-29T03:00:00+09:00'))[0]?.limit).toBe(
      'comfort.temperature',
    );
  });

  it('in-use minutes and since', () => {
    const day = at('2026-11-30T00:00:00+09:00');
    expect(j.inUseMinutes('lobby', day, day + 86_400_000)).toBe(510);
    expect(j.inUseMinutes('office', day, day + 86_400_000)).toBe(570);
    expect(j.inUseMinutes('lobby', day, day + 7 * 86_400_000)).toBe(510 * 5 + 240); // + Saturday 5 Dec 08:30–12:30
    expect(j.inUseShare('lobby', at('2026-11-30T08:00:00+09:00'))).toBe(0.5);
    // Sunday 22:46: closed since Friday 17:00
    expect(new Date(j.useChangedAt('lobby', at('2026-11-29T22:46:00+09:00'))).toISOString()).toBe(
      '2026-11-27T08:00:00.000Z',
    );
  });
});

describe('Judgement: limits', () => {
  it('comfort only in use; building protection at all hours', () => {
    const night = at('2026-11-29T03:00:00+09:00');
    expect(j.judgeReading('lobby', 'temperature', 17, night)).toEqual([]);
    const cold = j.judgeReading('lobby', 'temperature', 3, night);
    expect(cold.map((b) => [b.limit, b.level, b.threshold])).toEqual([['protection.temperature', 'out', 10]]);
    const day = at('2026-11-30T10:00:00+09:00');
    expect(j.judgeReading('lobby', 'temperature', 17, day).map((b) => b.limit)).toEqual([
      'comfort.temperature',
    ]);
    expect(j.judgeReading('lobby', 'temperature', 18.5, day)[0]?.level).toBe('caution');
    expect(j.judgeReading('lobby', 'temperature', 22, day)).toEqual([]);
  });
  it('the daily mean counts in-use time only', () => {
    const day = at('2026-11-30T00:00:00+09:00');
    const buckets = [];
    for (let h = 0; h < 24; h++) {
      const v = h >= 9 && h < 17 ? 1200 : 450;
      buckets.push({ hour: day + h * 3_600_000, sum: v * 60, count: 60 });
    }
    // 08:00–09:00 counts half (450), 09–17 full (1200)
    const { mean, n } = j.dailyMean('lobby', buckets);
    expect(n).toBe(510);
    expect(mean).toBeCloseTo((450 * 30 + 1200 * 480) / 510, 6);
  });
});

describe('zoneStatus', () => {
  const site = config.site.id;
  const s = (q: 'temperature' | 'co2', value: number, ts: number, arrivedAt = ts, online?: boolean) => ({
    site,
    sensor: `env-${q}`,
    quantity: q,
    value,
    ts,
    arrivedAt,
    ...(online === undefined ? {} : { online }),
  });
  it('closed at night with values, not out', () => {
    const now = at('2026-11-29T22:46:00+09:00');
    const st = zoneStatus(j, 'lobby', now, [s('temperature', 16.8, now - 30_000)]);
    expect(st.state).toBe('closed');
    expect(st.inUse).toBe(false);
    expect(st.values.temperature?.value).toBe(16.8);
    expect(st.reasons).toEqual([]);
  });
  it('out at night only for building protection', () => {
    const now = at('2026-11-29T03:00:00+09:00');
    const st = zoneStatus(j, 'lobby', now, [s('temperature', 3, now - 30_000)]);
    expect(st.state).toBe('out');
    expect(st.reasons[0]).toMatchObject({ id: 'protection.temperature', value: 3, limit: 10, bound: 'min' });
  });
  it('in use: ok, caution, out; stale by arrival, offline at once; nodata', () => {
    const now = at('2026-11-30T10:00:00+09:00');
    expect(zoneStatus(j, 'lobby', now, [s('temperature', 22, now)]).state).toBe('ok');
    expect(zoneStatus(j, 'lobby', now, [s('co2', 900, now)]).state).toBe('caution');
    expect(zoneStatus(j, 'lobby', now, [s('co2', 1100, now)]).state).toBe('out');
    // sensor clock 10 min behind, but it arrived just now: fresh (and flagged as skewed)
    const skewed = zoneStatus(j, 'lobby', now, [s('co2', 600, now - 600_000, now)]);
    expect(skewed.state).toBe('ok');
    expect(skewed.reasons.map((r) => r.id)).toEqual(['sensor.clock_skew']);
    expect(zoneStatus(j, 'lobby', now, [s('co2', 600, now - 181_000)]).state).toBe('stale');
    expect(zoneStatus(j, 'lobby', now, [s('co2', 600, now, now, false)]).state).toBe('offline');
    expect(zoneStatus(j, 'lobby', now, []).state).toBe('nodata');
  });
});

describe('ZoneStatusService', () => {
  it("dates a zone's state from its hours when it opened between two looks", async () => {
    const { ZoneStatusService } = await import('../../src/core/status-service.js');
    const { Bus } = await import('../../src/core/bus.js');
    const { LatestCache } = await import('../../src/core/latest.js');
    const { ManualClock } = await import('../../src/core/clock.js');
    const { Inventory } = await import('../../src/inventory/inventory.js');
    const { Metrics } = await import('../../src/core/metrics.js');
    const { silentLogger } = await import('../../src/core/log.js');
    const clock = new ManualClock(at('2026-11-30T08:20:00+09:00'));
    const ctx = {
      config,
      log: silentLogger,
      metrics: new Metrics(),
      bus: new Bus(),
      clock,
      store: {} as never,
      inventory: new Inventory([]),
      latest: new LatestCache(),
    };
    const svc = new ZoneStatusService(ctx);
    const read = (v: number) =>
      svc.onReadings([
        {
          site: 'default',
          zone: 'lobby',
          sensor: 's',
          quantity: 'temperature',
          value: v,
          ts: clock.now(),
          registered: true,
        },
      ]);
    read(22);
    expect(svc.status('lobby')).toMatchObject({ state: 'closed', since: '2026-11-27T08:00:00.000Z' });
    clock.set(at('2026-11-30T08:31:10+09:00'));
    read(22);
    expect(svc.status('lobby')).toMatchObject({
      state: 'ok',
      inUse: true,
      since: '2026-11-29T23:30:00.000Z',
    });
    clock.set(at('2026-11-30T09:00:00+09:00'));
    read(29);
    expect(svc.status('lobby')).toMatchObject({ state: 'out', since: '2026-11-30T00:00:00.000Z' });
  });
});

describe('ZoneStatusService: one site', () => {
  it("files readings of this site only: another site's lobby is not this lobby", async () => {
    const { ZoneStatusService } = await import('../../src/core/status-service.js');
    const { Bus } = await import('../../src/core/bus.js');
    const { LatestCache } = await import('../../src/core/latest.js');
    const { ManualClock } = await import('../../src/core/clock.js');
    const { Inventory } = await import('../../src/inventory/inventory.js');
    const { Metrics } = await import('../../src/core/metrics.js');
    const { silentLogger } = await import('../../src/core/log.js');
    const clock = new ManualClock(at('2026-11-30T10:00:00+09:00'));
    const latest = new LatestCache();
    const ctx = {
      config,
      log: silentLogger,
      metrics: new Metrics(),
      bus: new Bus(),
      clock,
      store: {} as never,
      inventory: new Inventory([]),
      latest,
    };
    const reading = (site: string, sensor: string, value: number) => ({
      site,
      zone: 'lobby',
      sensor,
      quantity: 'temperature' as const,
      value,
      ts: clock.now(),
      registered: true,
    });
    // restored at start (the latest cache holds every site) and live
    latest.put(reading('other', 'o-start', 35));
    const svc = new ZoneStatusService(ctx);
    await svc.start();
    svc.onReadings([reading(config.site.id, 's', 22), reading('other', 'o', 40)]);
    const s = svc.status('lobby')!;
    expect(s.state).toBe('ok');
    expect(s.values.temperature).toMatchObject({ value: 22, sensors: 1 });
    expect(s.reasons).toEqual([]);
    // the other site's sensor is still known to be alive (arrival), just not part of this site's tile
    expect(svc.arrivedAt('other', 'o')).toBe(clock.now());
    await svc.stop();
  });
});
