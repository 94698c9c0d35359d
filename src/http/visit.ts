import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import express, { type Request, type Response, Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { AppContext } from '../core/context.js';
import { errorMessage } from '../core/errors.js';
import { escapeHtml as esc } from '../core/html.js';
import { listenOn, listenUrls } from '../core/listen.js';
import { child } from '../core/log.js';
import { securityHeaders } from './security.js';
import { VisitData } from './visit-data.js';

/** Most visitor live-stream connections at once; more are told to poll (the page does so by itself). */
const MAX_STREAM_CLIENTS = 500;
/** A snapshot is pushed at most this often while counters change, and at least every HEARTBEAT_MS. */
const PUSH_MS = 1_000;
const HEARTBEAT_MS = 30_000;
/** Requests per client and minute to /visit/api on the public listener (429 beyond). */
const PUBLIC_API_PER_MINUTE = 120;

/**
 * The public visitor page (DESIGN §4): `GET /visit` (phones, Japanese,
 * `?lang=en`), `/visit/assets/*`, the counters API `/visit/api/counters`,
 * the hourly pattern `/visit/api/pattern`, a live stream `/visit/api/stream`
 * and the printable QR poster `/visit/poster`. Counters only: no environment
 * data, no alerts, no sensor ids. Mounted on the main listener, and alone on
 * `http.public` when configured, so IT can expose just this page.
 */
export class VisitPages {
  readonly data: VisitData;
  private readonly clients = new Set<Response>();
  private dirty = false;
  private timer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private off?: () => void;
  private server?: Server;
  private publicPort = 0;

  constructor(
    private readonly ctx: AppContext,
    private readonly dashboardsDir: string,
  ) {
    this.data = new VisitData(ctx);
  }

  router(): Router {
    const r = Router();
    const page = join(this.dashboardsDir, 'visit', 'index.html');
    r.get(['/visit', '/visit/'], (_req, res) => {
      res.set('Cache-Control', 'no-cache').sendFile(page);
    });
    r.use('/visit/assets', express.static(join(this.dashboardsDir, 'visit'), { index: false, maxAge: '5m' }));
    r.get('/visit/api/counters', (_req, res) => {
      res.set('Cache-Control', 'no-store').json(this.data.snapshot());
    });
    r.get('/visit/api/pattern', async (_req, res, next) => {
      try {
        res.set('Cache-Control', 'no-store').json(await this.data.pattern());
      } catch (err) {
        next(err);
      }
    });
    r.get('/visit/api/stream', this.stream);
    r.get('/visit/poster', async (req, res, next) => {
      try {
        res
          .type('html')
          .set('Cache-Control', 'no-cache')
          .send(await this.poster(req));
      } catch (err) {
        next(err);
      }
    });
    return r;
  }

  /** The page's public address: `visit.url`, else this server's own /visit. */
  publicUrl(req: Request): string {
    return this.ctx.config.visit.url ?? `${req.protocol}://${req.get('host') ?? 'localhost'}/visit`;
  }

  private async poster(req: Request): Promise<string> {
    const url = this.publicUrl(req);
    // loaded on first use: qrcode brings 57 modules a service that never prints a poster need not hold
    const { default: QRCode } = await import('qrcode');
    const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
    const site = this.ctx.config.site.name;
    const { yellowFrom, redFrom } = this.ctx.config.limits.wait;
    return posterHtml({ site, url, svg, yellowFrom, redFrom });
  }

  private readonly stream = (req: Request, res: Response): void => {
    if (this.clients.size >= MAX_STREAM_CLIENTS) {
      res
        .status(503)
        .set('Retry-After', '60')
        .json({ error: 'too many live viewers; poll /visit/api/counters' });
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 5000\n\n');
    res.write(`event: counters\ndata: ${JSON.stringify(this.data.snapshot())}\n\n`);
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
  };

  private push(): void {
    if (this.clients.size === 0) return;
    const chunk = `event: counters\ndata: ${JSON.stringify(this.data.snapshot())}\n\n`;
    for (const res of this.clients) {
      if (res.writableLength > 256_000) {
        res.end();
        this.clients.delete(res);
        continue;
      }
      res.write(chunk);
    }
  }

  /** Starts the live stream timers and, when `http.public.port` is set, the public listener. */
  async start(): Promise<void> {
    this.off = this.ctx.bus.on('readings', (rs) => {
      if (!this.dirty && this.clients.size > 0 && rs.some((r) => this.data.concerns(r))) this.dirty = true;
    });
    this.timer = setInterval(() => {
      if (!this.dirty) return;
      this.dirty = false;
      this.push();
    }, PUSH_MS);
    this.timer.unref();
    // Staleness and opening hours move with time even when nothing arrives.
    this.heartbeat = setInterval(() => this.push(), HEARTBEAT_MS);
    this.heartbeat.unref();
    const { host, port } = this.ctx.config.http.public;
    if (port === null) return;
    const server = createServer(this.publicApp());
    this.server = server;
    this.publicPort = await listenOn(server, port, host);
    child(this.ctx.log, 'http:public').info(
      { urls: listenUrls(host, this.publicPort) },
      'public visitor page listening',
    );
  }

  /** Base URL of the public listener (after start), or '' when there is none. */
  get publicBase(): string {
    return this.server ? `http://127.0.0.1:${this.publicPort}` : '';
  }

  /** Only the visitor page: everything else is 404, so exposing this port exposes nothing more. */
  publicApp(): express.Express {
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.set('trust proxy', this.ctx.config.http.trustProxy);
    app.use(securityHeaders()); // the same CSP as the main listener: no inline script, nothing from elsewhere
    // Open to the internet: a generous per-client limit on the JSON API (a phone polls twice a minute).
    app.use(
      '/visit/api',
      rateLimit({
        windowMs: 60_000,
        limit: PUBLIC_API_PER_MINUTE,
        standardHeaders: 'draft-7',
        legacyHeaders: false,
      }),
    );
    app.get('/', (_req, res) => res.redirect(302, '/visit'));
    app.use(this.router());
    app.use((_req, res) => {
      res.status(404).type('text').send('Not found');
    });
    app.use((err: unknown, _req: Request, res: Response, _next: express.NextFunction) => {
      child(this.ctx.log, 'http:public').error({ err: errorMessage(err) }, 'request failed');
      res.status(500).json({ error: 'internal error' });
    });
    return app;
  }

  async stop(): Promise<void> {
    this.off?.();
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The A4 poster: server-rendered, no script; the QR code is an inline SVG from `qrcode`. */
function posterHtml(o: {
  site: { ja: string; en: string };
  url: string;
  svg: string;
  yellowFrom: number;
  redFrom: number;
}): string {
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(o.site.ja)} 窓口の混雑状況 — ポスター</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/visit/assets/poster.css">
</head>
<body>
<main class="sheet">
  <p class="site">${esc(o.site.ja)}<span class="site-en">${esc(o.site.en)}</span></p>
  <h1>窓口の混雑状況は<br>スマートフォンで</h1>
  <p class="lead">待ち人数・待ち時間・呼出番号を確認できます</p>
  <p class="lead-en">Check the counter queue on your phone: people waiting, waiting time and the number being called.</p>
  <div class="qr" role="img" aria-label="QR code: ${esc(o.url)}">${o.svg}</div>
  <p class="url">${esc(o.url)}</p>
  <ul class="lamps">
    <li class="lamp lamp-blue"><span class="dot"></span><b>空いています</b><span>${o.yellowFrom}分未満</span><i>under ${o.yellowFrom} min</i></li>
    <li class="lamp lamp-yellow"><span class="dot"></span><b>やや混雑</b><span>${o.yellowFrom}〜${o.redFrom}分</span><i>${o.yellowFrom}–${o.redFrom} min</i></li>
    <li class="lamp lamp-red"><span class="dot"></span><b>混雑</b><span>${o.redFrom}分以上</span><i>${o.redFrom} min or more</i></li>
  </ul>
  <p class="note">待ち時間は目安です。受付時間外は次の受付開始時刻を表示します。<br>English: tap <b>English</b> at the top of the page.</p>
</main>
</body>
</html>
`;
}
