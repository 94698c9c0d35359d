import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * Root logger: JSON lines on stdout (or stderr for CLI commands), level from
 * config or KAITEKI_LOG_LEVEL. Parts log through `child(name)` so every line
 * carries its namespace (`ingest`, `store:influx-v1`, …).
 */
export function createLogger(level = process.env.KAITEKI_LOG_LEVEL ?? 'info', dest: 1 | 2 = 1): Logger {
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
