// Loads predictions into the predictions table: BatchWriteItem in chunks of 25, retrying
// unprocessed items and throttled calls with full-jitter exponential backoff until every item
// lands. Keys are deterministic, so re-running a file or a day overwrites the same items
// (idempotent). When items still fail after all attempts the load throws, so the caller
// (Step Functions) retries the whole file instead of losing items silently.
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENTITY_ID_FIX, isEntityId } from '../entity-id';
import { ValidationError } from '../registry/errors';
import { StoredPrediction, predictionKey } from './schema';
import { BATCH_DEFAULTS } from './constants';
import { assertStorable } from './storable';

export interface BatchContext {
  readonly model: string;
  readonly category: string;
  readonly version: number;
  /** When the batch was generated; expiresAt = generatedAt + ttlHours. */
  readonly generatedAt: Date;
  readonly ttlHours: number;
}

/**
 * One line of the scoring output: `{"entityId": "...", "prediction": <any JSON>}`, as the item
 * to store. Throws a ValidationError (the line counts as failed, with that reason) for an entity
 * id the server would reject or a prediction DynamoDB cannot store.
 */
export function toItem(line: unknown, ctx: BatchContext): StoredPrediction {
  if (typeof line !== 'object' || line === null || Array.isArray(line)) throw new ValidationError('line', line, 'write one JSON object per line: {"entityId": "...", "prediction": ...}');
  const { entityId, prediction } = line as { entityId?: unknown; prediction?: unknown };
  if (!isEntityId(entityId)) throw new ValidationError('entityId', entityId, ENTITY_ID_FIX);
  if (prediction === undefined) throw new ValidationError('prediction', prediction, 'write the model output for the entity (any JSON value)');
  const item: StoredPrediction = {
    pk: predictionKey(ctx.model, ctx.category, ctx.version, entityId),
    model: ctx.model,
    category: ctx.category,
    version: ctx.version,
    entityId,
    prediction,
    generatedAt: ctx.generatedAt.toISOString(),
    expiresAt: Math.floor(ctx.generatedAt.getTime() / 1000) + Math.round(ctx.ttlHours * 3600),
  };
  assertStorable({ ...item });
  return item;
}

export interface WriteOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  /** @default BATCH_DEFAULTS.maxAttempts */
  readonly maxAttempts?: number;
  /** @default BATCH_DEFAULTS.baseDelayMs */
  readonly baseDelayMs?: number;
  /** @default BATCH_DEFAULTS.maxDelayMs */
  readonly maxDelayMs?: number;
  /** @default BATCH_DEFAULTS.writeConcurrency */
  readonly concurrency?: number;
  /** Injected in tests to avoid real waits. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface WriteResult {
  readonly written: number;
  /** BatchWriteItem calls that returned unprocessed items or were throttled (and were retried). */
  readonly retries: number;
}

/** Thrown when items could not be written after every attempt; the whole input may be retried. */
export class LoadIncompleteError extends Error {
  constructor(readonly unwritten: number, readonly attempts: number, cause?: unknown) {
    super(`${unwritten} prediction(s) were not written after ${attempts} attempts (last error: ${cause === undefined ? 'unprocessed items' : String((cause as Error).message ?? cause)}); the load is idempotent: retry it`);
    this.name = 'LoadIncompleteError';
  }
}

const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded',
  'InternalServerError', 'ServiceUnavailable', 'TimeoutError', 'AbortError',
]);

function isRetryable(e: unknown): boolean {
  const err = e as { name?: string; code?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (RETRYABLE.has(err?.name ?? '') || err?.$retryable) return true;
  if ((err?.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  return ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE'].includes(err?.code ?? '');
}

/** Full-jitter exponential backoff: uniform in [0, min(max, base * 2^attempt)). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return random() * Math.min(maxMs, baseMs * 2 ** attempt);
}

/**
 * Writes the items (deduplicated by key: the last one wins, as BatchWriteItem refuses
 * duplicate keys in one request). Resolves when every item is written.
 */
export async function writeItems(options: WriteOptions, items: readonly StoredPrediction[]): Promise<WriteResult> {
  const unique = [...new Map(items.map((i) => [i.pk, i])).values()];
  const chunks: StoredPrediction[][] = [];
  for (let i = 0; i < unique.length; i += 25) chunks.push(unique.slice(i, i + 25));
  let next = 0;
  let retries = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++];
      // Not `retries += await ...`: that reads `retries` before the await and loses the other workers' counts.
      const chunkRetries = await writeChunk(options, chunk);
      retries += chunkRetries;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? BATCH_DEFAULTS.writeConcurrency, chunks.length) }, worker));
  return { written: unique.length, retries };
}

async function writeChunk(options: WriteOptions, chunk: StoredPrediction[]): Promise<number> {
  const maxAttempts = options.maxAttempts ?? BATCH_DEFAULTS.maxAttempts;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let pending: Array<{ PutRequest: { Item: Record<string, unknown> } }> = chunk.map((Item) => ({ PutRequest: { Item: { ...Item } } }));
  let lastError: unknown;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    if (attempt > 0) await sleep(backoffDelay(attempt, options.baseDelayMs ?? BATCH_DEFAULTS.baseDelayMs, options.maxDelayMs ?? BATCH_DEFAULTS.maxDelayMs));
    try {
      const res = await options.doc.send(new BatchWriteCommand({ RequestItems: { [options.tableName]: pending } }));
      const unprocessed = res.UnprocessedItems?.[options.tableName] ?? [];
      if (unprocessed.length === 0) return attempt;
      pending = unprocessed as typeof pending;
      lastError = undefined;
    } catch (e) {
      if (!isRetryable(e)) throw e;
      lastError = e;
    }
  }
  throw new LoadIncompleteError(pending.length, maxAttempts, lastError);
}
