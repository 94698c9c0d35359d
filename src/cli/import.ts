import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { AuditLog } from '../audit/audit.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { type Clock, systemClock } from '../core/clock.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { child, createLogger } from '../core/log.js';
import { ImportFileError } from '../import/errors.js';
import type { ImportSummary, ImportTarget } from '../import/importer.js';
import { loadInventory } from '../inventory/inventory.js';
import { openStore, UsageError } from '../report/cli-support.js';
import { type Progress, progressBar } from '../report/progress.js';
import { reaggregateDirty } from '../store/rollup-rebuild.js';
import { newAggregator, rollupSpec } from '../store/rollup-spec.js';

export interface ImportCliOptions {
  dryRun?: boolean;
  encoding?: string;
  url?: string;
  direct?: boolean;
  config?: string;
  quiet?: boolean;
  json?: boolean;
}

/** Exit code when the file was imported but some rows were rejected (listed with their lines). */
export const EXIT_ROWS_REJECTED = 3;

/**
 * `kaiteki import FILE`: past readings from CSV or XLSX. Against a running
 * service (found at the configured HTTP port, or `--url`) the file goes
 * through `POST /api/import` with KAITEKI_ADMIN_TOKEN, so that service
 * serves the readings and rollups at once; with the service stopped (or
 * `--direct`) it is written to the configured store here.
 */
export function registerImportCommand(program: Command): Command {
  return program
    .command('import')
    .description('import past readings from a CSV or XLSX file (columns ts, zone, sensor, quantity, value)')
    .argument('<file>', 'CSV (UTF-8 with or without BOM, or Shift_JIS as Japanese Excel saves it) or XLSX')
    .option('--dry-run', 'validate every row and report, store nothing')
    .option('--encoding <name>', 'CSV encoding instead of detecting it (utf-8, shift_jis, utf-16le)')
    .option(
      '--url <url>',
      'import through this running Kaiteki (POST /api/import, needs KAITEKI_ADMIN_TOKEN); default: the local service if one answers',
    )
    .option('--direct', 'write to the configured store from this process (only while the service is stopped)')
    .option('--config <file>', 'configuration file (default: KAITEKI_CONFIG or config/default.yaml)')
    .option('--quiet', 'no progress output')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
Columns (first row; Japanese headers such as 日時, ゾーン, センサー, 項目, 値, 単位 also work):
  ts        2025-06-10 10:00, 2025/6/10 10:00:00, 2025-06-10T10:00:00+09:00, epoch ms.
            A time WITHOUT an offset is Japan time (JST, UTC+9). XLSX date cells are JST.
  zone      zone id, e.g. lobby (the inventory's zone wins for a registered sensor, as over MQTT)
  sensor    sensor id, e.g. lobby-env
  quantity  co2, temperature, humidity, illuminance, lights, occupancy, waiting,
            wait_minutes, power, energy (or 温度, 湿度, 照度 …)
  value     a number (or on/off for lights)
  unit      optional: converts to the canonical unit (°F, K, Wh, kW, klx …)
  site      optional: default is the configured site

Every row is validated like an MQTT reading (ids, inventory, range, calibration),
but of any age. Importing the same file twice stores each reading once (a reading
is its series and ts; the later value wins). Rollups of every touched hour are
re-aggregated. Imported readings raise no alerts.
Exit codes: 0 all rows stored, ${EXIT_ROWS_REJECTED} some rows rejected (listed with line numbers),
2 the file or a setting is wrong, 1 the store failed.`,
    )
    .action(async (file: string, opts: ImportCliOptions) => {
      try {
        const s = await runImport(file, opts);
        const { describeImport } = await import('../import/importer.js');
        console.log(opts.json ? JSON.stringify(s, null, 2) : describeImport(s, basename(file)));
        if (s.rejected > 0) process.exitCode = EXIT_ROWS_REJECTED;
      } catch (err) {
        console.error(`kaiteki import: ${errorMessage(err)}`);
        process.exitCode =
          err instanceof ConfigError || err instanceof UsageError || err instanceof ImportFileError ? 2 : 1;
      }
    });
}

export async function runImport(
  file: string,
  opts: ImportCliOptions,
  env: Record<string, string | undefined> = process.env,
  clock: Clock = systemClock,
): Promise<ImportSummary> {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  const config = loadConfig(env, opts.config ?? env.KAITEKI_CONFIG);
  const url = opts.url ?? (opts.direct ? undefined : await runningService(config));
  if (url) return importOverHttp(file, size, url, opts, env);
  if (opts.direct && !opts.dryRun && (await runningService(config)))
    console.error(
      'kaiteki import: warning: a service is running on this configuration; with --direct it will not see the rollups of the hours it is still writing — prefer importing through it (drop --direct)',
    );
  return importDirect(readFileSync(file), basename(file), config, opts, clock);
}

/** The local service's base URL when one answers /healthz on the configured port. */
async function runningService(config: Config): Promise<string | undefined> {
  if (config.http.port === 0) return undefined;
  const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`;
  try {
    const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1500) });
    const body = (await res.json()) as { parts?: unknown };
    return body && typeof body === 'object' && 'parts' in body ? base : undefined;
  } catch {
    return undefined;
  }
}

async function importOverHttp(
  file: string,
  size: number,
  url: string,
  opts: ImportCliOptions,
  env: Record<string, string | undefined>,
): Promise<ImportSummary> {
  const token = env.KAITEKI_ADMIN_TOKEN;
  if (!token)
    throw new UsageError(
      `a Kaiteki service is running at ${url}: set KAITEKI_ADMIN_TOKEN to import through it (or stop it and use --direct)`,
    );
  const q = new URLSearchParams();
  if (opts.dryRun) q.set('dryRun', '1');
  if (opts.encoding) q.set('encoding', opts.encoding);
  if (!opts.quiet)
    console.error(`importing through the running service at ${url} (${(size / 1e6).toFixed(1)} MB)…`);
  const res = await fetch(`${url.replace(/\/$/, '')}/api/import${q.size > 0 ? `?${q}` : ''}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/octet-stream',
      'x-filename': encodeURIComponent(basename(file)),
    },
    body: readFileSync(file),
  });
  const body = (await res.json().catch(() => ({}))) as ImportSummary & { error?: string };
  if (res.status === 400) throw new ImportFileError(body.error ?? 'the service refused the file');
  if (res.status === 401) throw new UsageError(body.error ?? 'the service refused the admin token');
  if (!res.ok) throw new Error(body.error ?? `the service answered HTTP ${res.status}`);
  return body;
}

/** Who runs a CLI command, for the audit trail: `cli:<login name>`. */
function cliActor(): string {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.LOGNAME;
  }
  return `cli:${user || 'unknown'}`;
}

async function importDirect(
  bytes: Buffer,
  fileName: string,
  config: Config,
  opts: ImportCliOptions,
  clock: Clock,
): Promise<ImportSummary> {
  // the same audit trail as the service's (<dataDir>/audit.db): a direct import is an admin action too
  const audit = new AuditLog(
    join(config.store.dataDir, 'audit.db'),
    child(createLogger('warn', 2), 'audit'),
    clock,
  );
  let written = 0;
  let summary: ImportSummary | undefined;
  let failure: unknown;
  try {
    summary = await importDirectRun(bytes, config, opts, clock, (n) => {
      written += n;
    });
    return summary;
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    audit.record({
      actor: cliActor(),
      action: 'readings.import',
      target: fileName,
      detail: summary
        ? {
            outcome: 'ok',
            direct: true,
            dryRun: summary.dryRun,
            rows: summary.rows,
            accepted: summary.accepted,
            rejected: summary.rejected,
            from: summary.from,
            to: summary.to,
          }
        : {
            outcome: 'failed',
            direct: true,
            dryRun: opts.dryRun === true,
            accepted: written,
            error: errorMessage(failure),
          },
    });
    audit.close();
  }
}

async function importDirectRun(
  bytes: Buffer,
  config: Config,
  opts: ImportCliOptions,
  clock: Clock,
  onWritten: (n: number) => void,
): Promise<ImportSummary> {
  const { importReadings } = await import('../import/importer.js');
  const inventory = loadInventory(config);
  const spec = rollupSpec(config, inventory);
  const reach = newAggregator(spec);
  const bars: Partial<Record<'rows' | 'rollups', Progress>> = {};
  const onProgress = (phase: 'rows' | 'rollups', done: number, total: number) => {
    if (opts.quiet) return;
    bars[phase] ??= progressBar(phase === 'rows' ? 'import' : 'rollups', total);
    bars[phase]!.update(done, total);
  };
  const run = (target: ImportTarget) =>
    importReadings(bytes, target, {
      config,
      inventory,
      now: clock.now(),
      ...(opts.dryRun ? { dryRun: true } : {}),
      ...(opts.encoding ? { encoding: opts.encoding } : {}),
      onProgress,
    });
  const noStore: ImportTarget = {
    write: async () => {},
    reachMs: (r) => reach.reachMs(r),
    rollups: async () => {},
  };
  if (opts.dryRun) {
    const s = await run(noStore);
    bars.rows?.done();
    return s;
  }
  const { store, close } = await openStore(config);
  try {
    const s = await run({
      write: async (batch) => {
        await store.write(batch);
        onWritten(batch.length);
      },
      reachMs: (r) => reach.reachMs(r),
      rollups: async (touched, progress) => {
        await reaggregateDirty(
          { store, source: (q) => store.raw({ ...q, limit: 5_000_000 }), spec },
          touched,
          { now: clock.now(), ...(progress ? { onProgress: progress } : {}) },
        );
      },
    });
    bars.rows?.done();
    bars.rollups?.done();
    return s;
  } finally {
    await close();
  }
}
