// Async inference worker: SQS job messages -> the model's endpoint -> result in S3, job in
// DynamoDB (lambda/shared/predict/async-worker.ts). Partial batch responses retry only the
// failed messages; the queue's redrive policy moves them to the dead-letter queue.
import { S3Client } from '@aws-sdk/client-s3';
import { documentClient } from '../shared/dynamo';
import { ENV, requireEnv } from '../shared/env';
import { ModelRegistryClient } from '../shared/registry/client';
import { asyncWorkerFromEnv } from '../shared/predict/async-worker-runtime';
import { AsyncWorker, SqsBatchResponse, SqsEvent } from '../shared/predict/async-worker';

let worker: AsyncWorker | undefined;

export async function handler(event: SqsEvent): Promise<SqsBatchResponse> {
  if (!worker) {
    const doc = documentClient();
    const registry = new ModelRegistryClient({ tableName: requireEnv(ENV.registryTable), doc });
    worker = asyncWorkerFromEnv(process.env, doc, new S3Client({}), registry, () => doc.config.credentials());
  }
  return worker.handle(event);
}
