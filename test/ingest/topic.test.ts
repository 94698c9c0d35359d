import { describe, expect, it } from 'vitest';
import { nativeSubscriptions, parseTopic } from '../../src/ingest/topic.js';

describe('native topic contract', () => {
  it('parses the three forms', () => {
    expect(parseTopic('kaiteki/takatsu/lobby/env-1', 'kaiteki')).toEqual({
      kind: 'object',
      site: 'takatsu',
      zone: 'lobby',
      sensor: 'env-1',
    });
    expect(parseTopic('kaiteki/takatsu/lobby/env-1/co2', 'kaiteki')).toMatchObject({
      kind: 'value',
      quantity: 'co2',
    });
    expect(parseTopic('kaiteki/takatsu/lobby/env-1/status', 'kaiteki')).toMatchObject({
      kind: 'status',
      sensor: 'env-1',
    });
  });

  it.each([
    ['other/takatsu/lobby/s', /not under "kaiteki\/"/],
    ['kaiteki/takatsu/lobby', /got 2 level/],
    ['kaiteki/a/b/c/d/e', /got 5 level/],
    ['kaiteki/Takatsu/lobby/s', /site id "Takatsu" is not a slug/],
    ['kaiteki/takatsu/ロビー/s', /zone id/],
    ['kaiteki/takatsu/lobby/', /sensor id "" is not a slug/],
    ['kaiteki/takatsu/lobby/-s', /sensor id/],
  ])('rejects %s with a reason', (topic, reason) => {
    expect(parseTopic(topic, 'kaiteki')).toMatch(reason);
  });

  it('subscribes to every site, or only the configured ones, optionally as a shared subscription', () => {
    expect(nativeSubscriptions('kaiteki', [])).toEqual(['kaiteki/+/#']);
    expect(nativeSubscriptions('kaiteki', ['takatsu', 'miyamae'])).toEqual([
      'kaiteki/takatsu/#',
      'kaiteki/miyamae/#',
    ]);
    expect(nativeSubscriptions('kaiteki', ['takatsu'], 'grp')).toEqual(['$share/grp/kaiteki/takatsu/#']);
  });
});
