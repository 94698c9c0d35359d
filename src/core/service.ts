/**
 * A part of the running service with a lifecycle. The app starts each one in
 * its own try/catch, so one broken part is logged and counted while the rest
 * runs. Constructors only assign fields; all I/O starts in `start()`.
 */
export interface Service {
  readonly name: string;
  /** Connects, listens, schedules. May be called once. */
  start(): Promise<void>;
  /** Releases everything `start()` took; safe to call after a failed start and more than once. */
  stop(): Promise<void>;
}
