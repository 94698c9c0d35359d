import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { loadInventory } from '../inventory/inventory.js';
import { startFleet } from '../sim/fleet.js';

interface SimOptions {
  url: string;
  config: string;
  speed: string;
  seed: string;
  username?: string;
}

/**
 * `kaiteki sim`: the simulated sensor fleet alone, pointed at any broker, e.g.
 * `kaiteki sim --url mqtt://broker:1883 --config config/takatsu.yaml --speed 10`.
 * The password comes from KAITEKI_MQTT_PASSWORD, never from the command line.
 */
export function registerSimCommand(program: Command): Command {
  return program
    .command('sim')
    .description('run a simulated sensor fleet (the inventory of --config) against an MQTT broker')
    .option(
      '--url <url>',
      'broker URL (mqtt://, mqtts://, ws://)',
      process.env.KAITEKI_MQTT_URL ?? 'mqtt://localhost:1883',
    )
    .option(
      '--config <file>',
      'configuration with zones, hours and inventory',
      process.env.KAITEKI_CONFIG ?? 'config/takatsu.yaml',
    )
    .option(
      '--speed <n>',
      'fast-forward factor: publish this many times as often, days run this many times faster',
      '1',
    )
    .option('--seed <n>', 'model seed: the same seed gives the same simulated days', '1')
    .option('--username <name>', 'broker user name (password from KAITEKI_MQTT_PASSWORD)')
    .action(async (opts: SimOptions) => {
      const speed = Number(opts.speed);
      const seed = Number(opts.seed);
      if (!(speed > 0) || !Number.isInteger(seed)) {
        console.error(
          `kaiteki sim: --speed must be a positive number and --seed an integer (got ${opts.speed}, ${opts.seed})`,
        );
        process.exit(2);
      }
      const log = createLogger(undefined, 2);
      let fleet: ReturnType<typeof startFleet>;
      try {
        const config = loadConfig(process.env, opts.config);
        if (opts.username) config.mqtt.username = opts.username;
        const inventory = loadInventory(config);
        fleet = startFleet({ mqttUrl: opts.url, config, inventory, speed, seed, log });
      } catch (err) {
        console.error(`kaiteki sim: ${errorMessage(err)}`);
        process.exit(err instanceof ConfigError ? 2 : 1);
      }
      console.error(
        `kaiteki sim: ${fleet.sensors.length} simulated sensor(s) publishing to ${opts.url} (Ctrl-C to stop)`,
      );
      let stopping = false;
      const shutdown = async () => {
        if (stopping) process.exit(1);
        stopping = true;
        await fleet.stop();
        process.exit(0);
      };
      process.on('SIGINT', () => void shutdown());
      process.on('SIGTERM', () => void shutdown());
    });
}
