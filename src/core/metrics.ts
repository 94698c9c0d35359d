import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * One Prometheus registry per running app (tests run several in one process).
 * Parts get-or-create their metrics here by name, so two parts asking for the
 * same counter share it instead of failing on a duplicate registration.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly made = new Map<string, Counter | Gauge | Histogram>();

  constructor(opts: { defaults?: boolean } = {}) {
    if (opts.defaults) collectDefaultMetrics({ register: this.registry, prefix: 'kaiteki_process_' });
  }

  counter<L extends string = string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.getOrMake(name, () => new Counter({ name, help, labelNames, registers: [this.registry] }));
  }

  gauge<L extends string = string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    collect?: (this: Gauge<L>) => void | Promise<void>,
  ): Gauge<L> {
    return this.getOrMake(name, () =>
      collect
        ? new Gauge({ name, help, labelNames, registers: [this.registry], collect })
        : new Gauge({ name, help, labelNames, registers: [this.registry] }),
    );
  }

  histogram<L extends string = string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets: number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  ): Histogram<L> {
    return this.getOrMake(
      name,
      () => new Histogram({ name, help, labelNames, buckets, registers: [this.registry] }),
    );
  }

  /** Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  private getOrMake<T extends Counter | Gauge | Histogram>(name: string, make: () => T): T {
    let m = this.made.get(name);
    if (!m) {
      m = make();
      this.made.set(name, m);
    }
    return m as T;
  }
}
