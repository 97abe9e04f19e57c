// Results of asynchronous jobs: one JSON document per job in the model's results bucket, under
// a key derived from the job, so a retried worker overwrites its own result instead of adding one.
// The S3 implementation is in async-s3-results.ts, loaded only where results are read or written.

/** The result document of a succeeded job. */
export interface AsyncResult {
  readonly jobId: string;
  readonly model: string;
  readonly category: string;
  readonly entityId?: string;
  readonly version: number;
  readonly prediction: unknown;
  readonly generatedAt: string;
}

export interface AsyncResultStore {
  put(key: string, result: AsyncResult): Promise<void>;
  /** The result, or undefined when it is gone. */
  get(key: string): Promise<AsyncResult | undefined>;
}

/** Key of a job's result document. */
export function resultKey(model: string, jobId: string): string {
  return `results/${model}/${jobId}.json`;
}
