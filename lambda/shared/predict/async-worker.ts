// The worker of the asynchronous composition: one SQS message per job, answered by the model's
// real-time endpoint (the same client as `:invoke`, with the job's longer deadline).
//   start (conditional: QUEUED/RUNNING -> RUNNING; a final job is a duplicate delivery: done)
//   -> served version -> the model -> result to S3 -> SUCCEEDED (conditional on RUNNING)
// A refused input (the model answered 4xx) fails the job at once: retrying cannot help. A
// failure or timeout is retried by SQS (partial batch response); the last delivery marks the
// job FAILED and lets the message go on to the dead-letter queue.
import { AsyncJobMessage } from './async-jobs';
import { AsyncJobStore } from './async-job-store';
import { AsyncResultStore, resultKey } from './async-results';
import { ModelCallError, ModelClient } from './model-client';

/** The fields of an SQS event record the worker reads. */
export interface SqsRecord {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: { readonly ApproximateReceiveCount: string };
}

export interface SqsEvent {
  readonly Records: readonly SqsRecord[];
}

/** Lambda's partial batch response (ReportBatchItemFailures): only these messages are retried. */
export interface SqsBatchResponse {
  readonly batchItemFailures: Array<{ readonly itemIdentifier: string }>;
}

export interface AsyncWorkerOptions {
  readonly model: string;
  readonly store: AsyncJobStore;
  readonly results: AsyncResultStore;
  readonly client: ModelClient;
  /** Deadline of one model call, in milliseconds. */
  readonly timeoutMs: number;
  /** The queue's maxReceiveCount: the delivery that reaches it is the last. */
  readonly maxAttempts: number;
  /** The version the model's endpoint serves for (model, category); undefined when none is served. */
  readonly servedVersion: (model: string, category: string) => Promise<number | undefined>;
  /** @default Date.now */
  readonly now?: () => number;
  /** Structured log of jobs that did not succeed. @default console.log of a JSON line */
  readonly log?: (entry: Record<string, unknown>) => void;
}

type Outcome = 'done' | 'retry';

export class AsyncWorker {
  private readonly now: () => number;
  private readonly log: (entry: Record<string, unknown>) => void;

  constructor(private readonly options: AsyncWorkerOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((entry) => console.log(JSON.stringify(entry)));
  }

  async handle(event: SqsEvent): Promise<SqsBatchResponse> {
    const outcomes = await Promise.all(event.Records.map(async (r) => [r.messageId, await this.processSafely(r)] as const));
    return { batchItemFailures: outcomes.filter(([, o]) => o === 'retry').map(([id]) => ({ itemIdentifier: id })) };
  }

  /** An unexpected error (the table, the bucket) retries the message, and fails the job on its last delivery. */
  private async processSafely(record: SqsRecord): Promise<Outcome> {
    try {
      return await this.process(record);
    } catch (e) {
      this.log({ level: 'ERROR', message: 'job failed unexpectedly', messageId: record.messageId, error: String((e as Error)?.stack ?? e) });
      const jobId = (parseMessage(record.body) as Partial<AsyncJobMessage>).jobId;
      if (jobId && this.isLast(record)) {
        await this.options.store.fail(jobId, `the job failed unexpectedly after ${this.options.maxAttempts} attempt(s); it was logged`, this.iso()).catch(() => undefined);
      }
      return 'retry';
    }
  }

  private isLast(record: SqsRecord): boolean {
    return Number(record.attributes.ApproximateReceiveCount) >= this.options.maxAttempts;
  }

  private async process(record: SqsRecord): Promise<Outcome> {
    const message = parseMessage(record.body);
    if (typeof message === 'string' || message.model !== this.options.model) {
      // Not a job of this model: only the dead-letter queue can show it to someone.
      this.log({ level: 'ERROR', message: 'not a job message of this model', messageId: record.messageId, reason: typeof message === 'string' ? message : `model ${message.model}` });
      return 'retry';
    }
    const { jobId, model, category, entityId, features } = message;
    const store = this.options.store;
    if (!await store.start(jobId, this.iso())) return 'done';
    const version = await this.options.servedVersion(model, category);
    if (version === undefined) {
      await store.fail(jobId, `no version of ${model} (${category}) is served yet: promote one, then submit again`, this.iso());
      return 'done';
    }
    const last = this.isLast(record);
    try {
      const prediction = await this.options.client.invoke(entityId === undefined ? { features } : { features, entityId }, this.options.timeoutMs);
      const key = resultKey(model, jobId);
      const generatedAt = this.iso();
      await this.options.results.put(key, { jobId, model, category, entityId, version, prediction, generatedAt });
      await store.succeed(jobId, version, key, generatedAt);
      return 'done';
    } catch (e) {
      if (!(e instanceof ModelCallError)) throw e;
      this.log({ level: 'WARN', message: 'model call failed', jobId, model, category, version, kind: e.kind, error: e.message, receiveCount: record.attributes.ApproximateReceiveCount, last });
      if (e.kind === 'refused') {
        await store.fail(jobId, e.message, this.iso(), version);
        return 'done';
      }
      if (last) await store.fail(jobId, `${e.message} (after ${this.options.maxAttempts} attempt(s))`, this.iso(), version);
      return 'retry';
    }
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}

/** The job message, or why it is not one. */
function parseMessage(body: string): AsyncJobMessage | string {
  let m: unknown;
  try { m = JSON.parse(body); } catch { return 'the body is not JSON'; }
  if (typeof m !== 'object' || m === null) return 'the body is not an object';
  const r = m as Record<string, unknown>;
  if (typeof r.jobId !== 'string' || typeof r.model !== 'string' || typeof r.category !== 'string') return 'jobId, model or category is missing';
  if (typeof r.features !== 'object' || r.features === null || Array.isArray(r.features)) return 'features is not an object';
  if (r.entityId !== undefined && typeof r.entityId !== 'string') return 'entityId is not a string';
  return r as unknown as AsyncJobMessage;
}
