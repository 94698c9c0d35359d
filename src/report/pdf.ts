import type { Browser } from 'playwright-core';
import { KaitekiError } from '../core/errors.js';

/** Where headless Chromium lives (KAITEKI_CHROMIUM overrides). */
export const CHROMIUM_PATH = process.env.KAITEKI_CHROMIUM ?? '/usr/bin/chromium';

/** PDF requests admitted at once: one printing, the rest waiting; beyond, callers answer 429. */
export const PDF_MAX_ADMITTED = 3;

// One Chromium for the whole process, printing one page at a time (about 200 MB each; three at
// once used 637 MB). It is launched for the first job and closed when the queue is empty.
let browser: Promise<Browser> | undefined;
let chain: Promise<unknown> = Promise.resolve();
let pending = 0;
let admitted = 0;
let launches = 0;
let avgMs = 10_000;

/** Counters for tests and metrics: Chromium launches so far, jobs printing or waiting, requests admitted. */
export function pdfStats(): { launches: number; pending: number; admitted: number } {
  return { launches, pending, admitted };
}

/**
 * Admission for PDF requests (HTTP): a release function, or `{ retryAfterSeconds }`
 * when PDF_MAX_ADMITTED requests are already admitted. Call release when the
 * response is done, whatever happened.
 */
export function admitPdf(): { release: () => void } | { retryAfterSeconds: number } {
  if (admitted >= PDF_MAX_ADMITTED) {
    return { retryAfterSeconds: Math.max(5, Math.ceil((avgMs * admitted) / 1000)) };
  }
  admitted++;
  let done = false;
  return {
    release: () => {
      if (done) return;
      done = true;
      admitted--;
    },
  };
}

/** Longest a PDF job may take (Chromium start, page, print); a hung Chromium is closed and the queue moves on. */
export const PDF_RENDER_TIMEOUT_MS = 60_000;

export interface PdfRenderOptions {
  /** default PDF_RENDER_TIMEOUT_MS */
  timeoutMs?: number;
  /** the printing step (tests inject one); default: headless Chromium through playwright-core */
  print?: (html: string, executablePath: string) => Promise<Buffer>;
}

/**
 * Prints the HTML report to PDF (A4 landscape) with headless Chromium through
 * playwright-core. Jobs run one at a time in one shared browser. playwright-core
 * is loaded only here, so the other formats work without it; a missing browser
 * or package is a KaitekiError. A job that takes longer than `timeoutMs` is
 * given up: the browser is closed (a new one starts for the next job) and the
 * job rejects with a retryable KaitekiError, so one hung Chromium cannot hold
 * the queue (and every later request's 429) for ever.
 */
export async function renderPdf(
  html: string,
  executablePath = CHROMIUM_PATH,
  opts: PdfRenderOptions = {},
): Promise<Buffer> {
  const print = opts.print ?? printOne;
  const timeoutMs = opts.timeoutMs ?? PDF_RENDER_TIMEOUT_MS;
  pending++;
  const job = chain.then(() => withTimeout(print(html, executablePath), timeoutMs));
  chain = job
    .then(
      () => undefined,
      () => undefined,
    )
    .then(async () => {
      pending--;
      if (pending === 0) await closeBrowser();
    });
  return job;
}

/** `work`, or a retryable KaitekiError after `ms` (then the browser is reset; `work` is left to fail on its own). */
function withTimeout(work: Promise<Buffer>, ms: number): Promise<Buffer> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      resetBrowser();
      reject(
        new KaitekiError(`PDF rendering took longer than ${Math.round(ms / 1000)} s; try again`, {
          retryable: true,
        }),
      );
    }, ms);
  });
  work.catch(() => undefined); // a job given up may still fail later: not an unhandled rejection
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function printOne(html: string, executablePath: string): Promise<Buffer> {
  const started = Date.now();
  const b = await getBrowser(executablePath);
  const page = await b.newPage();
  try {
    await page.setContent(html, { waitUntil: 'load' });
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    avgMs = avgMs * 0.7 + (Date.now() - started) * 0.3;
    return Buffer.from(pdf);
  } finally {
    await page.close().catch(() => undefined);
  }
}

async function getBrowser(executablePath: string): Promise<Browser> {
  const existing = browser ? await browser.catch(() => undefined) : undefined;
  if (existing?.isConnected()) return existing;
  const launching = launch(executablePath);
  browser = launching;
  launching.catch(() => {
    if (browser === launching) browser = undefined;
  });
  return launching;
}

async function launch(executablePath: string): Promise<Browser> {
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (err) {
    throw new KaitekiError('PDF output needs the playwright-core package', { cause: err });
  }
  try {
    launches++;
    return await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
  } catch (err) {
    throw new KaitekiError(`cannot start Chromium at ${executablePath} for PDF output`, {
      cause: err,
      retryable: true,
    });
  }
}

async function closeBrowser(): Promise<void> {
  const b = browser;
  browser = undefined;
  if (!b) return;
  const open = await b.catch(() => undefined);
  await open?.close().catch(() => undefined);
}

/** Forgets the browser at once and closes it in the background (also one still starting), without waiting on it. */
function resetBrowser(): void {
  const b = browser;
  browser = undefined;
  b?.then((open) => open.close()).catch(() => undefined);
}
