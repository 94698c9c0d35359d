import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { alertPageRouter } from '../alerts/page.js';
import type { AppContext, PartHealth } from '../core/context.js';
import { errorMessage } from '../core/errors.js';
import { hostUrl, isWildcard, listenOn, listenUrls } from '../core/listen.js';
import { child } from '../core/log.js';
import type { Service } from '../core/service.js';
import { apiRouter } from './api.js';
import { applyRateLimits, securityHeaders } from './security.js';
import { SseHub } from './sse.js';
import { VisitPages } from './visit.js';

const require = createRequire(import.meta.url);
/** The package's own folder (holding package.json), whether running from src/ (tsx) or dist/src/ (compiled). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
export const DASHBOARDS_DIR = join(packageRoot(), 'dashboards');

export interface HttpDeps {
  health: () => Promise<Record<string, PartHealth>>;
  rejected: () => unknown[];
  /** extension routers, mounted under /api */
  routers: Router[];
  /** every zone's status now (src/core/status-service.ts), sent on /api/stream when a client connects */
  statuses?: () => unknown[];
}

/** The HTTP side (DESIGN §4): API, live stream, health, metrics and the dashboard. */
export class HttpServer implements Service {
  readonly name = 'http';
  private server?: Server;
  private readonly sse: SseHub;
  /** the public visitor page (/visit), also served alone on `http.public` */
  readonly visit: VisitPages;
  private boundPort = 0;

  constructor(
    private readonly ctx: AppContext,
    private readonly deps: HttpDeps,
  ) {
    this.sse = new SseHub(ctx, 500, deps.statuses);
    this.visit = new VisitPages(ctx, DASHBOARDS_DIR);
  }

  app(): express.Express {
    const { ctx, deps } = this;
    const log = child(ctx.log, 'http');
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.set('trust proxy', ctx.config.http.trustProxy);
    app.use(securityHeaders()); // CSP without inline script, nosniff, no-referrer, frame-ancestors (docs/security.md)
    const mRequests = ctx.metrics.histogram('kaiteki_http_request_seconds', 'HTTP request latency', [
      'route',
      'status',
    ]);
    app.use((req, res, next) => {
      const end = mRequests.startTimer();
      res.on('finish', () => end({ route: routeLabel(req), status: String(res.statusCode) }));
      next();
    });
    // No global body parser: each route that takes a body parses it itself, AFTER its token check,
    // so an unauthenticated request is refused before its body is read.
    applyRateLimits(app, ctx.config.http.rateLimit, ctx.metrics);

    app.get('/healthz', async (_req, res) => {
      const parts = await deps.health();
      const ok = Object.values(parts).every((p) => p.ok || !p.required);
      res.status(ok ? 200 : 503).json({
        status: ok ? (Object.values(parts).every((p) => p.ok) ? 'ok' : 'degraded') : 'down',
        time: new Date(ctx.clock.now()).toISOString(),
        parts,
      });
    });
    app.get('/metrics', async (_req, res) => {
      res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.text());
    });
    app.get('/api/stream', this.sse.handle);
    app.use('/api', apiRouter(ctx, deps.rejected));
    for (const r of deps.routers) app.use('/api', r);
    app.use('/api', (_req, res) => {
      res.status(404).json({ error: 'no such API route' });
    });
    // Chart.js and the dashboards are served locally: the wall screen works offline (no CDN).
    app.get('/vendor/chart.umd.min.js', (_req, res) => {
      res
        .type('application/javascript')
        .sendFile(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'));
    });
    app.use(alertPageRouter(ctx, DASHBOARDS_DIR)); // GET /alerts: staff alert page (signed links checked first)
    app.use(this.visit.router());
    app.use(express.static(DASHBOARDS_DIR, { index: 'index.html', maxAge: '5m' }));
    app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
      const status = (err as { status?: number }).status ?? 500;
      if (status >= 500) log.error({ err: errorMessage(err), path: req.path }, 'request failed');
      res.status(status).json({ error: status >= 500 ? 'internal error' : errorMessage(err) });
    });
    return app;
  }

  async start(): Promise<void> {
    const { host, port } = this.ctx.config.http;
    const server = createServer(this.app());
    this.server = server;
    this.sse.start();
    await this.visit.start();
    this.boundPort = await listenOn(server, port, host);
    child(this.ctx.log, 'http').info({ urls: this.urls }, 'HTTP listening');
  }

  /** A URL this machine can use (loopback when listening on every interface). */
  get url(): string {
    const host = this.ctx.config.http.host;
    return isWildcard(host) || host === 'localhost'
      ? `http://127.0.0.1:${this.boundPort}`
      : hostUrl(host, this.boundPort);
  }

  /** Every address the server really listens on (all interfaces' addresses for 0.0.0.0 / ::), for the log and the operator. */
  get urls(): string[] {
    return listenUrls(this.ctx.config.http.host, this.boundPort);
  }

  async stop(): Promise<void> {
    this.sse.stop();
    await this.visit.stop();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function routeLabel(req: Request): string {
  // Label by matched route only: raw paths would give unbounded metric cardinality.
  const route = req.route?.path as string | undefined;
  if (req.path.startsWith('/api/')) return route ? `/api${route}` : 'unmatched';
  if (req.path === '/healthz' || req.path === '/metrics') return req.path;
  return 'static';
}
