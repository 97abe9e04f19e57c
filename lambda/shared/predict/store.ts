// Reads predictions from the predictions table with a tight latency budget: one deadline per
// attempt, a bounded number of attempts with a short jittered pause, and no SDK-level retries
// (the SDK's default backoff of up to seconds would blow the p99 budget during an outage).
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { StoredPrediction } from '../predictions/schema';
import { PREDICT_DEFAULTS } from './constants';

/** Where the predict core reads predictions. */
export interface PredictionStore {
  /** The item with this key, or undefined when there is none. Rejects when the store fails. */
  get(pk: string): Promise<StoredPrediction | undefined>;
  /** Items for up to 100 keys (missing keys are absent). Rejects when the store fails. */
  getMany(pks: readonly string[]): Promise<Map<string, StoredPrediction>>;
}

export interface StoreClientOptions {
  /** @default PREDICT_DEFAULTS.storeTimeoutMs */
  readonly timeoutMs?: number;
}

/**
 * A DynamoDB client tuned for the hot path: keep-alive connections, connection and socket
 * timeouts equal to the request deadline, and a single SDK attempt (retries are ours).
 */
export function storeClient(config: DynamoDBClientConfig = {}, options: StoreClientOptions = {}): DynamoDBClient {
  const timeout = options.timeoutMs ?? PREDICT_DEFAULTS.storeTimeoutMs;
  return new DynamoDBClient({
    ...config,
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: timeout,
      requestTimeout: timeout,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 256 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
    },
  });
}

export interface DynamoPredictionStoreOptions {
  readonly tableName: string;
  readonly doc: DynamoDBDocumentClient;
  /** @default PREDICT_DEFAULTS.storeTimeoutMs */
  readonly timeoutMs?: number;
  /** @default PREDICT_DEFAULTS.storeMaxAttempts */
  readonly maxAttempts?: number;
}

const NOT_RETRYABLE = new Set(['ValidationException', 'ResourceNotFoundException', 'AccessDeniedException', 'UnrecognizedClientException']);

export class DynamoPredictionStore implements PredictionStore {
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;

  constructor(private readonly options: DynamoPredictionStoreOptions) {
    this.timeoutMs = options.timeoutMs ?? PREDICT_DEFAULTS.storeTimeoutMs;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? PREDICT_DEFAULTS.storeMaxAttempts);
  }

  async get(pk: string): Promise<StoredPrediction | undefined> {
    const res = await this.withRetry(() => this.options.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: { pk } }),
      { abortSignal: AbortSignal.timeout(this.timeoutMs) },
    ));
    return res.Item as StoredPrediction | undefined;
  }

  async getMany(pks: readonly string[]): Promise<Map<string, StoredPrediction>> {
    const found = new Map<string, StoredPrediction>();
    let pending = [...new Set(pks)].map((pk) => ({ pk }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      const res = await this.withRetry(() => this.options.doc.send(
        new BatchGetCommand({ RequestItems: { [this.options.tableName]: { Keys: pending } } }),
        { abortSignal: AbortSignal.timeout(this.timeoutMs) },
      ));
      for (const item of res.Responses?.[this.options.tableName] ?? []) found.set(item.pk as string, item as StoredPrediction);
      pending = (res.UnprocessedKeys?.[this.options.tableName]?.Keys ?? []) as Array<{ pk: string }>;
      if (pending.length > 0 && attempt >= this.maxAttempts) {
        throw new Error(`${pending.length} key(s) stayed unprocessed after ${attempt} attempt(s)`);
      }
    }
    return found;
  }

  private async withRetry<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (e) {
        if (attempt >= this.maxAttempts || NOT_RETRYABLE.has((e as { name?: string }).name ?? '')) throw e;
        await new Promise((r) => setTimeout(r, 2 + Math.random() * 8));
      }
    }
  }
}
