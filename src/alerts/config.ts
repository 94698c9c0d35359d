import { z } from 'zod';
import { CATEGORIES } from '../rules/types.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time "HH:MM" (JST)');
const severity = z.enum(['info', 'warning', 'critical']);
const category = z.enum(CATEGORIES);
const name = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a channel name like "facilities-chat"');

/** A generic JSON webhook; `slack` and `teams` post bodies those services accept. URL may come from KAITEKI_WEBHOOK_URL. */
const webhookChannel = z.strictObject({
  type: z.literal('webhook'),
  name,
  /** omit to use KAITEKI_WEBHOOK_URL (secret URLs belong in the environment) */
  url: z.string().url().optional(),
  style: z.enum(['generic', 'slack', 'teams']).default('generic'),
});

/** E-mail over SMTP; the password comes from KAITEKI_SMTP_PASSWORD. */
const emailChannel = z.strictObject({
  type: z.literal('email'),
  name,
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  /** true = TLS from the start (port 465); false = STARTTLS when offered */
  secure: z.boolean().default(false),
  from: z.string().min(3),
  to: z.array(z.string().min(3)).min(1),
  username: z.string().optional(),
});

export const channelSchema = z.discriminatedUnion('type', [webhookChannel, emailChannel]);
export type ChannelConfig = z.infer<typeof channelSchema>;

/** Which channels get an alert; every matching route adds its channels. */
const routeSchema = z.strictObject({
  categories: z.array(category).optional(),
  /** only alerts of at least this severity */
  minSeverity: severity.default('info'),
  zones: z.array(z.string()).optional(),
  channels: z.array(name).min(1),
});
export type RouteConfig = z.infer<typeof routeSchema>;

const quietHoursSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** JST; a window passing midnight (20:00 → 07:30) is fine */
  from: hhmm.default('20:00'),
  to: hhmm.default('07:30'),
  /** closed days (weekends, holidays, 年末年始) are quiet all day */
  closedDays: z.boolean().default(true),
  /** during quiet hours only alerts of this severity or worse notify at once; the rest wait for the end */
  minSeverity: severity.default('critical'),
});
export type QuietHoursConfig = z.infer<typeof quietHoursSchema>;

/** `alerts:` — rules, alert lifecycle and notification routing (owned by src/alerts, src/rules, src/notify). */
export const alertsConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** the rule set (YAML); see docs/alerts.md */
    rulesFile: z.string().min(1).default('config/rules.yaml'),
    /** how often time-based transitions (pending, clear hold, stale, quiet hours) are checked */
    tickSeconds: z.number().min(1).max(300).default(15),
    /** reminder interval while an alert is firing and not acknowledged; 0 = no reminders */
    repeatMinutes: z.number().min(0).default(60),
    /** send a notice when an alert resolves (only for alerts that were notified) */
    notifyResolved: z.boolean().default(true),
    /** alerts of one rule that fire (or resolve) within this window go out as one notice naming the zones (Alertmanager's group_wait); 0 = one notice per alert */
    groupSeconds: z.number().min(0).max(600).default(30),
    /** how long the signed alert-page link in a notice stays valid */
    linkExpiryDays: z.number().min(0.01).max(90).default(7),
    /** longest silence the alert page may set */
    maxSilenceHours: z
      .number()
      .min(1)
      .max(24 * 30)
      .default(72),
    quietHours: quietHoursSchema.prefault({}),
    /** notification channels besides the log, which always gets every notice */
    channels: z.array(channelSchema).default([]),
    /** empty = every channel gets every alert */
    routes: z.array(routeSchema).default([]),
    language: z.enum(['ja', 'en']).default('ja'),
    /** base URL people reach Kaiteki at, for the alert-page and wall links in notices (default: http://<hostname>:<http.port>) */
    publicUrl: z.string().url().optional(),
    /** failed sends are retried with exponential backoff, then counted and logged */
    retry: z
      .strictObject({
        attempts: z.number().int().min(1).max(10).default(4),
        backoffMs: z.number().int().min(0).default(2000),
        timeoutMs: z.number().int().min(100).default(10_000),
      })
      .prefault({}),
  })
  .superRefine((cfg, ctx) => {
    const names = new Set<string>(['log']);
    cfg.channels.forEach((c, i) => {
      if (names.has(c.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['channels', i, 'name'],
          message: `duplicate channel name "${c.name}"`,
        });
      }
      names.add(c.name);
    });
    cfg.routes.forEach((r, i) => {
      r.channels.forEach((c, j) => {
        if (!names.has(c)) {
          ctx.addIssue({
            code: 'custom',
            path: ['routes', i, 'channels', j],
            message: `expected one of the channels (${[...names].join(', ')}), got "${c}"`,
          });
        }
      });
    });
  })
  .prefault({});
export type AlertsConfig = z.infer<typeof alertsConfigSchema>;
