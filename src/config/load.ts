import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../core/errors.js';
import { type Config, configSchema, type Secrets } from './schema.js';
import { semanticIssues } from './semantic.js';

export const DEFAULT_CONFIG_FILE = 'config/default.yaml';

type Env = Record<string, string | undefined>;

/** Environment variables that override a key: name → path and how to read the text. */
const ENV_OVERRIDES: { env: string; path: string[]; type: 'string' | 'number' | 'list' }[] = [
  { env: 'KAITEKI_MQTT_URL', path: ['mqtt', 'url'], type: 'string' },
  { env: 'KAITEKI_MQTT_USERNAME', path: ['mqtt', 'username'], type: 'string' },
  { env: 'KAITEKI_MQTT_CLIENT_ID', path: ['mqtt', 'clientId'], type: 'string' },
  { env: 'KAITEKI_MQTT_SITES', path: ['mqtt', 'sites'], type: 'list' },
  { env: 'KAITEKI_MQTT_PORT', path: ['mqtt', 'embedded', 'port'], type: 'number' },
  { env: 'KAITEKI_BROKER_HOST', path: ['mqtt', 'embedded', 'host'], type: 'string' },
  { env: 'KAITEKI_BROKER_PORT', path: ['mqtt', 'embedded', 'port'], type: 'number' },
  { env: 'KAITEKI_BROKER_PASSWORD_FILE', path: ['mqtt', 'embedded', 'passwordFile'], type: 'string' },
  { env: 'KAITEKI_BROKER_TLS_PORT', path: ['mqtt', 'embedded', 'tls', 'port'], type: 'number' },
  { env: 'KAITEKI_BROKER_TLS_CERT', path: ['mqtt', 'embedded', 'tls', 'cert'], type: 'string' },
  { env: 'KAITEKI_BROKER_TLS_KEY', path: ['mqtt', 'embedded', 'tls', 'key'], type: 'string' },
  { env: 'KAITEKI_STORE', path: ['store', 'kind'], type: 'string' },
  { env: 'KAITEKI_DATA_DIR', path: ['store', 'dataDir'], type: 'string' },
  { env: 'KAITEKI_INFLUX_URL', path: ['store', 'influx', 'url'], type: 'string' },
  { env: 'KAITEKI_INFLUX_DB', path: ['store', 'influx', 'database'], type: 'string' },
  { env: 'KAITEKI_INFLUX_USERNAME', path: ['store', 'influx', 'username'], type: 'string' },
  { env: 'KAITEKI_INFLUX_ORG', path: ['store', 'influx', 'org'], type: 'string' },
  { env: 'KAITEKI_INFLUX_BUCKET', path: ['store', 'influx', 'bucket'], type: 'string' },
  { env: 'KAITEKI_HTTP_HOST', path: ['http', 'host'], type: 'string' },
  { env: 'PORT', path: ['http', 'port'], type: 'number' },
  { env: 'KAITEKI_HTTP_PORT', path: ['http', 'port'], type: 'number' },
  { env: 'KAITEKI_LOG_LEVEL', path: ['log', 'level'], type: 'string' },
];

/** Secrets: read from the environment only; a committed file that holds one is an error. */
const SECRETS: { env: string; key: keyof Secrets; filePaths: string[][] }[] = [
  { env: 'KAITEKI_ADMIN_TOKEN', key: 'adminToken', filePaths: [['adminToken'], ['http', 'adminToken']] },
  { env: 'KAITEKI_MQTT_PASSWORD', key: 'mqttPassword', filePaths: [['mqtt', 'password']] },
  { env: 'KAITEKI_INFLUX_PASSWORD', key: 'influxPassword', filePaths: [['store', 'influx', 'password']] },
  { env: 'KAITEKI_INFLUX_TOKEN', key: 'influxToken', filePaths: [['store', 'influx', 'token']] },
  // e-mail channels are a list: a `password` there is refused by the schema as an unknown key
  { env: 'KAITEKI_SMTP_PASSWORD', key: 'smtpPassword', filePaths: [] },
  { env: 'KAITEKI_WEBHOOK_URL', key: 'webhookUrl', filePaths: [] },
  { env: 'KAITEKI_BROKER_USERS', key: 'brokerUsers', filePaths: [['mqtt', 'embedded', 'users']] },
  { env: 'KAITEKI_SECRET', key: 'linkSecret', filePaths: [['secret'], ['alerts', 'secret']] },
];

/**
 * Loads the configuration: the YAML file named by KAITEKI_CONFIG (default
 * config/default.yaml; a missing default file means "all defaults"), then
 * environment overrides, then the schema. Throws ConfigError listing every
 * problem at once.
 */
export function loadConfig(
  env: Env = process.env,
  file = env.KAITEKI_CONFIG ?? DEFAULT_CONFIG_FILE,
  opts: ParseOptions = {},
): Config {
  const raw = readYamlObject(file, file !== DEFAULT_CONFIG_FILE);
  return parseConfig(raw, file, env, opts);
}

export interface ParseOptions {
  /** skip the checks of meaning (check-config uses it to go on checking the rules against a config with such problems) */
  typesOnly?: boolean;
}

/** Validates an already-read object (tests, `kaiteki check-config`). */
export function parseConfig(
  raw: unknown,
  file: string,
  env: Env = process.env,
  opts: ParseOptions = {},
): Config {
  const issues: ConfigIssue[] = [];
  const obj: Record<string, unknown> = isPlainObject(raw) ? structuredClone(raw) : {};
  if (raw !== undefined && raw !== null && !isPlainObject(raw)) {
    issues.push({ file, path: '', message: `expected a mapping of keys, got ${describe(raw)}` });
  }
  for (const s of SECRETS) {
    for (const p of s.filePaths) {
      if (getPath(obj, p) !== undefined) {
        issues.push({
          file,
          path: p.join('.'),
          message: `secrets are read from the environment only: remove it from the file and set ${s.env}`,
        });
        deletePath(obj, p);
      }
    }
  }
  const fromEnv = new Map<string, string>();
  for (const o of ENV_OVERRIDES) {
    const text = env[o.env];
    if (text === undefined || text === '') continue;
    let value: unknown = text;
    if (o.type === 'number') {
      value = Number(text);
      if (!Number.isFinite(value)) {
        issues.push({
          file: `env ${o.env}`,
          path: o.path.join('.'),
          message: `expected a number, got "${text}"`,
        });
        continue;
      }
    } else if (o.type === 'list') {
      value = text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    }
    setPath(obj, o.path, value);
    fromEnv.set(o.path.join('.'), o.env);
  }
  // KAITEKI_INFLUX_URL means "use InfluxDB": 1.x unless KAITEKI_STORE or the file chose a version.
  const fileKind = getPath(obj, ['store', 'kind']);
  if (env.KAITEKI_INFLUX_URL && !env.KAITEKI_STORE && (fileKind === undefined || fileKind === 'embedded')) {
    setPath(obj, ['store', 'kind'], 'influx-v1');
  }
  const result = configSchema.safeParse(obj);
  if (!result.success) issues.push(...zodIssues(result.error, obj, file, fromEnv));
  else if (!opts.typesOnly) issues.push(...semanticIssues(result.data, file));
  if (issues.length > 0) throw new ConfigError(issues);
  const secrets: Secrets = {};
  for (const s of SECRETS) if (env[s.env]) secrets[s.key] = env[s.env];
  return { ...(result.data as z.infer<typeof configSchema>), secrets, source: file };
}

/** Reads a YAML file that must hold a mapping; YAML syntax errors become ConfigErrors with line numbers. */
export function readYamlObject(file: string, mustExist: boolean): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!mustExist && (err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError([{ file, path: '', message: `cannot read the file (${(err as Error).message})` }]);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        file,
        path: e.linePos ? `line ${e.linePos[0].line}` : '',
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  return doc.toJS() ?? {};
}

/** zod issues as `path: expected …, got …`, attributing env-provided keys to their variable. */
export function zodIssues(
  error: z.ZodError,
  input: unknown,
  file: string,
  fromEnv: Map<string, string> = new Map(),
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = formatPath(issue.path, input);
    const source = fromEnv.get(issue.path.join('.'));
    const got = getPath(input, issue.path as (string | number)[]);
    let message = issue.message.replace(/^Invalid input: /, '');
    if (issue.code === 'unrecognized_keys') {
      message = `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')} (misspelt? see config/default.yaml)`;
    } else if (!/, (got|received) /.test(message)) {
      message = `${message}, got ${describe(got)}`;
    } else {
      message = message.replace(/, received (\w+)$/, `, got ${describe(got)}`);
    }
    out.push({ file: source ? `env ${source}` : file, path, message });
  }
  return out;
}

/** `zones[lobby].name`, `sensors[env-1].zone`: a list item with an `id` is named by it, not by its index. */
export function formatPath(path: readonly PropertyKey[], input?: unknown): string {
  let s = '';
  let cur: unknown = input;
  for (const p of path) {
    const item =
      cur !== null && typeof cur === 'object' ? (cur as Record<PropertyKey, unknown>)[p] : undefined;
    if (typeof p === 'number') {
      const id = item !== null && typeof item === 'object' ? (item as { id?: unknown }).id : undefined;
      s += typeof id === 'string' && id !== '' ? `[${id}]` : `[${p}]`;
    } else s += s ? `.${String(p)}` : String(p);
    cur = item;
  }
  return s;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function getPath(obj: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const p of path.slice(0, -1)) {
    if (!isPlainObject(cur[p])) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

function deletePath(obj: Record<string, unknown>, path: string[]): void {
  const parent = getPath(obj, path.slice(0, -1));
  if (isPlainObject(parent)) delete parent[path[path.length - 1]!];
}
