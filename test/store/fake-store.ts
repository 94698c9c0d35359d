import type { Reading } from '../../src/core/reading.js';
import type { RollupRow, TimeSeriesStore } from '../../src/store/store.js';

/** A TimeSeriesStore that records writes and fails as a test scripts it. */
export class ScriptedStore implements TimeSeriesStore {
  readonly kind = 'scripted';
  /** successful write calls, in completion order */
  readonly batches: Reading[][] = [];
  attempts = 0;
  attemptTimes: number[] = [];
  concurrent = 0;
  maxConcurrent = 0;
  delayMs = 0;
  /** throw this for the call (return undefined to succeed) */
  fail: (readings: readonly Reading[], attempt: number) => Error | undefined = () => undefined;

  async open(): Promise<void> {}
  async write(readings: readonly Reading[]): Promise<void> {
    this.attempts++;
    this.attemptTimes.push(Date.now());
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    try {
      if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
      const err = this.fail(readings, this.attempts);
      if (err) throw err;
      this.batches.push([...readings]);
    } finally {
      this.concurrent--;
    }
  }
  get written(): Reading[] {
    return this.batches.flat();
  }
  async latest(): Promise<Reading[]> {
    return [];
  }
  async query() {
    return [];
  }
  async raw(): Promise<Reading[]> {
    return [];
  }
  async writeRollups(_rows: readonly RollupRow[]): Promise<void> {}
  async rollups(): Promise<RollupRow[]> {
    return [];
  }
  async ping(): Promise<boolean> {
    return true;
  }
  async close(): Promise<void> {}
}
