import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Alerting } from '../../src/alerts/extension.js';
import { parseConfig } from '../../src/config/load.js';
import { Bus } from '../../src/core/bus.js';
import { ManualClock } from '../../src/core/clock.js';
import type { AppContext } from '../../src/core/context.js';
import { HOUR_MS, jstParts } from '../../src/core/jst.js';
import { LatestCache } from '../../src/core/latest.js';
import { silentLogger } from '../../src/core/log.js';
import { Metrics } from '../../src/core/metrics.js';
import type { Quantity } from '../../src/core/quantities.js';
import type { Reading } from '../../src/core/reading.js';
import { judgementOf, ZoneStatusService } from '../../src/core/status-service.js';
import type { ZoneStatus } from '../../src/core/zone-status.js';
import { Inventory, type Sensor } from '../../src/inventory/inventory.js';
import { BaseNotifier, type Notice } from '../../src/notify/notifier.js';
import { NotifierRegistry } from '../../src/notify/registry.js';
import { buildReport } from '../../src/report/aggregate.js';
import { newAggregator, rollupSpec } from '../../src/store/rollup-spec.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { RollupRow } from '../../src/store/store.js';

/**
 * One week played with an injected clock through the real rules (config/rules.yaml),
 * the zone status service and the rollups, for three zones with different hours:
 * Tue 17 Nov 2026 … Mon 23 Nov 2026 (勤労感謝の日, a national holiday), a Saturday
 * and a Sunday in between. Values are constant within each hour, so the views can
 * be compared hour by hour: /api/status (at :55), the alerts, and the rollups the
 * report reads (time outside a limit, the law's CO2 daily mean).
 */

class Capture extends BaseNotifier {
  readonly type = 'capture';
  readonly notices: Notice[] = [];
  async send(n: Notice): Promise<void> {
    this.notices.push(n);
  }
}

const MIN = 60_000;
const jst = (s: string) => Date.parse(`${s}+09:00`);
const START = jst('2026-11-17T00:00:00');
const END = jst('2026-11-24T00:00:00');
const ZONES = ['lobby', 'office', 'kumin-counter'] as const;
type Zone = (typeof ZONES)[number];

/** Known readings: the value of each zone's quantity in the hour starting at `hour`. */
function valueAt(zone: Zone, q: Quantity, hour: number): number {
  const p = jstParts(hour);
  const day = p.day;
  const weekday = p.weekday;
  const h = p.hour;
  const daytime = h >= 8 && h < 18;
  switch (q) {
    case 'temperature':
      // Sunday 03:00: frost danger in the lobby (a heating failure)
      if (zone === 'lobby' && day === 22 && h === 3) return 3;
      // Wednesday 10–12: the lobby overheats while open
      if (zone === 'lobby' && day === 18 && (h === 10 || h === 11)) return 29;
      // Thursday 17:00–18:00: the office is cold after the lobby closed (office in use until 17:30)
      if (zone !== 'kumin-counter' && day === 19 && h === 17) return 17;
      // nights, the weekend and the holiday: a cold, empty building (comfort would say "out")
      if (weekday === 0 || weekday === 6 || day === 23 || !daytime) return 16.5;
      return 22;
    case 'humidity':
      return 50;
    case 'co2':
      // Friday: the counter's ventilation fails while open; the night is fresh
      if (zone === 'kumin-counter' && day === 20) return h >= 9 && h < 17 ? 1250 : 450;
      // Saturday: a high night and a normal (closed) day — nothing to judge
      if (zone === 'kumin-counter' && day === 21) return h < 6 ? 1500 : 500;
      return daytime ? 650 : 450;
    case 'lights':
      // Wednesday: the lobby's lights are left on until 20:00
      if (zone === 'lobby' && day === 18 && h >= 18 && h < 20) return 1;
      // staff switch them on at 08:00 and off at 18:00 (staff hours 08:00–17:30: 17:30–18:00 is waste, too short to alert)
      return daytime && weekday >= 1 && weekday <= 5 && day !== 23 ? 1 : 0;
    default:
      return 0;
  }
}

const QUANTITIES: Quantity[] = ['temperature', 'humidity', 'co2', 'lights'];

describe('one judgement: a week of status, alerts and report figures that agree', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kaiteki-week-'));
  const config = parseConfig(
    {
      site: { id: 'takatsu' },
      zones: [
        { id: 'lobby', name: { ja: '1階ロビー', en: '1F Lobby' }, kind: 'lobby' },
        { id: 'office', name: { ja: '事務室', en: 'Office' }, kind: 'office', inUse: 'staff' },
        { id: 'kumin-counter', name: { ja: '区民課', en: 'Citizen counters' }, kind: 'counter' },
      ],
      inventory: { files: [] },
      store: { dataDir },
      alerts: {
        rulesFile: 'config/rules.yaml',
        channels: [{ type: 'webhook', name: 'chat', url: 'http://127.0.0.1:9/' }],
      },
    },
    'test',
    {},
  );
  const sensors: Sensor[] = ZONES.map((zone) => ({
    id: `${zone}-env`,
    zone,
    site: 'takatsu',
    intervalSeconds: 600,
    quantities: QUANTITIES,
    file: 'test',
  })) as unknown as Sensor[];
  const clock = new ManualClock(START);
  const capture = new Capture('chat');
  const store = new SqliteStore(join(dataDir, 'kaiteki.db'));
  const ctx: AppContext = {
    config,
    log: silentLogger,
    metrics: new Metrics(),
    bus: new Bus(),
    clock,
    store,
    inventory: new Inventory(sensors, config.inventory.staleAfterIntervals),
    latest: new LatestCache(),
  };
  const j = judgementOf(ctx);
  const alerting = new Alerting(
    ctx,
    new NotifierRegistry().register('webhook', () => capture),
  );
  const status = new ZoneStatusService(ctx);
  // the rollups exactly as the live service builds them (the report reads these)
  const agg = newAggregator(rollupSpec(config, ctx.inventory, j));

  /** every alert change, and the alerts open now */
  const changes: { type: string; alert: Record<string, unknown> & { zone: string; rule: string } }[] = [];
  const open = new Map<number, Record<string, unknown> & { zone: string; rule: string; category: string }>();
  /** per zone and hour (epoch ms): the status at :55 */
  const statusAt = new Map<string, ZoneStatus>();
  const rows: RollupRow[] = [];

  beforeAll(async () => {
    await store.open();
    await alerting.start();
    await status.start();
    ctx.bus.on('alert', (c) => {
      const change = c as (typeof changes)[number];
      changes.push(change);
      const a = change.alert as (typeof open extends Map<number, infer V> ? V : never) & { id: number };
      if (a.state === 'resolved') open.delete(a.id);
      else open.set(a.id, a);
    });
    for (let t = START; t < END; t += MIN) {
      clock.set(t);
      if (t % (10 * MIN) === 0) {
        const hour = Math.floor(t / HOUR_MS) * HOUR_MS;
        const rs: Reading[] = [];
        for (const zone of ZONES)
          for (const q of QUANTITIES)
            rs.push({
              site: 'takatsu',
              zone,
              sensor: `${zone}-env`,
              quantity: q,
              value: valueAt(zone, q, hour),
              ts: t,
              registered: true,
            });
        for (const r of rs) {
          ctx.latest.put(r);
          agg.add(r);
        }
        ctx.bus.emit('readings', rs);
      }
      alerting.tick();
      if (t % HOUR_MS === 55 * MIN) {
        for (const zone of ZONES) statusAt.set(`${zone}@${t - 55 * MIN}`, status.status(zone)!);
        // what /api/status says must agree with the open alerts at this moment
        for (const zone of ZONES) {
          const s = statusAt.get(`${zone}@${t - 55 * MIN}`)!;
          const alerts = [...open.values()].filter(
            (a) => a.zone === zone && (a.category === 'comfort' || a.category === 'protection'),
          );
          const live = alerts.filter((a) => a.rule !== 'comfort.co2_day_average');
          const limitReasons = s.reasons.filter(
            (r) => r.kind === 'limit' && r.level === 'out' && r.category !== 'eco',
          );
          const when = `${zone} ${new Date(t).toISOString()}`;
          expect(live.map((a) => a.rule).sort(), when).toEqual(limitReasons.map((r) => r.id).sort());
          if (s.state === 'closed') expect(live, when).toEqual([]);
          // an open eco alert of a limit of the table is one the status names among its eco reasons
          const ecoOpen = [...open.values()].filter(
            (a) => a.zone === zone && j.limit(a.rule)?.category === 'eco',
          );
          for (const a of ecoOpen)
            expect(
              s.eco.map((r) => r.id),
              `${when} ${a.rule}`,
            ).toContain(a.rule);
        }
      }
    }
    await alerting.drain();
    rows.push(...agg.takeRows(END));
  }, 120_000);

  afterAll(async () => {
    await status.stop();
    await alerting.stop();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const hourly = (zone: Zone, q: Quantity) =>
    rows.filter((r) => r.zone === zone && r.quantity === q).sort((a, b) => a.hour - b.hour);

  it('status hour by hour: closed out of use (never red at night), out only while in use or for building protection', () => {
    for (const zone of ZONES) {
      for (let h = START; h < END; h += HOUR_MS) {
        const s = statusAt.get(`${zone}@${h}`)!;
        const at = h + 55 * MIN;
        const when = `${zone} ${new Date(at).toISOString()}`;
        expect(s.inUse, when).toBe(j.inUse(zone, at));
        const temp = valueAt(zone, 'temperature', h);
        const co2 = valueAt(zone, 'co2', h);
        const expected =
          temp < 10 ? 'out' : !s.inUse ? 'closed' : temp < 18 || temp > 28 || co2 > 1000 ? 'out' : 'ok';
        expect(s.state, when).toBe(expected);
      }
    }
    // the office is in use until 17:30 (its own hours): its cold alert fired at 17:20 and ended with its hours
    const office = changes.filter((c) => c.alert.zone === 'office' && c.alert.rule === 'comfort.temperature');
    expect(office.map((c) => [c.type, c.alert.resolvedAt ?? c.alert.firedAt, c.alert.resolveReason])).toEqual(
      [
        ['opened', '2026-11-19T08:20:00.000Z', null],
        ['resolved', '2026-11-19T08:30:00.000Z', 'window'],
      ],
    );
    expect(statusAt.get(`lobby@${jst('2026-11-19T17:00:00')}`)?.state).toBe('closed');
    // Saturday, Sunday and the national holiday are closed all day
    for (const d of ['2026-11-21', '2026-11-22', '2026-11-23'])
      expect(statusAt.get(`lobby@${jst(`${d}T10:00:00`)}`)?.state, d).toBe('closed');
  });

  it('no comfort alert opens for a closed zone; every comfort alert fired while its zone was in use', () => {
    const fired = changes.filter((c) => c.type === 'opened' || c.type === 'fired');
    const comfort = fired.filter((c) => c.alert.category === 'comfort');
    expect(comfort.length).toBeGreaterThan(0);
    for (const c of comfort) {
      const at = Date.parse(String(c.alert.firedAt));
      if (c.alert.rule === 'comfort.co2_day_average') continue; // judged when the in-use day ends
      expect(j.inUse(c.alert.zone, at), `${c.alert.rule} ${c.alert.zone} ${c.alert.firedAt}`).toBe(true);
    }
    // the cold nights, the weekend and the holiday (16.5 °C) opened nothing
    const temp = comfort.filter((c) => c.alert.rule === 'comfort.temperature');
    expect(temp.map((c) => `${c.alert.zone} ${c.alert.firedAt}`).sort()).toEqual([
      'lobby 2026-11-18T01:20:00.000Z', // Wed 10:20, 29 °C (for 10m, 3 readings)
      'office 2026-11-19T08:20:00.000Z', // Thu 17:20, 17 °C while the office is still in use
    ]);
  });

  it('lights after hours: the alert, the status and the rollups judge the same window (staff hours are not waste)', () => {
    const eco = changes.filter(
      (c) => (c.type === 'opened' || c.type === 'fired') && c.alert.rule.startsWith('eco.lights_'),
    );
    // only the lobby left on until 20:00 on Wednesday; 08:00–08:30 and 17:00–17:30 (staff in) never count
    expect(eco.map((c) => `${c.alert.rule} ${c.alert.zone} ${c.alert.firedAt}`)).toEqual([
      'eco.lights_after_hours lobby 2026-11-18T09:00:00.000Z', // Wed 18:00 JST: on since 17:30 (for 30m)
    ]);
    const row = j.limit('eco.lights_after_hours')!;
    for (const zone of ZONES)
      for (let h = START; h < END; h += HOUR_MS) {
        const at = h + 55 * MIN;
        const s = statusAt.get(`${zone}@${h}`)!;
        const waste = valueAt(zone, 'lights', h) >= 0.5 && j.applies(row, zone, at);
        expect(
          s.eco.some((r) => r.id === 'eco.lights_after_hours'),
          `${zone} ${new Date(at).toISOString()}`,
        ).toBe(waste);
      }
    // the rollups (the report's 時間外点灯) count the same minutes: 17:30–18:00 each weekday, plus Wed 18:00–20:00 in the lobby
    const afterMs = (zone: Zone) =>
      hourly(zone, 'lights').reduce((a, r) => a + (r.outside['eco.lights_after_hours'] ?? 0), 0);
    expect(afterMs('office')).toBe(4 * 30 * MIN); // Tue–Fri (Mon 23 is a holiday)
    expect(afterMs('lobby')).toBe(4 * 30 * MIN + 2 * HOUR_MS);
  });

  it('a 3 °C reading at 03:00 on Sunday pages as building protection (critical, through quiet hours)', () => {
    const prot = changes.filter((c) => c.alert.rule === 'protection.temperature');
    expect(prot[0]?.alert).toMatchObject({ zone: 'lobby', severity: 'critical', category: 'protection' });
    expect(prot[0]?.alert.firedAt).toBe('2026-11-21T18:10:00.000Z'); // Sun 03:10 JST (for 10m, 2 readings)
    const paged = capture.notices.filter((n) => JSON.stringify(n).includes('protection.temperature'));
    expect(paged.length).toBeGreaterThan(0);
    // it is the only alert that reached anyone between 20:00 and 07:30
    for (const n of capture.notices) {
      const text = JSON.stringify(n);
      if (!text.includes('protection.temperature'))
        expect(text).not.toMatch(/"severity":"(warning|info)".*"kind":"fired"/);
    }
  });

  it('time outside comfort limits in the rollups (what the report sums) matches the status, hour by hour', () => {
    for (const zone of ZONES) {
      for (const row of hourly(zone, 'temperature')) {
        const s = statusAt.get(`${zone}@${row.hour}`);
        if (!s) continue;
        const outside = row.outside['comfort.temperature'] ?? 0;
        const statusOut = s.reasons.some((r) => r.id === 'comfort.temperature');
        const inUseMs = j.inUseMs(zone, row.hour, row.hour + HOUR_MS);
        const when = `${zone} ${new Date(row.hour).toISOString()}`;
        // the hour is either wholly outside while in use (= its in-use time) or not at all
        expect(outside, when).toBe(
          statusOut || (inUseMs > 0 && valueAt(zone, 'temperature', row.hour) < 18) ? inUseMs : 0,
        );
        expect(row.outside['protection.temperature'] ?? 0, when).toBe(
          valueAt(zone, 'temperature', row.hour) < 10 ? HOUR_MS : 0,
        );
      }
    }
  });

  it("the law's CO2 daily mean: the alerts and the report agree on which days were over", () => {
    const dayAlerts = changes
      .filter(
        (c) => (c.type === 'opened' || c.type === 'fired') && c.alert.rule === 'comfort.co2_day_average',
      )
      .map((c) => `${c.alert.zone} ${c.alert.firedAt}`);
    // from the rollups, as the report computes it
    const overDays: string[] = [];
    for (const zone of ZONES) {
      for (let d = START; d < END; d += 24 * HOUR_MS) {
        const buckets = hourly(zone, 'co2')
          .filter((r) => r.hour >= d && r.hour < d + 24 * HOUR_MS)
          .map((r) => ({ hour: r.hour, sum: r.sum, count: r.count, sensor: r.sensor }));
        // the judgement's one rule for a day that counts (`judged`), as the alert and the report read it
        const { mean, judged } = j.dailyMean(zone, buckets);
        const end = j.inUseEnd(zone, d);
        if (judged && mean !== undefined && mean > config.limits.co2.max && end !== undefined)
          overDays.push(`${zone} ${new Date(end).toISOString()}`);
      }
    }
    expect(overDays).toEqual(['kumin-counter 2026-11-20T08:00:00.000Z']); // Friday, judged at 17:00
    expect(dayAlerts).toEqual(overDays);
    // and the eco report built from the same rollups counts the same days, zone by zone
    const report = buildReport({
      config,
      calendar: j.calendar,
      fy: 2026,
      to: END,
      generatedAt: END,
      rows,
      previousRows: [],
      sensors: [],
      alerts: [],
      defaultIntervalSeconds: 600,
      judgement: j,
    });
    const november = report.months.findIndex((m) => m.key === '2026-11');
    for (const zone of ZONES) {
      const z = report.zones.find((x) => x.id === zone)!;
      expect(z.months[november]!.co2.daysAbove, zone).toBe(
        dayAlerts.filter((d) => d.startsWith(`${zone} `)).length,
      );
      // days measured: the in-use days of the week (Tue–Fri; Saturday, Sunday and the holiday are closed)
      expect(z.months[november]!.co2.daysMeasured, zone).toBe(4);
    }
  });
});
