import type { Config } from '../../config/schema.js';
import type { Judgement } from '../../core/judgement.js';
import type { Reading } from '../../core/reading.js';
import type { RollupRow } from '../../store/store.js';

/** An item of the legal air-environment measurement (建築物環境衛生管理基準), in the usual sheet's order. */
export type RecordItemId = 'dust' | 'co' | 'co2' | 'temperature' | 'humidity' | 'airflow';

export interface RecordItem {
  id: RecordItemId;
  /** the quantity a sensor reports it as */
  quantity: string;
  ja: string;
  en: string;
  unit: string;
  /** how the law judges it: each measured value, or the mean of the day's measurements in use */
  judge: 'each' | 'dayMean';
  min?: number;
  max?: number;
  decimals: number;
  /** false: no sensor measures it here, so only the official measurement can (要公式測定) */
  hasSensor: boolean;
}

/** One value at a measurement time: the sensor reading nearest the time (within the tolerance). */
export interface TimedValue {
  value: number;
  /** the reading's own time (epoch ms) */
  ts: number;
  /** judged on this value (items judged per value only) */
  ok?: boolean;
}

export interface DayMean {
  value: number;
  /** covered in-use ms ÷ in-use ms of the day */
  coverage: number;
  /** undefined when the coverage is too low to judge */
  ok?: boolean;
}

/** One measurement point (zone) on one in-use day. */
export interface PointDay {
  zone: string;
  name: string;
  floor?: string;
  /** per measurement time (`10:00`), per item; absent = no reading (欠測) or not in use */
  at: Record<string, Partial<Record<RecordItemId, TimedValue>>>;
  /** items a sensor measures at this point (others are blank there, not missing) */
  items: RecordItemId[];
  /** times the zone was not in use */
  notInUse: string[];
  /** per dayMean item: the day's mean over in-use time */
  mean: Partial<Record<RecordItemId, DayMean>>;
  /** items judged out of the standard, with where (`温度 15:00`) */
  failures: string[];
}

export interface RecordDay {
  /** `2026-11-04` (JST) */
  date: string;
  start: number;
  points: PointDay[];
}

/** A day of the period that is not measured (closed), with why. */
export interface ClosedDay {
  date: string;
  reason: string;
}

/** An official measurement value (the ward's bi-monthly measurement), imported from CSV. */
export interface OfficialValue {
  /** epoch ms of the official measurement time */
  ts: number;
  zone: string;
  item: RecordItemId;
  value: number;
}

/** Official vs sensor at the same time and place. */
export interface OfficialComparison {
  ts: number;
  zone: string;
  zoneName: string;
  item: RecordItemId;
  official: number;
  sensor: string | null;
  sensorValue: number | null;
  /** sensor − official */
  diff: number | null;
  /** |diff| above the drift threshold: the sensor needs calibration */
  drift: boolean;
  threshold?: number;
}

export interface RecordReport {
  language: 'ja' | 'en';
  site: { id: string; name: string };
  /** `2026-10` */
  fromMonth: string;
  months: number;
  from: number;
  to: number;
  generatedAt: number;
  times: string[];
  toleranceMinutes: number;
  coverageMin: number;
  items: RecordItem[];
  days: RecordDay[];
  closedDays: ClosedDay[];
  official: OfficialComparison[];
  /** sensors whose difference from the official measurement exceeded the threshold */
  calibration: {
    zone: string;
    zoneName: string;
    sensor: string;
    item: RecordItemId;
    diff: number;
    threshold: number;
  }[];
}

export interface RecordInput {
  config: Config;
  /** the one judgement: in-use time per zone, closed days, the law's daily mean; default `new Judgement(config)` */
  judgement?: Judgement;
  /** `YYYY-MM` of the first month */
  fromMonth: string;
  months: number;
  generatedAt: number;
  /** raw readings around each measurement time of the period (± tolerance), any order */
  readings: readonly Reading[];
  /** rollups of the period for the day-mean items */
  rows: readonly RollupRow[];
  official: readonly OfficialValue[];
}
