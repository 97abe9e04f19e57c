import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from './errors';

/** What every registry operation needs: the client, the table, a clock and a retry policy. */
export interface RegistryContext {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now: () => Date;
  /** Attempts for optimistic-concurrency loops before giving up with a ConflictError. */
  readonly maxAttempts: number;
  /** Copies an experiment version's artifact under runs/ on promotion; without it such a promotion is refused. */
  readonly s3?: S3Client;
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

/**
 * What the page key of one listing looks like: each key attribute with its exact value or its
 * prefix. A token is only accepted when it decodes to exactly these attributes, all strings, so
 * a token that was edited, truncated or taken from another listing is a ValidationError (CLI
 * exit 1) instead of a raw DynamoDB ValidationException.
 */
export type PageKeyShape = Readonly<Record<string, { readonly equals: string } | { readonly startsWith: string }>>;

export function decodeToken(token: string | undefined, shape: PageKeyShape): Record<string, unknown> | undefined {
  if (token === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!matchesShape(key, shape)) {
    throw new ValidationError('nextToken', token, 'pass the nextToken returned by the previous page of the same listing, unchanged (or leave it out to start from the first page)');
  }
  return key;
}

function matchesShape(key: unknown, shape: PageKeyShape): key is Record<string, string> {
  if (!key || typeof key !== 'object' || Array.isArray(key)) return false;
  const attrs = Object.keys(key);
  if (attrs.length !== Object.keys(shape).length) return false;
  return attrs.every((name) => {
    const rule = Object.hasOwn(shape, name) ? shape[name] : undefined;
    const value = (key as Record<string, unknown>)[name];
    if (rule === undefined || typeof value !== 'string') return false;
    return 'equals' in rule ? value === rule.equals : value.startsWith(rule.startsWith) && value.length > rule.startsWith.length;
  });
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
