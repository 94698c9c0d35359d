import type { Config } from '../config/schema.js';
import type { Calendar } from '../core/calendar.js';
import type { RollupRow } from '../store/store.js';
import type { InUseJudge } from './inuse.js';

/**
 * One alert as the report needs it. The alerts part provides an adapter;
 * the report only reads these facts. Times are epoch ms UTC.
 */
export interface AlertFact {
  /** e.g. `comfort`, `eco`, `service`, `sensor` */
  category: string;
  /** e.g. `info`, `warning`, `critical` */
  severity: string;
  zone?: string;
  openedAt: number;
  ackedAt?: number;
  resolvedAt?: number;
}

/** Alert facts whose `openedAt` lies in [from, to). */
export type AlertFactSource = (from: number, to: number) => Promise<AlertFact[]>;

/** A sensor the report expects readings from (from the inventory). */
export interface ExpectedSensor {
  site: string;
  zone: string;
  id: string;
  intervalSeconds: number;
}

/** Everything the pure report builder needs; no I/O happens inside it. */
export interface ReportInput {
  config: Config;
  calendar: Calendar;
  fy: number;
  /** end of the reported span (exclusive, epoch ms): the fiscal-year end, or earlier for a year-to-date report */
  to: number;
  generatedAt: number;
  /** rollups of the configured site with hour in [fy start, to) */
  rows: readonly RollupRow[];
  /** energy/power rollups of the previous fiscal year (and any earlier hours), for the year-on-year change */
  previousRows: readonly RollupRow[];
  sensors: readonly ExpectedSensor[];
  alerts: readonly AlertFact[];
  /** sensors absent from `sensors` are expected at this interval */
  defaultIntervalSeconds: number;
  /** the one judgement (in-use time, the law's daily mean); default `new Judgement(config)` */
  judgement?: InUseJudge;
  onProgress?: (done: number, total: number) => void;
}

/** Null means "no data", never zero: a gap stays visible instead of being averaged over. */
export type Num = number | null;

export interface MonthInfo {
  /** 0 = April … 11 = March */
  index: number;
  /** `2026-04` */
  key: string;
  /** `2026年4月` / `Apr 2026` */
  label: string;
  from: number;
  to: number;
}

export interface ZoneFigures {
  temperature: { mean: Num; withinShare: Num };
  humidity: { mean: Num; withinShare: Num };
  co2: { mean: Num; daysMeasured: number; daysAbove: Num; hoursAbove: Num };
  illuminance: { target: number; mean: Num; atOrAboveShare: Num };
  eco: {
    overcooledHours: Num;
    overheatedHours: Num;
    /** false in months outside the cooling / heating season: the figure is "not applicable" (—), not 0 */
    overcoolApplicable: boolean;
    overheatApplicable: boolean;
    lightsAfterHoursHours: Num;
    lightsClosedDayHours: Num;
    energyKwh: Num;
    energyPrevKwh: Num;
    /** (this − previous) / previous */
    energyChange: Num;
    /** null: nothing to compare; false: both exist but a period's meter coverage is below `yoyCoverageMin` (比較不可) */
    energyComparable: boolean | null;
    energySource: 'meter' | 'power' | null;
  };
  counter: {
    waitingMean: Num;
    waitingPeak: Num;
    waitMinutesMean: Num;
    bandHours: { blue: Num; yellow: Num; red: Num };
  };
  /**
   * Share of the time a figure is about that has data: hours with data ÷
   * hours in use (per sensor of that quantity in the zone); lights and
   * energy against the whole span. Below `coverageMin` a figure is greyed as
   * a reference value, not presented as a result.
   */
  coverage: {
    temperature: Num;
    humidity: Num;
    co2: Num;
    illuminance: Num;
    lights: Num;
    counter: Num;
    energy: Num;
    energyPrev: Num;
  };
}

/** An energy meter (or power sensor) and the zone it covers, named on the report. */
export interface MeterInfo {
  zone: string;
  zoneName: string;
  sensor: string;
  quantity: 'energy' | 'power';
}

export interface ZoneReport {
  id: string;
  name: string;
  /** index = MonthInfo.index */
  months: ZoneFigures[];
  year: ZoneFigures;
}

export interface Completeness {
  expected: number;
  received: number;
  /** received / expected, null when nothing was expected */
  share: Num;
}

export interface SensorReport {
  zone: string;
  sensor: string;
  intervalSeconds: number;
  /** false for a sensor that sent data but is not in the inventory */
  registered: boolean;
  months: Completeness[];
  year: Completeness;
}

export interface AlertGroup {
  category: string;
  severity: string;
  count: number;
  acked: number;
  resolved: number;
  /** minutes */
  meanAckMinutes: Num;
  meanResolveMinutes: Num;
}

export interface Report {
  fy: number;
  /** `2026年度` */
  fyLabel: string;
  /** `令和8年度` */
  reiwaLabel: string;
  language: 'ja' | 'en';
  site: { id: string; name: string };
  from: number;
  to: number;
  /** true when `to` is before the fiscal-year end (a year-to-date report) */
  partial: boolean;
  generatedAt: number;
  limits: Config['limits'];
  hours: { open: string; close: string };
  months: MonthInfo[];
  zones: ZoneReport[];
  sensors: SensorReport[];
  alerts: { months: AlertGroup[][]; year: AlertGroup[] };
  findings: string[];
  /** thresholds the renderers grey by */
  coverageMin: number;
  yoyCoverageMin: number;
  meters: MeterInfo[];
}
