import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { KaitekiError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { CHROMIUM_PATH, PDF_MAX_ADMITTED, pdfStats, renderPdf } from '../../src/report/pdf.js';
import { reportRouter } from '../../src/report/routes.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import * as fx from '../fixtures/report/small-fy2026.js';

const haveChromium = existsSync(CHROMIUM_PATH);

describe.skipIf(!haveChromium && process.env.CI !== 'true')(
  'PDF reports: one Chromium, a short queue',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'kaiteki-pdf-queue-'));
    const store = new SqliteStore(join(dir, 'kaiteki.db'));
    let server: ReturnType<express.Express['listen']>;
    let base = '';

    beforeAll(async () => {
      await store.open();
      await store.writeRollups([...fx.previousRows, ...fx.rows]);
      const app = express();
      app.use(
        '/api',
        reportRouter({
          config: fx.fixtureConfig(),
          store,
          clock: new ManualClock(fx.jst('2027-04-01T02:00')),
          sensors: fx.sensors,
          alertFacts: async () => [],
          log: silentLogger,
        }),
      );
      await new Promise<void>((resolve) => {
        server = app.listen(0, '127.0.0.1', () => resolve());
      });
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((r) => server.close(r));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('three concurrent PDF requests start one Chromium; more are answered 429 with Retry-After', async () => {
      expect(PDF_MAX_ADMITTED).toBe(3);
      const launches0 = pdfStats().launches;
      const responses = await Promise.all(
        Array.from({ length: 5 }, () => fetch(`${base}/api/reports/eco?fy=2026&format=pdf`)),
      );
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      for (const r of responses) {
        if (r.status === 429) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        else
          expect(
            Buffer.from(await r.arrayBuffer())
              .subarray(0, 5)
              .toString(),
          ).toBe('%PDF-');
      }
      expect(pdfStats().launches - launches0).toBe(1);
      // the queue is empty again: the next request is served (and the idle browser was closed)
      expect(pdfStats()).toMatchObject({ admitted: 0 });
      const again = await fetch(`${base}/api/reports/eco?fy=2026&format=pdf`);
      expect(again.status).toBe(200);
    });
  },
);

describe('PDF queue: a render that never finishes', () => {
  it('is given up after the timeout with a retryable error, and the next job in the queue is printed', async () => {
    let hungStarted = false;
    const hung = () => {
      hungStarted = true;
      return new Promise<Buffer>(() => undefined); // a Chromium that never answers
    };
    const ok = async (html: string) => Buffer.from(`%PDF-${html}`);
    const first = renderPdf('a', CHROMIUM_PATH, { print: hung, timeoutMs: 50 });
    const second = renderPdf('b', CHROMIUM_PATH, { print: ok, timeoutMs: 50 });
    const err = await first.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(hungStarted).toBe(true);
    expect(err).toBeInstanceOf(KaitekiError);
    expect((err as KaitekiError).retryable).toBe(true);
    expect((err as Error).message).toMatch(/try again/);
    expect((await second).toString()).toBe('%PDF-b');
    // the queue is empty again
    await renderPdf('c', CHROMIUM_PATH, { print: ok });
    await vi.waitFor(() => expect(pdfStats().pending).toBe(0));
  });
});
