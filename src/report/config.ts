import cron from 'node-cron';
import { z } from 'zod';

const cronExpr = z.string().refine((s) => cron.validate(s), 'expected a cron expression like "0 2 1 4 *"');

export const REPORT_FORMATS = ['xlsx', 'csv', 'html', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const scheduleDefaults = {
  enabled: true,
  yearly: '0 2 1 4 *',
  monthly: '0 2 1 * *',
  formats: ['xlsx', 'csv', 'html'] as ReportFormat[],
};

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a JST time HH:MM');

const driftDefaults = { co2: 100, temperature: 1, humidity: 5 };
const recordDefaults = {
  times: ['10:00', '15:00'],
  toleranceMinutes: 10,
  drift: driftDefaults,
  formats: ['xlsx', 'csv', 'html'] as RecordFormat[],
};
export const RECORD_FORMATS = ['xlsx', 'csv', 'html'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

/** `report.record:` — the legal air-environment record (空気環境測定記録, docs/report.md). */
export const recordConfigSchema = z
  .strictObject({
    /** the two measurement times of each in-use day (JST): between the start and the middle of work, and between the middle and the end */
    times: z.array(hhmm).min(1).default(recordDefaults.times),
    /** a sensor reading counts for a measurement time when it lies within this many minutes of it */
    toleranceMinutes: z.number().positive().max(60).default(recordDefaults.toleranceMinutes),
    /** sensor minus official measurement beyond this (absolute) means the sensor needs calibration */
    drift: z
      .strictObject({
        co2: z.number().positive().default(driftDefaults.co2),
        temperature: z.number().positive().default(driftDefaults.temperature),
        humidity: z.number().positive().default(driftDefaults.humidity),
      })
      .default(driftDefaults),
    /** formats the monthly schedule writes for the two months just ended */
    formats: z.array(z.enum(RECORD_FORMATS)).min(1).default(recordDefaults.formats),
  })
  .default(recordDefaults);
export type RecordConfig = z.infer<typeof recordConfigSchema>;

/** `report:` — the fiscal-year eco report (owned by src/report; see docs/report.md). */
export const reportConfigSchema = z
  .strictObject({
    /** folder the scheduled reports are written to (relative to the working directory) */
    dir: z.string().min(1).default('reports'),
    /** language of headers, labels and findings (sheet names stay Japanese in `ja`) */
    language: z.enum(['ja', 'en']).default('ja'),
    /** a sensor whose share of expected readings is below this is named in the findings */
    completenessWarnBelow: z.number().min(0).max(1).default(0.95),
    /** a figure whose coverage (hours with data ÷ hours in use) is below this is greyed as a reference value, not a result */
    coverageMin: z.number().min(0).max(1).default(0.8),
    /** the year-on-year energy change is shown only when both periods' meter coverage reaches this */
    yoyCoverageMin: z.number().min(0).max(1).default(0.9),
    /** a state (lights, occupancy) holds until the next reading, at most this long (hours) */
    stateHoldHours: z.number().positive().default(24),
    record: recordConfigSchema,
    schedule: z
      .strictObject({
        /** write reports on a timetable (cron, Asia/Tokyo) */
        enabled: z.boolean().default(scheduleDefaults.enabled),
        /** the past fiscal year's report (default 1 April 02:00 JST, after the last rollups are in) */
        yearly: cronExpr.default(scheduleDefaults.yearly),
        /** the fiscal-year-to-date report up to the end of last month (default the 1st of each month 02:00 JST; skipped in April, when the yearly one runs) */
        monthly: cronExpr.default(scheduleDefaults.monthly),
        /** formats written by the schedule */
        formats: z.array(z.enum(REPORT_FORMATS)).min(1).default(scheduleDefaults.formats),
      })
      .default(scheduleDefaults),
  })
  .default({
    dir: 'reports',
    language: 'ja',
    completenessWarnBelow: 0.95,
    coverageMin: 0.8,
    yoyCoverageMin: 0.9,
    stateHoldHours: 24,
    record: recordDefaults,
    schedule: scheduleDefaults,
  });
export type ReportConfig = z.infer<typeof reportConfigSchema>;
