import type { Judgement } from '../core/judgement.js';
import type { Quantity } from '../core/quantities.js';
import { type Reading, seriesKey } from '../core/reading.js';
import type { CompiledRule } from './compile.js';
import {
  DayAverageRunner,
  type ExpectedInterval,
  type Runner,
  type SeedInfo,
  ThresholdRunner,
} from './runners.js';
import type { RuleEvent, Subject } from './types.js';
import { type Availability, EmptyZoneRunner, OfflineRunner, StaleRunner } from './zone-runners.js';

/**
 * Evaluates compiled rules against readings and time. Pure apart from the
 * state it holds: every decision is a function of the readings given, their
 * order and the `now` passed in (no clock of its own). Per reading it runs
 * only the rules of that reading's quantity, plus one map update for
 * staleness; events are appended to `out` (nothing allocated when nothing
 * happens, other than the series key).
 */
export class Engine {
  private readonly byQuantity = new Map<Quantity, Runner[]>();
  private readonly runners: Runner[] = [];
  private readonly byId = new Map<string, Runner>();
  private readonly stale: (StaleRunner | OfflineRunner)[] = [];
  private readonly dayAverages: DayAverageRunner[] = [];

  /**
   * @param _expectedIntervalMs kept for callers; a sensor's interval and when it is stale are the
   *   judgement's (`Judgement.staleAfterMs` / `freshness`, from the inventory), one policy for alerts and wall
   */
  constructor(
    readonly rules: readonly CompiledRule[],
    _expectedIntervalMs: ExpectedInterval,
    options: number | EngineOptions = {},
  ) {
    const opts = typeof options === 'number' ? {} : options;
    const judgement = opts.judgement ?? rules[0]?.judgement;
    const availability = opts.availability ?? (() => undefined);
    for (const rule of rules) {
      const j = judgement ?? rule.judgement;
      let runner: Runner;
      let quantities: Quantity[];
      switch (rule.kind) {
        case 'threshold':
          runner = new ThresholdRunner(rule, j, availability);
          quantities = [rule.quantity!];
          break;
        case 'day_average': {
          const r = new DayAverageRunner(rule, j);
          this.dayAverages.push(r);
          runner = r;
          quantities = [rule.quantity!];
          break;
        }
        case 'empty_zone':
          runner = new EmptyZoneRunner(rule, j);
          quantities = ['lights', 'occupancy'];
          break;
        case 'stale': {
          const r = new StaleRunner(rule, j, availability);
          this.stale.push(r);
          runner = r;
          quantities = [];
          break;
        }
        case 'offline': {
          const r = new OfflineRunner(rule, availability);
          this.stale.push(r);
          runner = r;
          quantities = [];
          break;
        }
      }
      this.runners.push(runner);
      this.byId.set(rule.id, runner);
      for (const q of quantities) {
        const list = this.byQuantity.get(q) ?? [];
        list.push(runner);
        this.byQuantity.set(q, list);
      }
    }
  }

  /** Judges one reading that arrived at `now`; appends transitions to `out`. */
  onReading(r: Reading, now: number, out: RuleEvent[]): void {
    for (let i = 0; i < this.stale.length; i++) this.stale[i]!.onReading(r, '', now, out);
    const list = this.byQuantity.get(r.quantity);
    if (!list) return;
    const key = seriesKey(r);
    for (let i = 0; i < list.length; i++) list[i]!.onReading(r, key, now, out);
  }

  /** Time-based transitions: pending periods ending, clear holds, escalation, staleness, windows, JST midnight. */
  tick(now: number, out: RuleEvent[]): void {
    for (const r of this.runners) r.tick(now, out);
  }

  /** Watches a known sensor for staleness from `seenAt` (start-up: inventory and the store's latest readings). */
  watchSensor(site: string, zone: string, sensor: string, seenAt: number): void {
    for (const r of this.stale) r.watch(site, zone, sensor, seenAt);
  }

  /** Restores an alert that was open before a restart; false when its rule no longer exists. */
  seed(ruleId: string, subject: Subject, info: SeedInfo, now: number): boolean {
    const runner = this.byId.get(ruleId);
    if (!runner) return false;
    runner.seed(subject, info, now);
    return true;
  }

  /** Restores one stored hour of a series (sum, count of readings) into the day-average rules of its quantity (after a restart). */
  restoreDayHour(
    quantity: Quantity,
    site: string,
    zone: string,
    day: number,
    hour: number,
    sum: number,
    count: number,
    sensor?: string,
  ): void {
    for (const r of this.dayAverages)
      if (r.rule.quantity === quantity) r.restoreHour(site, zone, day, hour, sum, count, sensor);
  }

  hasDayAverage(quantity: Quantity): boolean {
    return this.dayAverages.some((r) => r.rule.quantity === quantity);
  }

  rule(id: string): CompiledRule | undefined {
    return this.byId.get(id)?.rule;
  }
}

export interface EngineOptions {
  /** ignored: the stale multiple is the judgement's (inventory.staleAfterIntervals); kept so old callers compile */
  staleAfterIntervals?: number;
  /** the one judgement: in-use time and the law's daily mean (day-average rules need it) */
  judgement?: Judgement;
  /** a sensor's availability (offline rules): ctx.latest.status(site, sensor)?.online */
  availability?: Availability;
}
