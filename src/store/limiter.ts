/**
 * Bounds how many async operations run at once (writes in flight to
 * InfluxDB: 1.6.7 fails with HTTP 500 "engine: error syncing wal" when too
 * many wait). FIFO: waiters start in the order they asked.
 */
export class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly max: number) {}

  get active(): number {
    return this.running;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else {
        this.running--;
        if (this.running === 0) {
          const idle = this.idleWaiters;
          this.idleWaiters = [];
          for (const f of idle) f();
        }
      }
    }
  }

  /** resolves once nothing runs or waits */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
