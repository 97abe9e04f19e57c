// Builds the asynchronous composition's worker from the environment the construct sets
// (MLOPS_ASYNC_WORKER): the model's client, the jobs table, the results bucket, the registry.
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ModelRegistryClient } from '../registry/client';
import { parseAsyncWorkerConfig, ASYNC_ENV } from './async-config';
import { AsyncJobStore } from './async-job-store';
import { S3ResultStore } from './async-s3-results';
import { AsyncWorker } from './async-worker';
import { HttpModelClient, ModelClient, SageMakerModelClient } from './model-client';

type SageMakerCredentials = ConstructorParameters<typeof SageMakerModelClient>[0]['credentials'];

/** The worker named by MLOPS_ASYNC_WORKER. */
export function asyncWorkerFromEnv(env: NodeJS.ProcessEnv, doc: DynamoDBDocumentClient, s3: S3Client, registry: ModelRegistryClient, credentials: SageMakerCredentials): AsyncWorker {
  const c = parseAsyncWorkerConfig(env[ASYNC_ENV.worker]);
  const client: ModelClient = c.url !== undefined
    ? new HttpModelClient(c.url)
    : new SageMakerModelClient({ endpointName: c.sageMakerEndpoint!, region: env.AWS_REGION ?? '', credentials, endpoint: env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME || undefined });
  return new AsyncWorker({
    model: c.model, timeoutMs: c.timeoutMs, maxAttempts: c.maxAttempts, client,
    store: new AsyncJobStore(doc, c.jobsTable),
    results: new S3ResultStore(s3, c.resultsBucket),
    // The version the endpoint answers for: the registry's served pointer, as for `:invoke`.
    servedVersion: async (model, category) => (await registry.getServed(model, category))?.version,
  });
}


