import { describe, expect, it } from 'vitest';
import { Bus } from '../../src/core/bus.js';
import { ManualClock } from '../../src/core/clock.js';
import { LatestCache } from '../../src/core/latest.js';
import { silentLogger } from '../../src/core/log.js';
import { Metrics } from '../../src/core/metrics.js';
import { DEDUPE_ENTRY_BYTES, Deduper } from '../../src/ingest/dedupe.js';
import { Ingestor } from '../../src/ingest/ingestor.js';
import { FormatRouter } from '../../src/ingest/router.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { NOW, testConfig } from './helpers.js';

describe('dedupe keeps digests, bounded in time and count', () => {
  it('judges a repeat by digest within the window, not after it', () => {
    const d = new Deduper(2000);
    const p = Buffer.from('{"co2": 1}');
    let c = d.check('t', p, 0, false);
    expect(c.duplicate).toBe(false);
    d.stage(c.key, c.digest, 0);
    d.commit(0);
    expect(d.check('t', Buffer.from('{"co2": 1}'), 1500, false).duplicate).toBe(true);
    expect(d.check('t', Buffer.from('{"co2": 2}'), 1500, false).duplicate).toBe(false);
    expect(d.check('t', p, 2500, false).duplicate).toBe(false);
    // a staged but discarded message is not remembered
    c = d.check('u', p, 0, false);
    d.stage(c.key, c.digest, 0);
    d.discard();
    expect(d.check('u', p, 1, false).duplicate).toBe(false);
  });

  it('forgets entries past their expiry', () => {
    const d = new Deduper(2000, 1000, 10_000);
    for (let i = 0; i < 50; i++) {
      const c = d.check(`t${i}`, Buffer.from('x'), i, false);
      d.stage(c.key, c.digest, i);
    }
    d.commit(50);
    expect(d.size).toBe(50);
    d.commit(20_000);
    expect(d.size).toBe(0);
  });

  it('10,000 distinct topics × 60 KB payloads stay under the documented bound', () => {
    const config = testConfig({ ingest: { dedupeMaxEntries: 5000, maxUnregisteredSeries: 20_000 } });
    const metrics = new Metrics();
    const clock = new ManualClock(NOW);
    let stored = 0;
    const ing = new Ingestor({
      config,
      inventory: new Inventory([]),
      router: new FormatRouter('kaiteki', []),
      sink: {
        acceptSync: (rs) => {
          stored += rs.length;
        },
      },
      latest: new LatestCache(),
      bus: new Bus(),
      clock,
      log: silentLogger,
      metrics,
    });
    const payload = Buffer.alloc(60 * 1024, 0x20);
    const head = Buffer.from('{"co2": 500, "pad": "');
    head.copy(payload);
    payload.write('"}', payload.length - 2);
    let maxEntries = 0;
    for (let i = 0; i < 10_000; i++) {
      // a long topic too: keys are bounded whatever the topic length
      const topic = `kaiteki/s/z/t${i}${i % 100 === 0 ? `/${'x'.repeat(60_000)}` : ''}`;
      ing.handle({ topic, payload, receivedAt: clock.now() });
      clock.advance(1);
      maxEntries = Math.max(maxEntries, ing.dedupeEntries);
    }
    expect(stored).toBe(9900); // the long topics are bad topics (5 levels), rejected
    expect(maxEntries).toBeLessThanOrEqual(5000);
    const d = new Deduper(2000, 5000);
    expect(d.maxBytes).toBe(5000 * DEDUPE_ENTRY_BYTES);
  });
});
