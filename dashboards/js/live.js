/**
 * The live connection: /api/stream (Server-Sent Events) plus a slow safety
 * poll. EventSource reconnects by itself after network errors; when the
 * browser gives up (HTTP error, readyState CLOSED) we open a new one with
 * backoff. Every (re)open calls onOpen so the page re-reads /api/latest and
 * catches up on what it missed. Keepalive comments are invisible to
 * EventSource, so a half-open connection is caught by the poll instead.
 */

const BACKOFF_MS = [1_000, 3_000, 5_000, 10_000, 30_000];

export class LiveConnection {
  /**
   * @param {{
   *   url: string,
   *   onOpen: () => Promise<void>,
   *   onEvent: (type: 'readings' | 'status' | 'alert', data: any) => void,
   *   onState: (connected: boolean, since: number) => void,
   *   poll: () => Promise<boolean>,
   *   pollMs?: number,
   * }} opts
   */
  constructor(opts) {
    this.opts = opts;
    /** @type {EventSource | null} */
    this.es = null;
    this.connected = false;
    this.failures = 0;
    this.downSince = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.retryTimer = undefined;
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this.pollTimer = undefined;
  }

  start() {
    this.open();
    this.pollTimer = setInterval(() => this.safetyPoll(), this.opts.pollMs ?? 60_000);
  }

  stop() {
    clearTimeout(this.retryTimer);
    clearInterval(this.pollTimer);
    this.es?.close();
    this.es = null;
  }

  open() {
    clearTimeout(this.retryTimer);
    this.es?.close();
    const es = new EventSource(this.opts.url);
    this.es = es;
    es.onopen = () => {
      this.failures = 0;
      this.setConnected(true);
      this.opts.onOpen().catch(() => this.reopenLater());
    };
    es.onerror = () => {
      this.setConnected(false);
      if (es.readyState === EventSource.CLOSED) this.reopenLater();
    };
    for (const type of /** @type {const} */ (['readings', 'status', 'alert'])) {
      es.addEventListener(type, (ev) => {
        let data;
        try {
          data = JSON.parse(/** @type {MessageEvent} */ (ev).data);
        } catch {
          return;
        }
        this.opts.onEvent(type, data);
      });
    }
  }

  reopenLater() {
    this.es?.close();
    this.es = null;
    clearTimeout(this.retryTimer);
    const delay = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)];
    this.failures++;
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  /** @param {boolean} up */
  setConnected(up) {
    if (up === this.connected && (up || this.downSince)) return;
    this.connected = up;
    this.downSince = up ? 0 : Date.now();
    this.opts.onState(up, this.downSince);
  }

  /** poll() resolves true when it found readings the stream should have brought (a half-open stream). */
  async safetyPoll() {
    let missed;
    try {
      missed = await this.opts.poll();
    } catch {
      this.setConnected(false);
      if (this.es?.readyState === EventSource.OPEN) this.reopenLater();
      return;
    }
    if (missed && this.connected) this.reopenLater();
    else if (!this.es) this.open();
  }
}

/**
 * JSON from the API with a timeout; the server's Date header keeps the page's
 * clock honest when the screen's own clock is off.
 * @param {string} url
 * @param {(serverMs: number) => void} [onDate]
 * @returns {Promise<{status: number, body: any}>}
 */
export async function getJson(url, onDate) {
  const res = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(15_000) });
  const date = Date.parse(res.headers.get('date') ?? '');
  if (onDate && Number.isFinite(date)) onDate(date);
  // 404: no such API (e.g. alerts not installed); 503: the part is not running. Both are states, not errors.
  if (res.status === 404 || res.status === 503) return { status: res.status, body: null };
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return { status: res.status, body: await res.json() };
}
