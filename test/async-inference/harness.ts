// The asynchronous composition run locally: the front end's AsyncJobs and the worker over a jobs
// table in DynamoDB Local and a results bucket in the S3 emulator, the model a real serve process.
// There is no SQS emulator: `SqsSimulation` holds the sent messages and delivers them to the
// worker as SQS event records, redelivering the batch item failures with a growing
// ApproximateReceiveCount until maxReceiveCount, then moving them to its dead-letter list, as
// the queue's redrive policy does.
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { AsyncJobMessage, AsyncJobQueue, AsyncJobs } from '../../lambda/shared/predict/async-jobs';
import { AsyncJobStore, JOB_TABLE_KEY, JOB_TTL_ATTRIBUTE } from '../../lambda/shared/predict/async-job-store';
import { S3ResultStore } from '../../lambda/shared/predict/async-s3-results';
import { AsyncWorker, SqsRecord } from '../../lambda/shared/predict/async-worker';
import { parseServingConfig } from '../../lambda/shared/predict/config';
import { PredictCore } from '../../lambda/shared/predict/core';
import { ModelClient } from '../../lambda/shared/predict/model-client';
import { PredictionStore } from '../../lambda/shared/predict/store';
import { createLocalTable, localDoc } from '../support/dynamo';
import { s3Endpoint } from '../support/endpoints';

export const MODEL = 'demand-forecast';
// Relative to the wall clock: DynamoDB Local runs TTL deletion by it, so a fixed past date would
// let it delete fresh job items mid-test; the next whole hour keeps every expiry ahead of it.
export const NOW = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
/** The test clock's time `ms` after NOW, as ISO. */
export const iso = (ms = 0) => new Date(NOW + ms).toISOString();

export function s3Client(): S3Client {
  return new S3Client({ endpoint: s3Endpoint(), forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
}

/** SQS's delivery semantics, as far as the worker can tell them apart. */
export class SqsSimulation implements AsyncJobQueue {
  readonly visible: Array<{ id: string; body: string; receiveCount: number }> = [];
  readonly deadLetters: Array<{ id: string; body: string; receiveCount: number }> = [];
  private n = 0;

  constructor(private readonly maxReceiveCount: number) {}

  async send(message: AsyncJobMessage): Promise<void> {
    this.visible.push({ id: `msg-${++this.n}`, body: JSON.stringify(message), receiveCount: 0 });
  }

  /** Delivers every visible message once, as one batch; returns the records delivered. */
  async deliver(worker: AsyncWorker): Promise<SqsRecord[]> {
    const batch = this.visible.splice(0);
    for (const m of batch) m.receiveCount++;
    const records = batch.map((m) => ({ messageId: m.id, body: m.body, attributes: { ApproximateReceiveCount: String(m.receiveCount) } }));
    const { batchItemFailures } = await worker.handle({ Records: records });
    const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
    for (const m of batch) {
      if (!failed.has(m.id)) continue;
      (m.receiveCount >= this.maxReceiveCount ? this.deadLetters : this.visible).push(m);
    }
    return records;
  }

  /** Delivers until the queue is empty (each message at most maxReceiveCount times). */
  async drain(worker: AsyncWorker): Promise<void> {
    while (this.visible.length) await this.deliver(worker);
  }
}

const noPredictions: PredictionStore = {
  async get() { return undefined; },
  async getMany() { return { items: new Map(), unprocessed: [] }; },
};

export interface AsyncSetup {
  readonly jobs: AsyncJobs;
  readonly worker: AsyncWorker;
  readonly queue: SqsSimulation;
  readonly store: AsyncJobStore;
  readonly clock: { t: number };
  readonly logs: Array<Record<string, unknown>>;
}

export interface AsyncSetupOptions {
  readonly client: ModelClient;
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly retentionSeconds?: number;
  readonly maxPayloadBytes?: number;
  readonly version?: { v: number | undefined };
}

let tables: Promise<{ table: string; bucket: string }> | undefined;

/** One jobs table and results bucket per test file (job ids are unique, so tests share them). */
function resources(): Promise<{ table: string; bucket: string }> {
  tables ??= (async () => {
    const table = await createLocalTable('async-jobs', { partitionKey: JOB_TABLE_KEY, ttlAttribute: JOB_TTL_ATTRIBUTE });
    const bucket = `async-results-${process.pid}-${Date.now()}`;
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
    return { table, bucket };
  })();
  return tables;
}

export async function setupAsync(o: AsyncSetupOptions): Promise<AsyncSetup> {
  const { table, bucket } = await resources();
  const clock = { t: NOW };
  const version = o.version ?? { v: 3 };
  const core = new PredictCore({
    config: parseServingConfig({ models: { [MODEL]: { categories: ['books', 'toys'] }, 'batch-only': { categories: ['books'] } } }),
    store: noPredictions,
    production: async () => version.v,
    now: () => clock.t,
  });
  const store = new AsyncJobStore(localDoc(), table);
  const results = new S3ResultStore(s3Client(), bucket);
  const maxAttempts = o.maxAttempts ?? 3;
  const queue = new SqsSimulation(maxAttempts);
  const jobs = new AsyncJobs({
    core, now: () => clock.t,
    models: { [MODEL]: { config: { queueUrl: 'unused', jobsTable: table, resultsBucket: bucket, maxPayloadBytes: o.maxPayloadBytes ?? 65536, retentionSeconds: o.retentionSeconds ?? 86_400 }, store, queue, results } },
  });
  const logs: Array<Record<string, unknown>> = [];
  const worker = new AsyncWorker({
    model: MODEL, store, results, client: o.client, timeoutMs: o.timeoutMs ?? 10_000, maxAttempts,
    servedVersion: async () => version.v, now: () => clock.t, log: (e) => logs.push(e),
  });
  return { jobs, worker, queue, store, clock, logs };
}
