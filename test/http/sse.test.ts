import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, startApp, testConfig } from '../helpers/app.js';

/** Reads SSE events from /api/stream until `until` says stop. */
async function readEvents(
  url: string,
  until: (events: { event: string; data: unknown }[]) => boolean,
  timeoutMs = 5000,
) {
  const ac = new AbortController();
  const t = setTimeout(() => ac.abort(), timeoutMs);
  const res = await fetch(url, { signal: ac.signal });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: { event: string; data: unknown }[] = [];
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let i = buf.indexOf('\n\n');
      while (i >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
        i = buf.indexOf('\n\n');
      }
      if (until(events)) break;
    }
  } finally {
    clearTimeout(t);
    ac.abort();
  }
  return events;
}

describe('GET /api/stream', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    app = await startApp({ config: testConfig() });
  });
  afterAll(async () => {
    await app.cleanup();
  });

  it('pushes readings coalesced per series, sensor availability, and the zone status it changes', async () => {
    const pub = await connectClient(app.mqttUrl);
    const zoneOffline = (e: { event: string; data: unknown }) =>
      e.event === 'status' && (e.data as { zone: string; state: string }).state === 'offline';
    const reading = readEvents(
      `${app.url}/api/stream`,
      (ev) =>
        ev.some((e) => e.event === 'readings') &&
        ev.some((e) => e.event === 'sensor') &&
        ev.some(zoneOffline),
    );
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now() - 5000;
    // this site (config.site.id 'default'): zone status is per site, another site's lobby is not this lobby
    for (let i = 0; i < 20; i++)
      pub.publish('kaiteki/default/lobby/env', JSON.stringify({ co2: 600 + i, ts: t0 + i }), { qos: 1 });
    pub.publish('kaiteki/default/lobby/env/status', 'offline', { qos: 1 });
    const events = await reading;
    const batches = events
      .filter((e) => e.event === 'readings')
      .map((e) => e.data as { value: number; quantity: string }[]);
    // 20 quick readings of one series arrive as few updates, the newest value last
    expect(batches.flat().length).toBeLessThan(20);
    expect(batches.flat().at(-1)).toMatchObject({ quantity: 'co2', value: 619 });
    expect(events.find((e) => e.event === 'sensor')?.data).toMatchObject({ sensor: 'env', online: false });
    // the zone's status (as GET /api/status): its only sensor is offline, whatever the hour
    expect(events.find(zoneOffline)?.data).toMatchObject({
      zone: 'lobby',
      state: 'offline',
      values: { co2: { value: 619, stale: true, offline: true } },
    });
    const status = (await (await fetch(`${app.url}/api/status?zone=lobby`)).json()) as { state: string }[];
    expect(status[0]?.state).toBe('offline');
    expect((await fetch(`${app.url}/api/status?zone=attic`)).status).toBe(404);
    pub.end(true);
  });

  it("sends every zone's status when a client connects", async () => {
    const events = await readEvents(`${app.url}/api/stream`, (ev) => ev.some((e) => e.event === 'status'));
    expect(events.find((e) => e.event === 'status')?.data).toMatchObject({ zone: 'lobby' });
  });
});
