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

/** `report:` — the fiscal-year eco report (owned by src/report; see docs/report.md). */
export const reportConfigSchema = z
  .strictObject({
    /** folder the scheduled reports are written to (relative to the working directory) */
    dir: z.string().min(1).default('reports'),
    /** language of headers, labels and findings (sheet names stay Japanese in `ja`) */
    language: z.enum(['ja', 'en']).default('ja'),
    /** a sensor whose share of expected readings is below this is named in the findings */
    completenessWarnBelow: z.number().min(0).max(1).default(0.95),
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
  .default({ dir: 'reports', language: 'ja', completenessWarnBelow: 0.95, schedule: scheduleDefaults });
export type ReportConfig = z.infer<typeof reportConfigSchema>;
