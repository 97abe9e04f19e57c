// CLI errors carry their exit code (describe-error.ts maps every other error onto the same codes).

/** Exit codes: scripts may rely on them. */
export const EXIT = {
  ok: 0,
  /** Bad command line or invalid input. */
  usage: 1,
  /** Model, version, run, execution or platform not found. */
  notFound: 2,
  /** State conflict: lost a race, rejected version, nothing to roll back to. */
  conflict: 3,
  /** Anything else: AWS errors, credentials, network, a failed training execution. */
  other: 4,
} as const;

/** An error the CLI reports as `error: <message>` + `fix: <fix>` and exits with `code`. */
export class CliError extends Error {
  constructor(message: string, readonly fix: string, readonly code: number) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string, fix: string) { super(message, fix, EXIT.usage); }
}

export class NotFound extends CliError {
  constructor(message: string, fix: string) { super(message, fix, EXIT.notFound); }
}
