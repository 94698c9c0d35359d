import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { App } from './app.js';
import { registerImportCommand } from './cli/import.js';
import { registerRecordCommand } from './cli/record.js';
import { registerReportCommands } from './cli/report.js';
import { registerRollupsCommand } from './cli/rollups.js';
import { registerSimCommand } from './cli/sim.js';
import { checkConfig } from './config/check.js';
import { loadConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { ConfigError, errorMessage } from './core/errors.js';

/** `kaiteki <command>`: the service, the demo, config checks (and reports, see `kaiteki --help`). */
export function buildProgram(): Command {
  const program = new Command('kaiteki')
    .description('Kaiteki (快適): amenity and environment monitoring for public buildings')
    .showHelpAfterError()
    .addHelpText(
      'after',
      `
Configuration: YAML chosen with KAITEKI_CONFIG (default config/default.yaml);
environment overrides such as KAITEKI_MQTT_URL, KAITEKI_INFLUX_URL, PORT;
secrets only from the environment (KAITEKI_ADMIN_TOKEN, KAITEKI_MQTT_PASSWORD, …).
See README.md.`,
    );

  program
    .command('start')
    .description('run the service (embedded MQTT broker and store when none is configured)')
    .action(async () => {
      await runService(loadConfigOrExit());
    });

  program
    .command('demo')
    .description('run the service plus a simulated Takatsu Ward Office sensor fleet (config/takatsu.yaml)')
    .option('--speed <n>', 'simulated time runs this many times faster for queues and episodes', '1')
    .option(
      '--episode <spec>',
      'force an episode, e.g. lobby-env:co2=1500:15m (sensor:quantity=value:duration), to see an alert fire and clear',
    )
    .action(async (opts: { speed: string; episode?: string }) => {
      const episode = opts.episode === undefined ? undefined : parseEpisode(opts.episode);
      process.env.KAITEKI_CONFIG ??= DEMO_CONFIG;
      process.env.KAITEKI_DATA_DIR ??= DEMO_DATA_DIR;
      const config = loadConfigOrExit();
      await runService(config, async (app) => {
        const { startFleet } = await import('./sim/fleet.js');
        const { seedRecentHistory } = await import('./sim/history.js');
        // Six hours of the model's past first, so the wall's trends are not empty on a fresh demo.
        const seeded = await seedRecentHistory(app.store, config, app.ctx.inventory, {
          now: app.ctx.clock.now(),
          queueWeeks: 8, // the visitor page's usual pattern by weekday (/visit)
        });
        if (seeded > 0)
          app.ctx.log.info({ readings: seeded }, 'demo: seeded the last 6 hours from the simulator model');
        const fleet = await startFleet({
          mqttUrl: app.mqttUrl,
          config,
          inventory: app.ctx.inventory,
          speed: Number(opts.speed),
          log: app.ctx.log,
        });
        await fleet
          .ready()
          .catch((e) => app.ctx.log.warn({ err: errorMessage(e) }, 'simulated sensors not connected yet'));
        const others = app.urls.filter((u) => !u.includes('127.0.0.1') && !u.includes('[::1]'));
        console.error(
          `Kaiteki demo: open ${app.url.replace('127.0.0.1', 'localhost')}${others.length > 0 ? ` (from other machines: ${others.join(', ')})` : ''} — simulated sensors are publishing.`,
        );
        if (episode) {
          try {
            fleet.force(episode.sensor, episode.quantity, episode.value, episode.durationMs);
            console.error(`Kaiteki demo: episode ${opts.episode} forced; it ends by itself.`);
          } catch (err) {
            console.error(`kaiteki: --episode: ${errorMessage(err)}`);
          }
        }
        return () => fleet.stop();
      });
    });

  program
    .command('check-config')
    .description(
      'validate the configuration and the sensor inventory, print a summary, exit non-zero on problems',
    )
    .action(() => {
      // config, inventory and rules file: every problem of all three at once
      const { issues, config, inventory, rules } = checkConfig();
      if (issues.length > 0 || !config || !inventory) {
        console.error(
          `kaiteki: ${issues.length} problem(s):\n${issues.map((i) => `  ${i.file}: ${i.path || '(root)'}: ${i.message}`).join('\n')}`,
        );
        process.exit(2);
      }
      console.log(
        `${config.source}: OK — site ${config.site.id}, ${config.zones.length} zone(s), ${inventory.sensors.length} sensor(s), ${rules ?? 0} rule(s), store ${config.store.kind}, broker ${config.mqtt.url ?? `embedded :${config.mqtt.embedded.port}`}`,
      );
    });

  // After `npm run demo`, the next commands (backfill, report, record …) work on the demo's site, as the README says.
  program.hook('preAction', (_program, action) => {
    if (['start', 'demo', 'sim'].includes(action.name()) || action.opts().config !== undefined) return;
    const note = useDemoSite(process.env);
    if (note) console.error(note);
  });

  registerReportCommands(program);
  registerRecordCommand(program);
  registerImportCommand(program);
  registerRollupsCommand(program);
  registerSimCommand(program);
  return program;
}

export const DEMO_CONFIG = 'config/takatsu.yaml';
export const DEMO_DATA_DIR = './data/demo';

/**
 * The demo keeps its site in config/takatsu.yaml and its data in ./data/demo.
 * When neither KAITEKI_CONFIG nor KAITEKI_DATA_DIR is set, the demo has run
 * here and no service of the default config has (no ./data/kaiteki.db or
 * outbox.db), the CLI uses the demo's site too; it says so. Returns the note.
 */
export function useDemoSite(
  env: Record<string, string | undefined>,
  exists: (path: string) => boolean = existsSync,
): string | undefined {
  if (env.KAITEKI_CONFIG || env.KAITEKI_DATA_DIR) return undefined;
  if (!exists(DEMO_DATA_DIR) || exists('./data/kaiteki.db') || exists('./data/outbox.db')) return undefined;
  env.KAITEKI_CONFIG = DEMO_CONFIG;
  env.KAITEKI_DATA_DIR = DEMO_DATA_DIR;
  return `kaiteki: using the demo's site (${DEMO_CONFIG}, data in ${DEMO_DATA_DIR}); set KAITEKI_CONFIG to use your own`;
}

/** `lobby-env:co2=1500:15m` → what to force; bad specs exit 2 with the expected form. */
function parseEpisode(spec: string): {
  sensor: string;
  quantity: string;
  value: number;
  durationMs: number;
} {
  const m = /^([a-z0-9][a-z0-9_-]*):([a-z0-9_]+)=(-?\d+(?:\.\d+)?):(\d+)(s|m|h)$/.exec(spec);
  if (!m) {
    console.error(
      `kaiteki: --episode: expected sensor:quantity=value:duration like lobby-env:co2=1500:15m, got "${spec}"`,
    );
    process.exit(2);
  }
  const unit = { s: 1000, m: 60_000, h: 3_600_000 }[m[5] as 's' | 'm' | 'h'];
  return { sensor: m[1]!, quantity: m[2]!, value: Number(m[3]), durationMs: Number(m[4]) * unit };
}

function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    return exitOnConfigError(err);
  }
}

function exitOnConfigError(err: unknown): never {
  if (err instanceof ConfigError) {
    console.error(`kaiteki: ${err.message}`);
    process.exit(2);
  }
  throw err;
}

async function runService(config: Config, after?: (app: App) => Promise<() => Promise<void>>): Promise<void> {
  let app: App;
  try {
    app = new App({ config });
  } catch (err) {
    exitOnConfigError(err);
  }
  try {
    await app.start();
  } catch (err) {
    console.error(`kaiteki: could not start: ${errorMessage(err)}`);
    process.exit(1);
  }
  const cleanup = after ? await after(app) : undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) process.exit(1); // second Ctrl-C: leave now
    stopping = true;
    app.ctx.log.info({ signal }, 'stopping');
    await cleanup?.();
    await app.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

await buildProgram().parseAsync(process.argv);
