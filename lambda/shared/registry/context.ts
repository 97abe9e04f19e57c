import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** What every registry operation needs: the client, the table, a clock and a retry policy. */
export interface RegistryContext {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now: () => Date;
  /** Attempts for optimistic-concurrency loops before giving up with a ConflictError. */
  readonly maxAttempts: number;
}

/** Full-jitter exponential backoff: 10 ms base, capped at 250 ms. */
export function backoff(attempt: number): Promise<void> {
  const cap = Math.min(250, 10 * 2 ** Math.min(attempt, 10));
  return new Promise((r) => setTimeout(r, Math.random() * cap));
}

/** Reasons of a TransactionCanceledException, one per transaction item ('None' where it passed). */
export function cancellationCodes(e: unknown): string[] | undefined {
  const err = e as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
  if (err?.name !== 'TransactionCanceledException') return undefined;
  return (err.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
}

export function isTransientTransactionError(e: unknown): boolean {
  const name = (e as { name?: string })?.name;
  return name === 'TransactionConflictException' || name === 'ProvisionedThroughputExceededException' || name === 'ThrottlingException';
}

export function encodeToken(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

export function decodeToken(token: string | undefined): Record<string, unknown> | undefined {
  if (token === undefined) return undefined;
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch { /* fall through */ }
  // Imported lazily to keep this helper free of cycles.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ValidationError } = require('./errors') as typeof import('./errors');
  throw new ValidationError('nextToken', token, 'pass the nextToken returned by the previous page unchanged');
}

/** Every item of a paged listing, following `nextToken` to the end. */
export async function allPages<T>(page: (nextToken: string | undefined) => Promise<{ items: T[]; nextToken?: string }>): Promise<T[]> {
  const out: T[] = [];
  let nextToken: string | undefined;
  do {
    const p = await page(nextToken);
    out.push(...p.items);
    nextToken = p.nextToken;
  } while (nextToken);
  return out;
}

/** Strips key and bookkeeping attributes from a stored item. */
export function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, entity: _e, ...rest } = item;
  return rest as T;
}
