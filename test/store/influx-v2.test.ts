import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { influxConfigSchema } from '../../src/store/config.js';
import { InfluxV2Store } from '../../src/store/influx-v2.js';
import { reading, T0 } from './contract.js';

/**
 * InfluxDB 2.x is not installable here, so the 2.x store is checked against
 * the documented HTTP API (/api/v2/write, /api/v2/query, Token auth,
 * annotated CSV) with a local fake server.
 */
interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  contentType: string | undefined;
  body: string;
}

type Reply = (req: Seen, res: ServerResponse) => void;

describe('InfluxDB 2.x store against the documented HTTP API', () => {
  let server: Server;
  let url: string;
  const seen: Seen[] = [];
  let reply: Reply;
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => {
        body += d;
      });
      req.on('end', () => {
        const s: Seen = {
          method: req.method ?? '',
          url: req.url ?? '',
          auth: req.headers.authorization,
          contentType: req.headers['content-type'],
          body,
        };
        seen.push(s);
        reply(s, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    seen.length = 0;
    reply = (_s, res) => res.writeHead(204).end();
  });

  const make = async (over: Record<string, unknown> = {}) => {
    const store = new InfluxV2Store(
      influxConfigSchema.parse({ url, org: 'takatsu-ward', bucket: 'kaiteki', timeoutMs: 2000, ...over }),
      'sekret-token',
    );
    await store.open();
    return store;
  };

  const json =
    (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
    (_s, res) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

  it('posts line protocol to /api/v2/write with org, bucket, ms precision and a Token header', async () => {
    const store = await make();
    await store.write([
      reading({ value: 24.5, ts: T0 }),
      reading({
        site: '高津区役所',
        zone: '区民課 窓口,1=A',
        sensor: 's1',
        quantity: 'co2',
        value: 812,
        ts: T0 + 1,
        registered: false,
      }),
    ]);
    expect(seen).toHaveLength(1);
    const [w] = seen;
    expect(w!.method).toBe('POST');
    const u = new URL(w!.url, url);
    expect(u.pathname).toBe('/api/v2/write');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      org: 'takatsu-ward',
      bucket: 'kaiteki',
      precision: 'ms',
    });
    expect(w!.auth).toBe('Token sekret-token');
    expect(w!.contentType).toMatch(/^text\/plain/);
    expect(w!.body.split('\n')).toEqual([
      `temperature,sensor=s1,site=takatsu,zone=lobby value=24.5,registered=t ${T0}`,
      `co2,sensor=s1,site=高津区役所,zone=区民課\\ 窓口\\,1\\=A value=812,registered=f ${T0 + 1}`,
    ]);
  });

  it('writes rollups to the rollup bucket', async () => {
    const store = await make({ rollupBucket: 'kaiteki_rollups' });
    await store.writeRollups([
      {
        site: 'a',
        zone: 'b',
        sensor: 'c',
        quantity: 'co2',
        hour: T0,
        count: 2,
        sum: 3,
        min: 1,
        max: 2,
        last: 2,
        coveredMs: 5,
        outside: { 'comfort.co2': 4 },
      },
    ]);
    expect(new URL(seen[0]!.url, url).searchParams.get('bucket')).toBe('kaiteki_rollups');
    expect(seen[0]!.body).toBe(
      `kaiteki_hourly,sensor=c,site=a,zone=b,quantity=co2 count=2,sum=3,min=1,max=2,last=2,covered_ms=5,outside_comfort.co2_ms=4 ${T0}`,
    );
  });

  it.each([
    [
      401,
      { code: 'unauthorized', message: 'unauthorized access' },
      {},
      { failure: 'auth', retryable: false, status: 401 },
    ],
    [
      422,
      { code: 'unprocessable entity', message: 'failure writing points: field type conflict' },
      {},
      { failure: 'data', retryable: false, status: 422 },
    ],
    [
      429,
      { code: 'too many requests', message: 'slow down' },
      { 'retry-after': '7' },
      { failure: 'throttled', retryable: true, retryAfterMs: 7000 },
    ],
    [
      503,
      { code: 'unavailable', message: 'starting' },
      {},
      { failure: 'unavailable', retryable: true, status: 503 },
    ],
  ])('REJECTS a write answered %i with the right failure kind', async (status, body, headers, expected) => {
    reply = json(status, body, headers);
    const store = await make();
    const err = await store.write([reading({ value: 1, ts: T0 })]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject(expected);
    expect(seen).toHaveLength(1); // no hidden retries inside the client: the drainer owns them
  });

  it('rejects (retryably) when the server is unreachable', async () => {
    const store = new InfluxV2Store(
      influxConfigSchema.parse({ url: 'http://127.0.0.1:1', org: 'o', bucket: 'b', timeoutMs: 1000 }),
      't',
    );
    await store.open();
    await expect(store.write([reading({ value: 1, ts: T0 })])).rejects.toMatchObject({
      retryable: true,
      failure: 'unavailable',
    });
    expect(await store.ping()).toBe(false);
  });

  it('treats points dropped for being older than the bucket retention as written', async () => {
    reply = json(422, {
      code: 'unprocessable entity',
      message: 'failure writing points to database: partial write: points beyond retention policy dropped=1',
    });
    const store = await make();
    await store.write([reading({ value: 1, ts: T0 })]);
    expect(store.droppedByRetention).toBe(1);
  });

  const csv =
    (lines: string[]): Reply =>
    (_s, res) =>
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).end(`${lines.join('\r\n')}\r\n\r\n`);

  it('queries latest() with Flux on /api/v2/query and parses the pivoted annotated CSV', async () => {
    reply = csv([
      '#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,string,string,string,string,double,boolean',
      '#group,false,false,true,true,false,true,true,true,true,false,false',
      '#default,_result,,,,,,,,,,',
      ',result,table,_start,_stop,_time,_measurement,sensor,site,zone,value,registered',
      ',,0,1970-01-01T00:00:00Z,2026-04-02T00:00:00Z,2026-04-01T00:09:00.000000001Z,temperature,s1,高津区役所,区民課 窓口,21.5,true',
      ',,1,1970-01-01T00:00:00Z,2026-04-02T00:00:00Z,2026-04-01T00:03:00Z,co2,s2,takatsu,lobby,900,false',
    ]);
    const store = await make();
    const got = await store.latest({ zone: '区民課 窓口' });
    const [q] = seen;
    const u = new URL(q!.url, url);
    expect(q!.method).toBe('POST');
    expect(u.pathname).toBe('/api/v2/query');
    expect(u.searchParams.get('org')).toBe('takatsu-ward');
    expect(q!.auth).toBe('Token sekret-token');
    const flux = (JSON.parse(q!.body) as { query: string }).query;
    expect(flux).toContain('from(bucket: "kaiteki")');
    expect(flux).toContain('r.zone == "区民課 窓口"');
    expect(flux).toContain('|> last()');
    expect(got).toEqual([
      {
        site: 'takatsu',
        zone: 'lobby',
        sensor: 's2',
        quantity: 'co2',
        value: 900,
        ts: T0 + 3 * 60_000,
        registered: false,
      },
      {
        site: '高津区役所',
        zone: '区民課 窓口',
        sensor: 's1',
        quantity: 'temperature',
        value: 21.5,
        ts: T0 + 9 * 60_000,
        registered: true,
      },
    ]);
  });

  it('merges the five aggregate yields of query() into buckets', async () => {
    const head = [
      '#datatype,string,long,dateTime:RFC3339,string,string,string,string,double',
      '#group,false,false,false,true,true,true,true,false',
      '#default,,,,,,,,',
      ',result,table,_time,_measurement,sensor,site,zone,_value',
    ];
    const row = (fn: string, t: string, v: number) => `,${fn},0,${t},temperature,s1,takatsu,lobby,${v}`;
    reply = csv([
      ...head,
      row('count', '2026-04-01T00:00:00Z', 3),
      row('mean', '2026-04-01T00:00:00Z', 20),
      row('min', '2026-04-01T00:00:00Z', 10),
      row('max', '2026-04-01T00:00:00Z', 30),
      row('last', '2026-04-01T00:00:00Z', 20),
    ]);
    const store = await make();
    const got = await store.query({ from: T0, to: T0 + 3_600_000, step: 600_000, quantity: 'temperature' });
    const flux = (JSON.parse(seen[0]!.body) as { query: string }).query;
    expect(flux).toContain('range(start: 2026-04-01T00:00:00.000Z, stop: 2026-04-01T01:00:00.000Z)');
    expect(flux).toContain(
      'aggregateWindow(every: 600000ms, fn: last, createEmpty: false, timeSrc: "_start")',
    );
    expect(got).toEqual([
      {
        site: 'takatsu',
        zone: 'lobby',
        sensor: 's1',
        quantity: 'temperature',
        ts: T0,
        count: 3,
        mean: 20,
        min: 10,
        max: 30,
        last: 20,
      },
    ]);
  });

  it('surfaces a query error as a KaitekiError', async () => {
    reply = json(400, { code: 'invalid', message: 'error @1:1: bad flux' });
    const store = await make();
    await expect(store.raw({ from: T0, to: T0 + 1 })).rejects.toMatchObject({ retryable: false });
  });
});
