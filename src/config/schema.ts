import { z } from 'zod';
import { alertsConfigSchema } from '../alerts/config.js';
import { reportConfigSchema } from '../report/config.js';
import { storeConfigSchema } from '../store/config.js';

/**
 * The one source of truth for configuration: TypeScript types, defaults and
 * validation all come from this schema (config/default.yaml documents every
 * key with its default). Parts own their section's schema in their folder.
 */
export const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a slug like "lobby-1" ([a-z0-9][a-z0-9_-]*)');
export const i18nName = z.strictObject({ ja: z.string().min(1), en: z.string().min(1) });
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time "HH:MM" (JST)');
const mmdd = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'expected a date "MM-DD"');

export const zoneSchema = z.strictObject({
  id: slug,
  name: i18nName,
  kind: z.enum(['lobby', 'counter', 'waiting', 'office', 'other']).default('other'),
  floor: z.string().optional(),
  /** lx: the zone's illuminance target during opening hours (JIS Z 9110 / Office Sanitation Regulation) */
  illuminanceTarget: z.number().positive().default(300),
  /** when the zone is in use (comfort is judged only then): `opening` hours, `staff` hours, `always` (every hour of every day), or its own `{open, close}` (JST) */
  inUse: z
    .union([z.enum(['opening', 'staff', 'always']), z.strictObject({ open: hhmm, close: hhmm })])
    .default('opening'),
});
export type ZoneConfig = z.infer<typeof zoneSchema>;

export const hoursSchema = z.strictObject({
  /** weekdays open, 0 = Sunday … 6 = Saturday */
  days: z.array(z.number().int().min(0).max(6)).default([1, 2, 3, 4, 5]),
  open: hhmm.default('08:30'),
  close: hhmm.default('17:00'),
  /** extra opening windows, e.g. some Saturday mornings: dates `YYYY-MM-DD` with times */
  extra: z
    .array(z.strictObject({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), open: hhmm, close: hhmm }))
    .default([]),
  /** yearly closed days (年末年始 by default) */
  closedDays: z.array(mmdd).default(['12-29', '12-30', '12-31', '01-01', '01-02', '01-03']),
  /** national holidays (祝日) closed */
  holidaysClosed: z.boolean().default(true),
  /** staff hours on open days (zones with `inUse: staff`, e.g. the office room) */
  staff: z
    .strictObject({ open: hhmm.default('08:00'), close: hhmm.default('17:30') })
    .default({ open: '08:00', close: '17:30' }),
});
export type HoursConfig = z.infer<typeof hoursSchema>;

/** Legal limits and eco setpoints (DESIGN §2); rules, rollups and the report all read these. */
export const limitsSchema = z.strictObject({
  /** Building Sanitation Act: 18–28 °C */
  temperature: z
    .strictObject({ min: z.number().default(18), max: z.number().default(28) })
    .default({ min: 18, max: 28 }),
  /** Building Sanitation Act: 40–70 %RH */
  humidity: z
    .strictObject({ min: z.number().default(40), max: z.number().default(70) })
    .default({ min: 40, max: 70 }),
  /** Building Sanitation Act: ≤ 1000 ppm (judged on the day's average) */
  co2: z
    .strictObject({
      max: z.number().default(1000),
      /** a day's mean counts (alerts and report alike) only with this many in-use readings … */
      minDailyReadings: z.number().int().min(1).default(6),
      /** … and this share of the in-use time measured (in-use time of the hours with a reading ÷ the day's, per sensor) */
      minDailyCoverage: z.number().min(0).max(1).default(0.8),
    })
    .default({ max: 1000, minDailyReadings: 6, minDailyCoverage: 0.8 }),
  /** lx, for zones without their own illuminanceTarget (Office Sanitation Regulation: 300 lx general work) */
  illuminance: z.strictObject({ defaultTarget: z.number().default(300) }).default({ defaultTarget: 300 }),
  eco: z
    .strictObject({
      /** JST months of the cooling season (Cool Biz) */
      coolingMonths: z.array(z.number().int().min(1).max(12)).default([6, 7, 8, 9]),
      /** below this while cooling = over-cooled (Cool Biz aims at 28 °C) */
      overcoolBelow: z.number().default(26),
      heatingMonths: z.array(z.number().int().min(1).max(12)).default([12, 1, 2, 3]),
      /** above this while heating = over-heated (Warm Biz aims at 20 °C; government offices 19 °C) */
      overheatAbove: z.number().default(22),
    })
    .default({
      coolingMonths: [6, 7, 8, 9],
      overcoolBelow: 26,
      heatingMonths: [12, 1, 2, 3],
      overheatAbove: 22,
    }),
  /** counter wait bands in minutes: under 20 blue, 20–40 yellow, 40+ red */
  wait: z
    .strictObject({ yellowFrom: z.number().default(20), redFrom: z.number().default(40) })
    .default({ yellowFrom: 20, redFrom: 40 }),
  /** counter queue length in persons: a long queue (warning) and a very long one (critical) */
  queue: z
    .strictObject({ yellowFrom: z.number().default(15), redFrom: z.number().default(30) })
    .default({ yellowFrom: 15, redFrom: 30 }),
  /** building protection, judged at every hour (pipes freeze, rooms overheat, mould): below 10 °C, above 35 °C, above 80 %RH */
  protection: z
    .strictObject({
      temperature: z
        .strictObject({ min: z.number().default(10), max: z.number().default(35) })
        .default({ min: 10, max: 35 }),
      humidity: z.strictObject({ max: z.number().default(80) }).default({ max: 80 }),
    })
    .default({ temperature: { min: 10, max: 35 }, humidity: { max: 80 } }),
  /** caution (amber) margins inside the comfort limits: °C, %RH, share of the CO2 limit, share above the illuminance target */
  caution: z
    .strictObject({
      temperature: z.number().min(0).default(1),
      humidity: z.number().min(0).default(5),
      co2Share: z.number().gt(0).max(1).default(0.8),
      illuminanceShare: z.number().min(1).default(1.1),
    })
    .default({ temperature: 1, humidity: 5, co2Share: 0.8, illuminanceShare: 1.1 }),
});
export type LimitsConfig = z.infer<typeof limitsSchema>;

export const mqttSchema = z.strictObject({
  /** broker URL (mqtt://, mqtts://, ws://); none → the embedded broker */
  url: z.string().url().nullable().default(null),
  topicPrefix: z.string().min(1).default('kaiteki'),
  /** sites this instance subscribes to; empty = every site under the prefix */
  sites: z.array(slug).default([]),
  qos: z.union([z.literal(0), z.literal(1)]).default(1),
  /** persistent session id; keep it stable so the broker queues readings while Kaiteki is down */
  clientId: z.string().min(1).optional(),
  /** MQTT 5 shared subscription group (`$share/<group>/…`), for running several stateless consumers */
  sharedGroup: z
    .string()
    .regex(/^[^/#+]+$/)
    .optional(),
  username: z.string().optional(),
  reconnectPeriodMs: z.number().int().min(100).default(2000),
  tls: z
    .strictObject({
      ca: z.string().optional(),
      cert: z.string().optional(),
      key: z.string().optional(),
      rejectUnauthorized: z.boolean().default(true),
    })
    .default({ rejectUnauthorized: true }),
  /** the embedded broker (when `url` is null): secure by default — docs/security.md */
  embedded: z
    .strictObject({
      /** 127.0.0.1 = this machine only, anonymous allowed; any other address is a network listener: users required */
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(1883),
      /** network listeners accept clients without a user name only when this is set on purpose */
      allowAnonymous: z.boolean().default(false),
      /** users in mosquitto_passwd format ($7$ PBKDF2-SHA512 or $6$ SHA512); more in KAITEKI_BROKER_USERS */
      passwordFile: z.string().nullable().default(null),
      /** per-user topic rights replacing the default sensor rights; `%u` = user name, `%c` = client id */
      acl: z
        .array(
          z.strictObject({
            user: z.string().min(1),
            publish: z.array(z.string()).default([]),
            subscribe: z.array(z.string()).default([]),
          }),
        )
        .default([]),
      /** MQTT over TLS (mqtts), a network listener; port null = none; cert and key are PEM file paths */
      tls: z
        .strictObject({
          host: z.string().default('0.0.0.0'),
          port: z.number().int().min(0).max(65535).nullable().default(null),
          cert: z.string().nullable().default(null),
          key: z.string().nullable().default(null),
        })
        .default({ host: '0.0.0.0', port: null, cert: null, key: null }),
      /** open connections from one address at most (a gateway behind NAT counts once per device) */
      maxConnectionsPerAddress: z.number().int().min(1).default(64),
    })
    .default({
      host: '127.0.0.1',
      port: 1883,
      allowAnonymous: false,
      passwordFile: null,
      acl: [],
      tls: { host: '0.0.0.0', port: null, cert: null, key: null },
      maxConnectionsPerAddress: 64,
    }),
});

export const ingestSchema = z.strictObject({
  /** a reading from a sensor not in the inventory: accepted and marked, or rejected */
  unregistered: z.enum(['accept', 'reject']).default('accept'),
  maxPayloadBytes: z
    .number()
    .int()
    .min(64)
    .default(64 * 1024),
  /** sensor timestamps further in the future than this are rejected */
  maxFutureSkewSeconds: z.number().min(0).default(300),
  /** sensor timestamps older than this are rejected (a clock reset to 1970, say) */
  maxAgeDays: z.number().min(0).default(400),
  /** an identical payload on the same topic within this window counts once */
  dedupeWindowMs: z.number().int().min(0).default(2000),
  /** entries the dedupe filter keeps at most, per kind (last per topic, recent commits; digests, ≤ 1,024 B per unit: 20,000 ≤ 20.5 MB) */
  dedupeMaxEntries: z.number().int().min(100).default(20_000),
  /** series from sensors not in the inventory accepted at most; beyond, a counted rejection (too_many_unregistered) */
  maxUnregisteredSeries: z.number().int().min(0).default(10_000),
  /** where rejected messages are kept for inspection (last N, in memory, shown at /api/rejected) */
  keepRejected: z.number().int().min(0).default(200),
  /** Home Assistant MQTT discovery: config messages become proposals an operator confirms */
  discovery: z
    .strictObject({ enabled: z.boolean().default(true), prefix: z.string().min(1).default('homeassistant') })
    .default({ enabled: true, prefix: 'homeassistant' }),
});

export const configSchema = z.strictObject({
  site: z
    .strictObject({
      id: slug.default('default'),
      name: i18nName.default({ ja: '既定サイト', en: 'Default site' }),
    })
    .default({ id: 'default', name: { ja: '既定サイト', en: 'Default site' } }),
  zones: z.array(zoneSchema).default([]),
  hours: hoursSchema.default(hoursSchema.parse({})),
  limits: limitsSchema.default(limitsSchema.parse({})),
  mqtt: mqttSchema.default(mqttSchema.parse({})),
  ingest: ingestSchema.default(ingestSchema.parse({})),
  inventory: z
    .strictObject({
      /** YAML files with sensor entries, relative to the working directory */
      files: z.array(z.string()).default(['sensors/default.yaml']),
      defaultIntervalSeconds: z.number().positive().default(60),
      /** a sensor is stale after this many expected intervals without a message (judged by arrival time) */
      staleAfterIntervals: z.number().positive().default(3),
      /** a reading whose own timestamp is this far from its arrival time marks the sensor's clock as skewed */
      clockSkewSeconds: z.number().positive().default(120),
    })
    .default({
      files: ['sensors/default.yaml'],
      defaultIntervalSeconds: 60,
      staleAfterIntervals: 3,
      clockSkewSeconds: 120,
    }),
  store: storeConfigSchema,
  http: z
    .strictObject({
      host: z.string().default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(8080),
      /** a second listener serving ONLY the visitor page (/visit, its assets, counters API, poster); port null = none */
      public: z
        .strictObject({
          host: z.string().default('0.0.0.0'),
          port: z.number().int().min(0).max(65535).nullable().default(null),
        })
        .default({ host: '0.0.0.0', port: null }),
      /** a reverse proxy in front: Express "trust proxy" (false, true, a hop count, or addresses like "loopback"); client addresses for rate limits and the audit trail */
      trustProxy: z.union([z.boolean(), z.number().int().min(0), z.string()]).default(false),
      /** per-client limits on the expensive routes (429 with Retry-After beyond) — docs/security.md */
      rateLimit: z
        .strictObject({
          windowSeconds: z.number().int().min(1).default(60),
          reports: z.number().int().min(1).default(10),
          series: z.number().int().min(1).default(300),
          authFailures: z.number().int().min(1).default(20),
        })
        .default({ windowSeconds: 60, reports: 10, series: 300, authFailures: 20 }),
    })
    .default({
      host: '0.0.0.0',
      port: 8080,
      public: { host: '0.0.0.0', port: null },
      trustProxy: false,
      rateLimit: { windowSeconds: 60, reports: 10, series: 300, authFailures: 20 },
    }),
  /** the public visitor page (/visit) and its QR poster (/visit/poster) */
  visit: z
    .strictObject({
      /** the page's public address, printed as the poster's QR code; null = this server's own address */
      url: z.string().url().nullable().default(null),
      /** counter zones shown, in this order; empty = every zone of kind `counter` */
      zones: z.array(slug).default([]),
    })
    .default({ url: null, zones: [] }),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .default({ level: 'info' }),
  alerts: alertsConfigSchema,
  report: reportConfigSchema,
});

/** Validated configuration plus the secrets, which come only from the environment. */
export type Config = z.infer<typeof configSchema> & { secrets: Secrets; source: string };

export interface Secrets {
  adminToken?: string;
  mqttPassword?: string;
  influxPassword?: string;
  influxToken?: string;
  smtpPassword?: string;
  webhookUrl?: string;
  /** KAITEKI_BROKER_USERS: embedded broker users `name:password,name2:password2` */
  brokerUsers?: string;
  /** KAITEKI_SECRET: signs the alert page links (else a key generated in the data dir) */
  linkSecret?: string;
}
