import { timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { Logger } from '../core/log.js';
import { parseEnvUsers, parsePasswd, verifyPassword } from './passwd.js';

/**
 * The embedded broker's users: KAITEKI_BROKER_USERS (`name:password,…`, from
 * the environment) and a mosquitto_passwd file, re-read when its size or time
 * changes so `mosquitto_passwd` edits apply at the next connect. An env user
 * wins over a file user of the same name.
 */
export class BrokerUsers {
  private fileUsers = new Map<string, string>();
  private fileStamp = '';
  private readonly envUsers: Map<string, string>;

  constructor(
    private readonly passwordFile: string | null,
    envUsers: string | undefined,
    private readonly log: Logger,
  ) {
    this.envUsers = parseEnvUsers(envUsers);
  }

  /** Loads the password file (if any); a bad or missing file is an error here, at start. */
  start(): void {
    if (this.passwordFile) this.loadPasswordFile(true);
  }

  /** how many users can log in (env and file) */
  get size(): number {
    return this.envUsers.size + this.fileUsers.size;
  }

  /** Whether `name` / `pw` is a valid login (constant-time compare; the file is re-read first when it changed). */
  async check(name: string, pw: Buffer): Promise<boolean> {
    const env = this.envUsers.get(name);
    if (env !== undefined) return safeEqual(pw, Buffer.from(env, 'utf8'));
    if (this.passwordFile) this.loadPasswordFile(false);
    const hash = this.fileUsers.get(name);
    return hash !== undefined && (await verifyPassword(hash, pw));
  }

  /** (Re)reads the password file when its size or time changed; at start a bad file is an error. */
  private loadPasswordFile(atStart: boolean): void {
    const file = this.passwordFile!;
    try {
      const st = statSync(file);
      const stamp = `${st.mtimeMs}:${st.size}`;
      if (stamp === this.fileStamp) return;
      this.fileUsers = parsePasswd(readFileSync(file, 'utf8'), file);
      this.fileStamp = stamp;
      this.log.info({ file, users: this.fileUsers.size }, 'broker password file loaded');
    } catch (err) {
      if (atStart) throw new Error(`mqtt.embedded.passwordFile: ${(err as Error).message}`);
      this.log.error(
        { file, err: (err as Error).message },
        'broker password file not reloaded; keeping the last one',
      );
    }
  }
}

/** Constant-time equality of two secrets (false at once when the lengths differ). */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
