// Reads predictions from the predictions table with a tight latency budget: one deadline per
// attempt, a bounded number of attempts with a short jittered pause, and no SDK-level retries
// (the SDK's default backoff of up to seconds would blow the p99 budget during an outage).
import { StoredPrediction } from '../predictions/schema';
import { PREDICT_DEFAULTS } from './constants';
import { DynamoError, DynamoReader } from './dynamo-reader';

/** What one read of several keys found. */
export interface StoreRead {
  /** Items found, by key; keys without an item are absent. */
  readonly items: Map<string, StoredPrediction>;
  /** Keys the store did not get to (throttling): neither found nor known to be missing. */
  readonly unprocessed: readonly string[];
}

/** Where the predict core reads predictions. */
export interface PredictionStore {
  /** The item with this key, or undefined when there is none. Rejects when the store fails. */
  get(pk: string): Promise<StoredPrediction | undefined>;
  /** Items for up to 100 keys. Rejects only when nothing could be read. */
  getMany(pks: readonly string[]): Promise<StoreRead>;
}

/** The reads the store needs from the lean reader (a wrapper can stand in for it). */
export type PredictionReader = Pick<DynamoReader, 'getItem' | 'batchGetItem'>;

export interface DynamoPredictionStoreOptions {
  readonly tableName: string;
  readonly reader: PredictionReader;
  /** Attempts per request when it fails with a retryable error. @default PREDICT_DEFAULTS.storeMaxAttempts */
  readonly maxAttempts?: number;
  /** BatchGetItem rounds while keys come back unprocessed. @default PREDICT_DEFAULTS.batchGetRounds */
  readonly batchGetRounds?: number;
  /** Pauses between attempts and rounds. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Predictions read with the lean reader; retries only what is worth retrying, after a short
 * jittered pause. Unprocessed BatchGetItem keys are asked again after an exponential backoff
 * (as DynamoDB advises); what the rounds found is kept, whatever happens to the rest.
 */
export class DynamoPredictionStore implements PredictionStore {
  private readonly maxAttempts: number;
  private readonly rounds: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: DynamoPredictionStoreOptions) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? PREDICT_DEFAULTS.storeMaxAttempts);
    this.rounds = Math.max(1, options.batchGetRounds ?? PREDICT_DEFAULTS.batchGetRounds);
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async get(pk: string): Promise<StoredPrediction | undefined> {
    return await this.withRetry(() => this.options.reader.getItem(this.options.tableName, { pk })) as StoredPrediction | undefined;
  }

  async getMany(pks: readonly string[]): Promise<StoreRead> {
    const items = new Map<string, StoredPrediction>();
    let pending = [...new Set(pks)];
    for (let round = 1; pending.length > 0 && round <= this.rounds; round++) {
      if (round > 1) {
        // Equal jitter: between half and all of 10, 20, 40 ... ms.
        const ceiling = PREDICT_DEFAULTS.batchGetBackoffMs * 2 ** (round - 2);
        await this.sleep(ceiling / 2 + Math.random() * ceiling / 2);
      }
      const call = () => this.options.reader.batchGetItem(this.options.tableName, pending.map((pk) => ({ pk })));
      let res: Awaited<ReturnType<typeof call>>;
      try {
        // Later rounds are retries themselves: one attempt each keeps the worst case inside the budget.
        res = await (round === 1 ? this.withRetry(call) : call());
      } catch (e) {
        // A later round failing leaves its keys unread; what earlier rounds found still stands.
        if (round === 1) throw e;
        break;
      }
      for (const item of res.items) items.set(item.pk as string, item as unknown as StoredPrediction);
      pending = res.unprocessed.map((k) => k.pk);
    }
    return { items, unprocessed: pending };
  }

  private async withRetry<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (e) {
        if (attempt >= this.maxAttempts || !(e instanceof DynamoError && e.retryable)) throw e;
        await this.sleep(2 + Math.random() * 8);
      }
    }
  }
}
