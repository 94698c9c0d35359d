import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { formatDuration, renderNotice } from '../../src/notify/messages.js';

const opened = Date.parse('2026-11-10T01:00:00Z'); // 10:00 JST
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
const ctx = {
  lang: 'ja' as const,
  now: opened + 15 * 60_000,
  zoneName: { ja: '1階ロビー', en: '1F Lobby' },
  publicUrl: 'https://k.example.jp/',
};

describe('notice messages', () => {
  it('Japanese: what, where, how much against which limit, for how long, how to acknowledge', () => {
    const n = renderNotice(base, 'firing', ctx);
    expect(n.title).toBe('【警告】1階ロビー CO2 1,250 ppm（基準 1,000 ppm 以下）が15分継続');
    expect(n.text).toContain('最大: 1,310 ppm');
    expect(n.text).toContain('発生: 2026-11-10 10:00');
    expect(n.text).toContain(
      'curl -X POST -H "Authorization: Bearer <管理トークン>" https://k.example.jp/api/alerts/42/ack',
    );
    expect(n.ackUrl).toBe('https://k.example.jp/api/alerts/42/ack');
  });

  it('English, ranges, reminders and resolved notices', () => {
    const temp: Alert = {
      ...base,
      quantity: 'temperature',
      value: 29.04,
      peak: 30.2,
      limit: { above: 28, below: 18 },
    };
    expect(renderNotice(temp, 'reminder', { ...ctx, lang: 'en' }).title).toBe(
      '[Warning, still firing] 1F Lobby: Temperature 29.0 °C (limit 18.0–28.0 °C) for 15 min',
    );
    const resolved = renderNotice(
      { ...base, state: 'resolved', resolvedAt: opened + 75 * 60_000 },
      'resolved',
      ctx,
    );
    expect(resolved.title).toBe('【解消】1階ロビー CO2 回復（最大 1,310 ppm、1時間15分継続）');
  });

  it('stale sensors, lights and wait bands read naturally', () => {
    const stale = renderNotice(
      {
        ...base,
        kind: 'stale',
        category: 'sensor',
        quantity: undefined,
        value: 12,
        peak: 12,
        limit: { staleMs: 180_000 },
      },
      'firing',
      ctx,
    );
    expect(stale.title).toBe('【警告】1階ロビー センサー env-1 から受信なし（基準 3分以内）が15分継続');
    const lights = renderNotice(
      {
        ...base,
        severity: 'info',
        quantity: 'lights',
        value: 1,
        limit: { above: 0 },
        title: { ja: '閉庁日の照明点灯', en: 'Lights on on a closed day' },
      },
      'firing',
      ctx,
    );
    expect(lights.title).toBe('【情報】1階ロビー 閉庁日の照明点灯が15分継続');
    const wait = renderNotice(
      {
        ...base,
        quantity: 'wait_minutes',
        value: 25,
        limit: { above: 20, inclusive: true },
        title: { ja: '窓口の待ち時間', en: 'Counter wait' },
      },
      'firing',
      ctx,
    );
    expect(wait.title).toBe('【警告】1階ロビー 窓口の待ち時間: 待ち時間 25分（基準 20分 未満）が15分継続');
  });

  it('formats durations', () => {
    expect(formatDuration(30_000, 'ja')).toBe('30秒');
    expect(formatDuration(90 * 60_000, 'ja')).toBe('1時間30分');
    expect(formatDuration(26 * 3600_000, 'en')).toBe('1 d 2 h');
  });
});
