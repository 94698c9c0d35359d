import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertJson } from '../../src/alerts/alert.js';
import { co2Rule, type Harness, harness, TOKEN } from './harness.js';

const MIN = 60_000;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** readings every minute for n minutes */
function feed(x: Harness, value: number, minutes: number): void {
  for (let i = 0; i < minutes; i++) {
    x.read('co2', value);
    x.advance(MIN);
  }
}

describe('alert lifecycle', () => {
  it('one alert per incident: firing → resolved without acknowledgement, with peak and duration', async () => {
    h = await harness();
    const seen: unknown[] = [];
    h.ctx.bus.on('alert', (a) => seen.push(a));
    const start = h.clock.now();
    feed(h, 1200, 3);
    h.read('co2', 1300);
    feed(h, 1100, 5);
    const active = h.alerting.listAlerts({ state: 'active' })!;
    expect(active).toHaveLength(1);
    expect(active[0]).toMatchObject({
      state: 'firing',
      rule: 'comfort.co2',
      zone: 'lobby',
      peak: 1300,
      openedAt: new Date(start).toISOString(),
    });
    feed(h, 800, 7);
    const all = h.alerting.listAlerts({})!;
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      state: 'resolved',
      acknowledgedAt: null,
      peak: 1300,
      resolveReason: 'cleared',
    });
    expect(all[0]!.durationMs).toBeGreaterThan(10 * MIN);
    expect(seen.map((s) => (s as { type: string }).type)).toEqual(['opened', 'resolved']);
  });

  it('a restart mid-incident continues the same alert and opens no duplicate', async () => {
    h = await harness();
    feed(h, 1200, 8);
    const before = h.alerting.listAlerts({ state: 'firing' })!;
    expect(before).toHaveLength(1);
    await h.restart();
    feed(h, 1250, 5);
    const after = h.alerting.listAlerts({})!;
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: before[0]!.id, state: 'firing', peak: 1250 });
    expect(h.capture.notices.filter((n) => n.kind === 'firing')).toHaveLength(1);
    feed(h, 800, 7);
    expect(h.alerting.listAlerts({})!.map((a) => [a.id, a.state])).toEqual([[before[0]!.id, 'resolved']]);
  });

  it('an open alert whose rule was removed is resolved at start', async () => {
    h = await harness();
    feed(h, 1200, 8);
    await h.alerting.stop();
    const dataDir = h.dataDir;
    await h.ctx.store.close();
    h = await harness({ dataDir, rules: [{ ...co2Rule, id: 'comfort.co2_renamed' }] });
    expect(h.alerting.listAlerts({})![0]).toMatchObject({ state: 'resolved', resolveReason: 'rule_removed' });
  });

  it('POST /alerts/:id/ack needs the admin token and records who and when', async () => {
    h = await harness();
    feed(h, 1200, 8);
    const id = h.alerting.listAlerts({ state: 'firing' })![0]!.id;
    const app = express();
    app.use('/api', h.alerting.router);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/api`;
    try {
      expect((await fetch(`${base}/alerts/${id}/ack`, { method: 'POST' })).status).toBe(401);
      const wrong = await fetch(`${base}/alerts/${id}/ack`, {
        method: 'POST',
        headers: { authorization: 'Bearer nope' },
      });
      expect(wrong.status).toBe(401);
      const ok = await fetch(`${base}/alerts/${id}/ack`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ by: '施設係 山田' }),
      });
      expect(ok.status).toBe(200);
      const list = (await (await fetch(`${base}/alerts?state=acknowledged`)).json()) as AlertJson[];
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({
        id,
        acknowledgedBy: '施設係 山田',
        acknowledgedAt: new Date(h.clock.now()).toISOString(),
      });
      expect((await fetch(`${base}/alerts?state=firing`).then((r) => r.json())) as unknown[]).toEqual([]);
      expect((await fetch(`${base}/alerts?state=bogus`)).status).toBe(400);
      const missing = await fetch(`${base}/alerts/9999/ack`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(missing.status).toBe(404);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('exposes the history for the report', async () => {
    h = await harness();
    const from = h.clock.now();
    feed(h, 1200, 8);
    const rows = h.alerting.history(from, h.clock.now() + 1);
    expect(rows).toEqual([
      expect.objectContaining({ category: 'comfort', severity: 'warning', openedAt: from }),
    ]);
    expect(h.alerting.history(from - 10 * MIN, from)).toEqual([]);
  });
});
