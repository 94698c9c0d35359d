import { Child } from './child.js';

export interface PublishDone {
  ev: 'done';
  t0: number;
  t1: number;
  sent: number;
  acked: number;
  alarms: number;
}

export interface PublishJob {
  mode: 'burst' | 'paced';
  count?: number;
  rate?: number;
  durationMs?: number;
  alarmEveryMs?: number;
}

/**
 * Runs one publisher fleet job in its own process: connects, then starts on
 * `go()` and resolves `done` with the publish start time and counts.
 */
export async function publisher(
  url: string,
  sizes: { sensors: number; connections: number },
  job: PublishJob,
  timeoutMs: number,
): Promise<{ go(): Promise<PublishDone>; halt(): void; close(): Promise<void> }> {
  const child = new Child('publisher', 'publisher.ts');
  await child.ask({ cmd: 'run', url, qos: 1, ...sizes, ...job }, 'ready', 30_000);
  return {
    go: async () => {
      const done = child.next<PublishDone>('done', timeoutMs);
      child.send({ cmd: 'go' });
      return done;
    },
    /** end a paced job now */
    halt: () => child.send({ cmd: 'halt' }),
    close: () => child.stop(5000),
  };
}
