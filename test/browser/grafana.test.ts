import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUANTITY_NAMES, type Quantity } from '../../src/core/quantities.js';
import type { Reading } from '../../src/core/reading.js';
import { readingsBody, rollupsBody } from '../../src/store/line-protocol.js';
import { INFLUXD, type Influxd, startInfluxd } from '../helpers/influxd.js';

interface Target {
  query: string;
  rawQuery: boolean;
}
interface Panel {
  type: string;
  title: string;
  targets?: Target[];
}
const dashboard = JSON.parse(readFileSync('dashboards/grafana/kaiteki.json', 'utf8')) as {
  templating: { list: Array<{ name: string; query: string }> };
  panels: Panel[];
};
const targets = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, ...t })));

describe('Grafana dashboard JSON', () => {
  it('is templated by site and zone and covers the wall quantities', () => {
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'site', 'zone']);
    for (const t of targets) {
      expect(t.rawQuery, t.panel).toBe(true);
      if (!t.query.includes('kaiteki_hourly'))
        expect(t.query, t.panel).toMatch(/"site" =~ \/\^\$site\$\/ AND "zone" =~ \/\^\$zone\$\//);
    }
    const measured = new Set(targets.map((t) => /FROM "([a-z_0-9]+)"/.exec(t.query)?.[1]));
    for (const q of [
      'temperature',
      'humidity',
      'co2',
      'illuminance',
      'lights',
      'waiting',
      'wait_minutes',
      'power',
      'energy',
    ]) {
      expect(measured.has(q), q).toBe(true);
    }
    for (const m of measured)
      expect(m === 'kaiteki_hourly' || QUANTITY_NAMES.includes(m as Quantity), m).toBe(true);
  });
});

// Every panel query and variable query runs against a real InfluxDB 1.6.7 holding points written in Kaiteki's schema.
describe.skipIf(!INFLUXD)('Grafana dashboard queries on real InfluxDB', () => {
  let influx: Influxd;
  const db = 'kaiteki';
  const q = async (query: string) => {
    const res = await fetch(`${influx.url}/query?db=${db}&q=${encodeURIComponent(query)}`, {
      method: 'POST',
    });
    return (await res.json()) as {
      results: Array<{
        error?: string;
        series?: Array<{ tags?: Record<string, string>; values: unknown[][] }>;
      }>;
    };
  };

  beforeAll(async () => {
    influx = await startInfluxd();
    await q(`CREATE DATABASE ${db}`);
    const now = Date.now();
    const readings: Reading[] = [];
    for (const zone of ['lobby', 'kumin-counter']) {
      for (const [i, quantity] of [
        'temperature',
        'humidity',
        'co2',
        'illuminance',
        'lights',
        'waiting',
        'wait_minutes',
        'power',
        'energy',
      ].entries()) {
        for (let k = 0; k < 4; k++) {
          readings.push({
            site: 'takatsu',
            zone,
            sensor: `s-${zone}`,
            quantity: quantity as Quantity,
            value: 100 + i * 10 - k, // rising with time, as a meter reading does
            ts: now - k * 3_600_000,
            registered: true,
          });
        }
      }
    }
    const write = (body: string) =>
      fetch(`${influx.url}/write?db=${db}&precision=ms`, { method: 'POST', body });
    expect((await write(readingsBody(readings))).status).toBe(204);
    const hour = Math.floor(now / 3_600_000) * 3_600_000 - 3_600_000;
    const rollup = {
      site: 'takatsu',
      zone: 'lobby',
      sensor: 's-lobby',
      quantity: 'co2' as Quantity,
      hour,
      count: 60,
      sum: 66_000,
      min: 900,
      max: 1300,
      last: 1100,
      coveredMs: 3_600_000,
      outside: { 'comfort.co2': 1_800_000 },
    };
    expect((await write(rollupsBody([rollup]))).status).toBe(204);
  });

  afterAll(async () => {
    await influx?.close();
  });

  it('variable queries list the sites and zones', async () => {
    const [, site, zone] = dashboard.templating.list;
    expect((await q(site!.query)).results[0]?.series?.[0]?.values).toEqual([['site', 'takatsu']]);
    const zones = await q(zone!.query.replace('$site', 'takatsu'));
    expect(zones.results[0]?.series?.[0]?.values.map((v) => v[1])).toEqual(['kumin-counter', 'lobby']);
  });

  it('every panel query is valid InfluxQL and returns one series per selected zone', async () => {
    for (const t of targets) {
      // What Grafana substitutes: a single site, a multi-zone selection, the time range and interval.
      const sql = t.query
        .replaceAll('$site', 'takatsu')
        .replaceAll('$zone', '(lobby|kumin-counter)')
        .replaceAll('$timeFilter', 'time > now() - 6h')
        .replaceAll('$__interval', '5m');
      const res = (await q(sql)).results[0];
      expect(res?.error, `${t.panel}: ${sql}`).toBeUndefined();
      const zones = (res?.series ?? []).map((s) => s.tags?.zone).sort();
      expect(zones, `${t.panel}: ${sql}`).toEqual(
        t.query.includes('kaiteki_hourly') ? ['lobby'] : ['kumin-counter', 'lobby'],
      );
    }
  });

  it('the rollup panel reports hours above the CO2 limit', async () => {
    const t = targets.find((x) => x.query.includes('kaiteki_hourly'))!;
    const sql = t.query
      .replaceAll('$site', 'takatsu')
      .replaceAll('$zone', '.*')
      .replaceAll('$timeFilter', 'time > now() - 1d');
    expect((await q(sql)).results[0]?.series?.[0]?.values[0]?.[1]).toBe(0.5);
  });
});
