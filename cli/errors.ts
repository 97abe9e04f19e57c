// CLI errors carry their exit code; registry errors map onto the same codes.
import { RegistryError } from '../lambda/shared/registry';

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

/** Exit code and text of any error thrown by a command. */
export function describeError(e: unknown): { code: number; message: string; fix?: string } {
  if (e instanceof CliError) return { code: e.code, message: e.message, fix: e.fix };
  if (e instanceof RegistryError) {
    const code = e.code === 'VALIDATION' ? EXIT.usage : e.code === 'NOT_FOUND' ? EXIT.notFound : EXIT.conflict;
    return { code, message: e.message };
  }
  const err = e as { name?: string; message?: string };
  const name = err?.name ?? '';
  if (/CredentialsProviderError|ExpiredToken|UnrecognizedClient|InvalidClientTokenId|InvalidSignature/.test(name)) {
    return { code: EXIT.other, message: `AWS rejected the credentials (${name}: ${err.message})`, fix: 'log in (e.g. `aws sso login`) or set AWS_PROFILE, then retry' };
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return { code: EXIT.other, message: `access denied: ${err.message}`, fix: 'ask the platform team for the data-scientist role, or check AWS_PROFILE' };
  }
  if (name === 'ResourceNotFoundException') {
    return { code: EXIT.notFound, message: err.message ?? name, fix: 'check --platform / --registry-table: the table or resource does not exist in this account and region' };
  }
  return { code: EXIT.other, message: `${name ? `${name}: ` : ''}${err?.message ?? String(e)}` };
}
