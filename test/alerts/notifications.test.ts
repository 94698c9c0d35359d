import { afterEach, describe, expect, it } from 'vitest';
import { co2Rule, type Harness, harness } from './harness.js';

const MIN = 60_000;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function feed(x: Harness, value: number, minutes: number): void {
  for (let i = 0; i < minutes; i++) {
    x.read('co2', value);
    x.advance(MIN);
  }
}
const kinds = (x: Harness) => x.capture.notices.map((n) => n.kind);
/** The CO2 rule at every hour (comfort rules judge only while a zone is in use), for quiet-hours tests. */
const nightRule = { ...co2Rule, when: { hours: 'any' } };

describe('notification policy', () => {
  it('one notice per incident, one reminder per repeat interval while unacknowledged, one resolved notice', async () => {
    h = await harness({ alerts: { repeatMinutes: 30 } });
    feed(h, 1200, 8);
    expect(kinds(h)).toEqual(['firing']);
    expect(h.capture.notices[0]!.title).toMatch(
      /^【警告】1階ロビー CO2 1,200 ppm（基準 1,000 ppm 以下）が\d+分継続$/,
    );
    // fired at minute 5: the reminder is due at minute 35
    feed(h, 1200, 26);
    expect(kinds(h)).toEqual(['firing']);
    feed(h, 1200, 2);
    expect(kinds(h)).toEqual(['firing', 'reminder']);
    feed(h, 800, 10);
    expect(kinds(h)).toEqual(['firing', 'reminder', 'resolved']);
  });

  it('acknowledging stops reminders but keeps the resolved notice', async () => {
    h = await harness({ alerts: { repeatMinutes: 30 } });
    feed(h, 1200, 8);
    const id = h.alerting.listAlerts({ state: 'firing' })![0]!.id;
    expect(h.alerting.ack(id, 'yamada')).toMatchObject({ ok: true });
    feed(h, 1200, 90);
    // the acknowledgement is announced once; no reminders after it
    expect(kinds(h)).toEqual(['firing', 'acknowledged']);
    expect(h.capture.notices[1]!.title).toContain('yamadaさんが確認しました');
    expect(h.alerting.ack(id, 'suzuki')).toMatchObject({ ok: true });
    feed(h, 800, 10);
    expect(kinds(h)).toEqual(['firing', 'acknowledged', 'resolved']);
    expect(h.capture.notices[2]!.text).toContain('確認済み: yamadaさん');
  });

  it('quiet hours (JST) hold non-critical alerts; anything still firing is announced when they end', async () => {
    // 21:00 JST Tuesday = 12:00 UTC
    h = await harness({ start: Date.parse('2026-11-10T12:00:00Z'), rules: [nightRule] });
    feed(h, 1200, 10);
    expect(h.alerting.listAlerts({ state: 'firing' })).toHaveLength(1);
    expect(kinds(h)).toEqual([]);
    // through the night until 07:29 JST (22:29 UTC)
    feed(h, 1200, 10 * 60 + 19);
    expect(kinds(h)).toEqual([]);
    feed(h, 1200, 2);
    expect(kinds(h)).toEqual(['firing']);
    expect(h.capture.notices[0]!.alert.openedAt).toBe('2026-11-10T12:00:00.000Z');
  });

  it('an alert that fires and clears within quiet hours sends nothing; a critical one notifies at once', async () => {
    h = await harness({
      start: Date.parse('2026-11-10T12:00:00Z'),
      rules: [
        {
          id: 'comfort.co2',
          category: 'comfort',
          quantity: 'co2',
          above: 1000,
          critical: { above: 2000 },
          when: { hours: 'any' },
          for: '5m',
          readings: 3,
          clearFor: '5m',
        },
      ],
    });
    feed(h, 1200, 8);
    feed(h, 800, 8);
    expect(h.alerting.listAlerts({ state: 'resolved' })).toHaveLength(1);
    feed(h, 2500, 8);
    expect(kinds(h)).toEqual(['firing']);
    expect(h.capture.notices[0]!.title).toMatch(/^【重大】/);
    const [first, second] = h.alerting.listAlerts({})!.reverse();
    h.advance(11 * 60 * MIN);
    // the first alert was never announced, so it gets no resolved notice either; the critical one is reminded hourly
    expect(new Set(h.capture.notices.map((n) => n.alert.id))).toEqual(new Set([second!.id]));
    expect(first!.state).toBe('resolved');
    expect(kinds(h).filter((k) => k === 'reminder').length).toBe(11);
  });

  it('closed days are quiet all day (a national holiday, 文化の日)', async () => {
    h = await harness({ start: Date.parse('2026-11-03T01:00:00Z'), rules: [nightRule] }); // 10:00 JST, holiday
    feed(h, 1200, 10);
    expect(kinds(h)).toEqual([]);
    feed(h, 1200, 60);
    expect(kinds(h)).toEqual([]);
  });
});
