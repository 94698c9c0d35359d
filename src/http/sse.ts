import type { Request, Response } from 'express';
import type { AppContext } from '../core/context.js';
import { type Reading, seriesKey } from '../core/reading.js';
import { readingView } from './api.js';

/**
 * GET /api/stream — Server-Sent Events. Readings are coalesced per series and
 * flushed every `flushMs`, so a browser gets at most one update per series per
 * flush however fast sensors publish (bounded memory per client). Events:
 * `readings` (array, as /api/latest), `status` (one zone's status, as /api/status; every
 * zone's on connect, then each change), `sensor` (a sensor's availability changed),
 * `alert`; a `ping` event every 15 s
 * keeps proxies from closing the connection. Clients reconnect by themselves
 * (EventSource) and should re-read /api/latest on `open`.
 */
export class SseHub {
  private readonly clients = new Set<Response>();
  private pending = new Map<string, Reading>();
  private timer?: NodeJS.Timeout;
  private keepalive?: NodeJS.Timeout;
  private readonly offs: (() => void)[] = [];

  constructor(
    private readonly ctx: AppContext,
    private readonly flushMs = 500,
    /** every zone's status now, sent to a client when it connects */
    private readonly statuses: () => unknown[] = () => [],
  ) {}

  start(): void {
    this.offs.push(
      this.ctx.bus.on('readings', (rs) => {
        if (this.clients.size === 0) return;
        for (const r of rs) this.pending.set(seriesKey(r), r);
      }),
      this.ctx.bus.on('status', (s) => this.send('sensor', s)),
      this.ctx.bus.on('zoneStatus', (s) => this.send('status', s)),
      this.ctx.bus.on('alert', (a) => this.send('alert', a)),
    );
    this.timer = setInterval(() => this.flush(), this.flushMs);
    this.timer.unref();
    // A named event, not a comment: EventSource hides comments, and the page wants to see a silent stream.
    this.keepalive = setInterval(() => this.write(`event: ping\ndata: ${this.ctx.clock.now()}\n\n`), 15_000);
    this.keepalive.unref();
    this.ctx.metrics.gauge('kaiteki_http_sse_clients', 'Connected live-stream clients', [], () => undefined);
  }

  handle = (req: Request, res: Response): void => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    for (const s of this.statuses()) res.write(`event: status\ndata: ${JSON.stringify(s)}\n\n`);
    this.clients.add(res);
    this.gauge();
    req.on('close', () => {
      this.clients.delete(res);
      this.gauge();
    });
  };

  private gauge(): void {
    this.ctx.metrics.gauge('kaiteki_http_sse_clients', '').set(this.clients.size);
  }

  private flush(): void {
    if (this.pending.size === 0) return;
    const now = this.ctx.clock.now();
    const batch = [...this.pending.values()].map((r) => readingView(this.ctx, r, now));
    this.pending = new Map();
    this.send('readings', batch);
  }

  private send(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private write(chunk: string): void {
    for (const res of this.clients) {
      // A client that cannot keep up (socket buffer over 1 MB) is dropped; it reconnects and re-reads /api/latest.
      if (res.writableLength > 1_000_000) {
        res.end();
        this.clients.delete(res);
        continue;
      }
      res.write(chunk);
    }
  }

  stop(): void {
    for (const off of this.offs) off();
    clearInterval(this.timer);
    clearInterval(this.keepalive);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
