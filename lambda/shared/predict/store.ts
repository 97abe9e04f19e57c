// Reads predictions from the predictions table with a tight latency budget: one deadline per
// attempt, a bounded number of attempts with a short jittered pause, and no SDK-level retries
// (the SDK's default backoff of up to seconds would blow the p99 budget during an outage).
// storeClient() is the SDK client used for the rare registry reads, with the same limits.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { StoredPrediction } from '../predictions/schema';
import { PREDICT_DEFAULTS } from './constants';
import { DynamoError, DynamoReader } from './dynamo-reader';

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
  readonly reader: DynamoReader;
  /** @default PREDICT_DEFAULTS.storeMaxAttempts */
  readonly maxAttempts?: number;
}

/** Predictions read with the lean reader; retries only what is worth retrying, after a short jittered pause. */
export class DynamoPredictionStore implements PredictionStore {
  private readonly maxAttempts: number;

  constructor(private readonly options: DynamoPredictionStoreOptions) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? PREDICT_DEFAULTS.storeMaxAttempts);
  }

  async get(pk: string): Promise<StoredPrediction | undefined> {
    return await this.withRetry(() => this.options.reader.getItem(this.options.tableName, { pk })) as StoredPrediction | undefined;
  }

  async getMany(pks: readonly string[]): Promise<Map<string, StoredPrediction>> {
    const found = new Map<string, StoredPrediction>();
    let pending = [...new Set(pks)].map((pk) => ({ pk }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      const res = await this.withRetry(() => this.options.reader.batchGetItem(this.options.tableName, pending));
      for (const item of res.items) found.set(item.pk as string, item as unknown as StoredPrediction);
      pending = res.unprocessed as Array<{ pk: string }>;
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
        if (attempt >= this.maxAttempts || !(e instanceof DynamoError && e.retryable)) throw e;
        await new Promise((r) => setTimeout(r, 2 + Math.random() * 8));
      }
    }
  }
}
