import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { covers } from '../../src/alerts/silences.js';
import { co2Rule, type Harness, harness } from './harness.js';

const MIN = 60_000;
let h: Harness | undefined;
let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
  await h?.close();
  h = undefined;
});

/** The alerting routes over real HTTP (the clock stays the harness's ManualClock). */
async function serve(x: Harness): Promise<string> {
  const app = express();
  app.use('/api', x.alerting.router);
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server!.once('listening', r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

function feed(x: Harness, value: number, minutes: number, zone = 'lobby', sensor = 'env-1'): void {
  for (let i = 0; i < minutes; i++) {
    x.read('co2', value, x.clock.now(), zone, sensor);
    x.advance(MIN);
  }
}
const kinds = (x: Harness) => x.capture.notices.map((n) => n.kind);
const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('silences', () => {
  it('a silence set with the notice’s link stops reminders for that sensor until it ends, and ends by itself', async () => {
    h = await harness({ alerts: { repeatMinutes: 30, publicUrl: 'https://k.example.jp' } });
    const base = await serve(h);
    feed(h, 1200, 8);
    expect(kinds(h)).toEqual(['firing']);
    const notice = h.capture.notices[0]!;
    const token = new URL(notice.url!).searchParams.get('t')!;
    const id = notice.alert.id;

    const set = await post(`${base}/api/silences`, {
      token,
      alertId: id,
      scope: 'sensor',
      minutes: 120,
      reason: 'センサー修理',
      by: '山田',
    });
    expect(set.status).toBe(201);
    const silence = (await set.json()) as { id: number; until: string; active: boolean };
    expect(silence.active).toBe(true);
    expect(kinds(h)).toEqual(['firing', 'silenced']);
    expect(h.capture.notices[1]!.title).toContain('センサー env-1');
    const until = Date.parse(silence.until);

    // Reminders were due every 30 minutes: none while silenced (still firing, unacknowledged).
    feed(h, 1200, 115);
    expect(h.clock.now()).toBeLessThan(until);
    expect(kinds(h)).toEqual(['firing', 'silenced']);
    expect(h.alerting.listAlerts({ state: 'firing' })).toEqual([
      expect.objectContaining({ silence: expect.objectContaining({ reason: 'センサー修理', active: true }) }),
    ]);
    let list = (await (await fetch(`${base}/api/silences`)).json()) as { active: boolean }[];
    expect(list.map((s) => s.active)).toEqual([true]);

    // Nobody ends it: after `until` it is over and the overdue reminder goes out at the next tick.
    feed(h, 1200, 10);
    expect(h.clock.now()).toBeGreaterThan(until);
    expect(kinds(h)).toEqual(['firing', 'silenced', 'reminder']);
    list = (await (await fetch(`${base}/api/silences`)).json()) as { active: boolean }[];
    expect(list.map((s) => s.active)).toEqual([false]);
    expect(h.alerting.listAlerts({ state: 'firing' })![0]!.silence).toBeUndefined();
  });

  it('a sensor silence leaves other sensors and zones alone; a zone silence covers the zone', async () => {
    h = await harness({ alerts: { repeatMinutes: 0 } });
    expect(
      h.alerting.silence({ scope: 'zone', zone: 'lobby', minutes: 60, reason: '点検', by: '山田' }),
    ).toMatchObject({ ok: true });
    feed(h, 1200, 8, 'lobby');
    expect(kinds(h)).toEqual([]);
    feed(h, 1200, 8, 'office', 'env-9');
    expect(kinds(h)).toEqual(['firing']);
    expect(h.capture.notices[0]!.alert.zone).toBe('office');
  });

  it('refuses a link that does not cover the alert, a missing reason, and a silence longer than allowed', async () => {
    h = await harness({ alerts: { publicUrl: 'https://k.example.jp', maxSilenceHours: 4 } });
    const base = await serve(h);
    feed(h, 1200, 8);
    const token = new URL(h.capture.notices[0]!.url!).searchParams.get('t')!;
    const id = h.capture.notices[0]!.alert.id;
    const body = { token, alertId: id, scope: 'sensor', minutes: 60, reason: '修理', by: '山田' };
    expect((await post(`${base}/api/silences`, { ...body, alertId: id + 1 })).status).toBe(403);
    expect((await post(`${base}/api/silences`, { ...body, reason: ' ' })).status).toBe(400);
    expect((await post(`${base}/api/silences`, { ...body, minutes: 5 * 60 })).status).toBe(400);
    expect((await post(`${base}/api/silences`, { ...body, token: undefined })).status).toBe(401);
    expect((await post(`${base}/api/silences`, body)).status).toBe(201);
  });
});

describe('silences never mute building protection', () => {
  const protection = {
    id: 'protection.temperature',
    category: 'protection',
    quantity: 'temperature',
    below: 10,
    clearMargin: 1,
    when: { hours: 'any' },
    severity: 'critical',
    for: '5m',
    readings: 2,
  };

  it('a zone silence set from a notice link does not stop a critical 3 °C protection page at night', async () => {
    h = await harness({
      rules: [co2Rule, protection],
      alerts: { repeatMinutes: 0, publicUrl: 'https://k.example.jp' },
    });
    const base = await serve(h);
    feed(h, 1200, 8); // 10:00 JST: a CO2 alert in the lobby, its notice carries the link
    expect(kinds(h)).toEqual(['firing']);
    const notice = h.capture.notices[0]!;
    const token = new URL(notice.url!).searchParams.get('t')!;
    const set = await post(`${base}/api/silences`, {
      token,
      alertId: notice.alert.id,
      scope: 'zone',
      minutes: 24 * 60,
      reason: '空調工事',
      by: '山田',
    });
    expect(set.status).toBe(201);
    expect(h.capture.notices[1]!.text).toContain('建物保全の重大アラートは通知を止めても届きます');

    // 03:00 JST the next night, the silence still in force: the lobby drops to 3 °C.
    h.advance(Date.parse('2026-11-10T18:00:00Z') - h.clock.now());
    for (let i = 0; i < 10; i++) {
      h.read('temperature', 3, h.clock.now());
      h.advance(MIN);
    }
    const paged = h.capture.notices.filter((n) => n.alert.rule === 'protection.temperature');
    expect(paged.map((n) => n.kind)).toEqual(['firing']);
    const open = h.alerting.listAlerts({ state: 'active' })!;
    expect(open.find((a) => a.rule === 'protection.temperature')?.silence).toBeUndefined();
    // the zone silence itself is still in force (it only never covers protection)
    expect(h.alerting.listSilences()!.filter((x) => x.active && x.zone === 'lobby')).toHaveLength(1);
  });

  it('covers(): protection and critical alerts are never covered, others of the zone are', () => {
    const s = {
      id: 1,
      scope: 'zone',
      site: 'takatsu',
      zone: 'lobby',
      from: 0,
      until: 1,
      reason: 'x',
      by: 'y',
    } as const;
    const a = { site: 'takatsu', zone: 'lobby', sensor: 'env-1' } as const;
    expect(covers(s, { ...a, category: 'comfort', severity: 'warning' })).toBe(true);
    expect(covers(s, { ...a, category: 'comfort', severity: 'critical' })).toBe(false);
    expect(covers(s, { ...a, category: 'protection', severity: 'warning' })).toBe(false);
  });
});

describe('grouped notices and quiet-hours holds (issue 12)', () => {
  it('one rule firing in three zones within the group window → one notice naming the zones; likewise the resolution', async () => {
    h = await harness({ alerts: { groupSeconds: 30 } });
    for (let i = 0; i < 8; i++) {
      for (const [zone, sensor] of [
        ['lobby', 'env-1'],
        ['kumin-counter', 'env-2'],
        ['office', 'env-3'],
      ] as const)
        h.read('co2', 1200 + i, h.clock.now(), zone, sensor);
      h.advance(MIN);
    }
    expect(kinds(h)).toEqual(['firing']);
    const n = h.capture.notices[0]!;
    expect(n.alerts).toHaveLength(3);
    expect(n.title).toBe('【警告】CO2 基準外 3か所: 区民課 窓口、1階ロビー、事務室');
    for (let i = 0; i < 12; i++) {
      for (const [zone, sensor] of [
        ['lobby', 'env-1'],
        ['kumin-counter', 'env-2'],
        ['office', 'env-3'],
      ] as const)
        h.read('co2', 700, h.clock.now(), zone, sensor);
      h.advance(MIN);
    }
    expect(kinds(h)).toEqual(['firing', 'resolved']);
    expect(h.capture.notices[1]!.title).toMatch(/^【解消】CO2 回復 3か所: /);
  });

  it('a notice held by quiet hours is logged once, counted, and shown as heldUntil (07:30 JST) in /api/alerts', async () => {
    // 21:00 JST Tuesday
    h = await harness({
      start: Date.parse('2026-11-10T12:00:00Z'),
      rules: [{ ...co2Rule, when: { hours: 'any' } }],
    });
    feed(h, 1200, 30);
    expect(kinds(h)).toEqual([]);
    const [a] = h.alerting.listAlerts({ state: 'firing' })!;
    expect(a!.heldUntil).toBe('2026-11-10T22:30:00.000Z'); // 07:30 JST
    const held = await h.ctx.metrics.registry.getSingleMetric('kaiteki_notify_held_total')?.get();
    expect(held?.values).toEqual([expect.objectContaining({ labels: { event: 'firing' }, value: 1 })]);
    feed(h, 1200, 10 * 60 + 5);
    expect(kinds(h)).toEqual(['firing']);
    expect(h.alerting.listAlerts({ state: 'firing' })![0]!.heldUntil).toBeNull();
  });
});
