import { type Logger, pino } from 'pino';
import { toJstIso } from './jst.js';

export type { Logger };

/**
 * Root logger. Parts log through `child(log, name)` so every line carries its
 * namespace (`ingest`, `store:influx-v1`, …). JSON lines for machines; on a
 * terminal (or KAITEKI_LOG_PRETTY=1) human-readable lines with JST times.
 * `dest` 2 sends logs to stderr, for CLI commands whose stdout is data.
 */
export function createLogger(level = process.env.KAITEKI_LOG_LEVEL ?? 'info', dest: 1 | 2 = 1): Logger {
  const pretty = process.env.KAITEKI_LOG_PRETTY
    ? process.env.KAITEKI_LOG_PRETTY === '1'
    : Boolean(dest === 1 ? process.stdout.isTTY : process.stderr.isTTY);
  if (pretty) {
    return pino({
      level,
      base: undefined,
      // People read these: show JST (machines get UTC in the JSON lines below).
      timestamp: () => `,"time":"${toJstIso(Date.now())}"`,
      transport: {
        target: 'pino-pretty',
        options: {
          destination: dest,
          translateTime: false,
          messageKey: 'msg',
          ignore: 'ns',
          messageFormat: '[{ns}] {msg}',
          colorize: true,
          singleLine: true,
        },
      },
    });
  }
  return pino(
    { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest, sync: false }),
  );
}

export function child(log: Logger, ns: string): Logger {
  return log.child({ ns });
}

/** A logger that drops everything (tests that assert on counters, not lines). */
export const silentLogger: Logger = pino({ level: 'silent' });
