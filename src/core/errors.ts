/** Base error: says whether trying again can help. */
export class KaitekiError extends Error {
  readonly retryable: boolean;
  constructor(message: string, opts: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.retryable = opts.retryable ?? false;
  }
}

/** One problem in a configuration file. */
export interface ConfigIssue {
  file: string;
  path: string;
  message: string;
}

/** Every problem of a configuration at once, as `file: path.to.key: expected …, got …`. */
export class ConfigError extends KaitekiError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super(
      `invalid configuration:\n${issues.map((i) => `  ${i.file}: ${i.path || '(root)'}: ${i.message}`).join('\n')}`,
    );
    this.issues = issues;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
