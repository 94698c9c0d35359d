import type { BenchBroker } from './broker.js';
import type { Spread } from './stats.js';

/** Command-line options (see `npm run bench -- --help`). */
export interface Options {
  quick: boolean;
  /** minutes of steady load for the RSS growth check; 0 = off */
  soakMinutes: number;
  /** runs per figure (median, min, max) */
  runs: number;
  /** write V8 CPU profiles of the service children to bench/results/profiles */
  profile: boolean;
  /** use the embedded aedes broker even when mosquitto is installed */
  aedes: boolean;
  /** only these scenarios (ids), all when empty */
  only: string[];
}

/** Sizes of the scenarios; --quick shrinks them to about a minute in all. */
export interface Sizes {
  sensors: number;
  connections: number;
  ceilingMessages: number;
  ingestMessages: number;
  steadyRate: number;
  /** length of one latency or HTTP measurement window */
  windowMs: number;
  reportSensors: number;
  /** payloads scenario: messages per run, each on a topic of its own */
  payloadTopics: number;
}

/** What every scenario gets. */
export interface BenchEnv {
  opts: Options;
  sizes: Sizes;
  broker: BenchBroker;
  /** temp folder for data dirs and rules files, removed at the end */
  tmp: string;
  /** where CPU profiles go (when --profile) */
  profileDir: string;
  rows: Row[];
  /** data loss or a harness failure: exit non-zero */
  failures: string[];
}

/** One line of the results table (and of the JSON file). */
export interface Row {
  scenario: string;
  figure: string;
  unit: string;
  /** Kaiteki's figure over the runs */
  value?: Spread;
  /** the same-run baseline and what it is */
  baseline?: { name: string; value: Spread };
  /** value / baseline, per run pair where the runs were paired */
  ratio?: Spread;
  target?: string;
  verdict?: 'ok' | 'MISSED' | 'info' | 'not measured';
  note?: string;
}
