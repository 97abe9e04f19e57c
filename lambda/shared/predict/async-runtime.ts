// Builds the front end's AsyncJobs from the environment the construct sets (MLOPS_ASYNC_JOBS).
// The S3 and SQS clients load on first use, so a front end's cold start pays nothing for jobs it
// is not asked. The worker's side: async-worker-runtime.ts.
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ASYNC_ENV, parseAsyncJobsConfig } from './async-config';
import { AsyncJobMessage, AsyncJobQueue, AsyncJobs, AsyncModel } from './async-jobs';
import { AsyncJobStore } from './async-job-store';
import { AsyncResult, AsyncResultStore } from './async-results';
import type { S3ResultStore } from './async-s3-results';
import { PredictCore } from './core';

/** The front end's jobs when MLOPS_ASYNC_JOBS is set, else undefined. */
export function asyncJobsFromEnv(env: NodeJS.ProcessEnv, core: PredictCore, doc: DynamoDBDocumentClient): AsyncJobs | undefined {
  const raw = env[ASYNC_ENV.jobs];
  if (!raw) return undefined;
  const config = parseAsyncJobsConfig(raw);
  const models: Record<string, AsyncModel> = {};
  for (const [name, c] of Object.entries(config.models)) {
    models[name] = { config: c, store: new AsyncJobStore(doc, c.jobsTable), queue: new SqsJobQueue(c.queueUrl), results: new LazyS3Results(c.resultsBucket) };
  }
  return new AsyncJobs({ core, models });
}

/** Job messages to SQS (SSE-KMS from the queue's key). */
class SqsJobQueue implements AsyncJobQueue {
  private client?: Promise<{ sqs: SQSClient; send: typeof import('@aws-sdk/client-sqs').SendMessageCommand }>;

  constructor(private readonly queueUrl: string) {}

  async send(message: AsyncJobMessage): Promise<void> {
    this.client ??= import('@aws-sdk/client-sqs').then((m) => ({ sqs: new m.SQSClient({}), send: m.SendMessageCommand }));
    const { sqs, send } = await this.client;
    await sqs.send(new send({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }));
  }
}

class LazyS3Results implements AsyncResultStore {
  private store?: Promise<S3ResultStore>;

  constructor(private readonly bucket: string) {}

  async put(key: string, result: AsyncResult): Promise<void> {
    return (await this.load()).put(key, result);
  }

  async get(key: string): Promise<AsyncResult | undefined> {
    return (await this.load()).get(key);
  }

  private load(): Promise<S3ResultStore> {
    this.store ??= Promise.all([import('@aws-sdk/client-s3'), import('./async-s3-results')]).then(([sdk, m]) => new m.S3ResultStore(new sdk.S3Client({}), this.bucket));
    return this.store;
  }
}
