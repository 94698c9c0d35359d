import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import type { Silence } from '../../src/alerts/silences.js';
import {
  formatDuration,
  type RenderContext,
  renderAck,
  renderNotice,
  renderSilence,
} from '../../src/notify/messages.js';
import { webhookBody } from '../../src/notify/webhook.js';

const opened = Date.parse('2026-11-10T01:00:00Z'); // 10:00 JST, Tuesday
const base: Alert = {
  id: 42,
  ruleId: 'comfort.co2',
  kind: 'threshold',
  category: 'comfort',
  severity: 'warning',
  state: 'firing',
  subject: 'takatsu/lobby/env-1/co2',
  site: 'takatsu',
  zone: 'lobby',
  sensor: 'env-1',
  quantity: 'co2',
  openedAt: opened,
  firedAt: opened + 10 * 60_000,
  value: 1250,
  peak: 1310,
  limit: { above: 1000 },
  notifyCount: 0,
  resolvedNotified: false,
};
const NAMES: Record<string, { ja: string; en: string }> = {
  lobby: { ja: '1階ロビー', en: '1F Lobby' },
  'kumin-counter': { ja: '区民課窓口', en: 'Residents counter' },
};
const ctx: RenderContext = {
  lang: 'ja',
  now: opened + 15 * 60_000,
  zoneName: (z) => NAMES[z],
  pageUrl: (ids) => `https://k.example.jp/alerts?t=${ids.join('-')}.123.sig`,
  wallUrl: 'https://k.example.jp/',
};

describe('notice messages', () => {
  it('Japanese: what, where, value vs limit, since when, what to do, then the alert page and the wall; ids last', () => {
    const n = renderNotice([base], 'firing', ctx);
    expect(n.title).toBe('【警告】1階ロビー CO2 1,250 ppm（基準 1,000 ppm 以下）が15分継続');
    const lines = n.text.split('\n');
    expect(lines).toEqual([
      n.title,
      '場所: 1階ロビー',
      '内容: CO2 1,250 ppm（基準 1,000 ppm 以下）・最高 1,310 ppm',
      '発生: 11月10日(火) 10:00 から（15分継続）',
      '対応: 換気をお願いします（窓を開ける・換気設備の運転を確認）',
      '▶ アラートを開く・確認: https://k.example.jp/alerts?t=42.123.sig',
      '▶ 壁面ダッシュボード: https://k.example.jp/',
      '（センサー env-1・ルール comfort.co2・#42）',
    ]);
    expect(n.url).toBe('https://k.example.jp/alerts?t=42.123.sig');
    expect(n.text).not.toContain('curl');
  });

  it('a below-limit alert names its lowest value, not a "maximum"', () => {
    const cold: Alert = {
      ...base,
      ruleId: 'comfort.temperature',
      quantity: 'temperature',
      value: 16.7,
      peak: 16.5,
      limit: { above: 28, below: 18 },
    };
    const n = renderNotice([cold], 'firing', ctx);
    expect(n.text).toContain('内容: 温度 16.7 °C（基準 18.0〜28.0 °C）・最低 16.5 °C');
    expect(n.text).not.toMatch(/最大|最高/);
    // the alert page labels the peak from the server's `low`, judging nothing itself
    expect(n.alert).toMatchObject({ peak: 16.5, low: true });
    expect(renderNotice([base], 'firing', ctx).alert.low).toBe(false);
    expect(n.text).toContain('対応: 暖房の運転と設定温度を確認してください');
    expect(renderNotice([cold], 'firing', { ...ctx, lang: 'en' }).text).toContain('lowest 16.5 °C');
  });

  it('the rule’s own advice wins over the default', () => {
    const n = renderNotice(
      [{ ...base, advice: { ja: '窓口の扉を開けてください', en: 'Open the door' } }],
      'firing',
      ctx,
    );
    expect(n.text).toContain('対応: 窓口の扉を開けてください');
  });

  it('English, ranges, reminders and resolved notices', () => {
    const temp: Alert = {
      ...base,
      quantity: 'temperature',
      value: 29.04,
      peak: 30.2,
      limit: { above: 28, below: 18 },
    };
    expect(renderNotice([temp], 'reminder', { ...ctx, lang: 'en' }).title).toBe(
      '[Warning, still firing] 1F Lobby: Temperature 29.0 °C (limit 18.0–28.0 °C) for 15 min',
    );
    const resolved = renderNotice(
      [{ ...base, state: 'resolved', resolvedAt: opened + 75 * 60_000 }],
      'resolved',
      ctx,
    );
    expect(resolved.title).toBe('【解消】1階ロビー CO2 回復（最高 1,310 ppm、1時間15分継続）');
    expect(resolved.text).not.toContain('対応:');
  });

  it('one notice for one rule in several zones names every zone', () => {
    const other: Alert = {
      ...base,
      id: 43,
      zone: 'kumin-counter',
      sensor: 'env-2',
      value: 1180,
      peak: 1200,
      subject: 'x',
    };
    const n = renderNotice([base, other], 'firing', ctx);
    expect(n.title).toBe('【警告】CO2 基準外 2か所: 1階ロビー、区民課窓口');
    expect(n.text).toContain('・1階ロビー 1,250 ppm（最高 1,310 ppm） 10:00 から');
    expect(n.text).toContain('・区民課窓口 1,180 ppm（最高 1,200 ppm） 10:00 から');
    expect(n.text).toContain('基準: 1,000 ppm 以下');
    expect(n.url).toBe('https://k.example.jp/alerts?t=42-43.123.sig');
    expect(n.alerts.map((a) => a.id)).toEqual([42, 43]);
    const resolved = renderNotice(
      [base, other].map((a) => ({ ...a, state: 'resolved' as const, resolvedAt: opened + 3_600_000 })),
      'resolved',
      ctx,
    );
    expect(resolved.title).toBe('【解消】CO2 回復 2か所: 1階ロビー、区民課窓口');
  });

  it('acknowledgement and silence announcements', () => {
    const acked: Alert = {
      ...base,
      state: 'acknowledged',
      ackedAt: opened + 20 * 60_000,
      ackedBy: '施設係 山田',
      ackComment: '窓を開けました',
    };
    const n = renderAck(acked, ctx);
    expect(n.kind).toBe('acknowledged');
    expect(n.title).toBe('【確認】1階ロビー CO2: 施設係 山田さんが確認しました');
    expect(n.text).toContain('コメント: 窓を開けました');
    const s: Silence = {
      id: 1,
      scope: 'sensor',
      site: 'takatsu',
      zone: 'lobby',
      sensor: 'env-1',
      from: opened,
      until: opened + 2 * 3_600_000,
      reason: 'センサー修理',
      by: '山田',
      alertId: 42,
    };
    const sn = renderSilence(s, [base], ctx);
    expect(sn.title).toBe(
      '【通知停止】1階ロビー（センサー env-1） の通知を 11月10日(火) 12:00 まで止めます（山田さん）',
    );
    expect(sn.text).toContain('理由: センサー修理');
  });

  it('stale sensors, lights and wait bands read naturally', () => {
    const stale = renderNotice(
      [
        {
          ...base,
          kind: 'stale',
          category: 'sensor',
          quantity: undefined,
          value: 12,
          peak: 12,
          limit: { staleMs: 180_000 },
        },
      ],
      'firing',
      ctx,
    );
    expect(stale.title).toBe('【警告】1階ロビー センサー env-1 から受信なし（基準 3分以内）が15分継続');
    expect(stale.text).toContain('対応: センサーの電源と通信');
    const lights = renderNotice(
      [
        {
          ...base,
          severity: 'info',
          quantity: 'lights',
          value: 1,
          limit: { above: 0 },
          title: { ja: '閉庁日の照明点灯', en: 'Lights on on a closed day' },
        },
      ],
      'firing',
      ctx,
    );
    expect(lights.title).toBe('【情報】1階ロビー 閉庁日の照明点灯が15分継続');
    const wait = renderNotice(
      [
        {
          ...base,
          quantity: 'wait_minutes',
          value: 25,
          limit: { above: 20, inclusive: true },
          title: { ja: '窓口の待ち時間', en: 'Counter wait' },
        },
      ],
      'firing',
      ctx,
    );
    expect(wait.title).toBe('【警告】1階ロビー 窓口の待ち時間 25分（基準 20分 未満）が15分継続');
    const frost = renderNotice(
      [
        {
          ...base,
          ruleId: 'protection.temperature',
          category: 'protection',
          severity: 'critical',
          quantity: 'temperature',
          value: 5,
          peak: 4.8,
          limit: { above: 35, below: 10 },
          title: { ja: '建物保全（温度）', en: 'Building protection (temperature)' },
        },
      ],
      'firing',
      ctx,
    );
    expect(frost.title).toBe('【重大】1階ロビー 建物保全（温度） 5.0 °C（基準 10.0〜35.0 °C）が15分継続');
    expect(frost.text).toContain('・最低 4.8 °C');
    expect(frost.text).toContain('対応: 凍結のおそれがあります');
  });

  it('Slack blocks and Teams cards put the alert page behind a button; ids go to a context line', () => {
    const n = renderNotice([base], 'firing', ctx);
    const slack = webhookBody(n, 'slack') as {
      text: string;
      blocks: { type: string; elements?: { url?: string }[] }[];
    };
    expect(slack.text).toBe(n.title);
    const actions = slack.blocks.find((b) => b.type === 'actions');
    expect(actions?.elements?.map((e) => e.url)).toEqual([n.url, n.wallUrl]);
    expect(slack.blocks.at(-1)?.type).toBe('context');
    const teams = JSON.stringify(webhookBody(n, 'teams'));
    expect(teams).toContain(`"url":"${n.url}"`);
    expect(teams).not.toContain('/api/alerts');
  });

  it('formats durations', () => {
    expect(formatDuration(30_000, 'ja')).toBe('30秒');
    expect(formatDuration(90 * 60_000, 'ja')).toBe('1時間30分');
    expect(formatDuration(26 * 3600_000, 'en')).toBe('1 d 2 h');
  });
});
