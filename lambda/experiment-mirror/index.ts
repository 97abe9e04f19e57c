// Registry table stream -> managed MLflow: every run that just finished (the event source
// mapping's filter passes only RUNNING -> SUCCEEDED/FAILED/STOPPED changes of run items) is
// mirrored into the tracking server. A record that fails is reported alone (partial batch
// response) and retried by Lambda; mirroring is idempotent.
import { Logger } from '@aws-lambda-powertools/logger';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { EXPERIMENT_TRACKING_ENV } from '../shared/experiments/constants';
import { MlflowClient } from '../shared/experiments/mlflow-client';
import { MirrorDeps, mirrorRun } from '../shared/experiments/mirror-run';
import { ENV, requireEnv } from '../shared/env';
import { ModelRegistryClient, Run } from '../shared/registry';
import { strip } from '../shared/registry/context';

const logger = new Logger({ serviceName: 'experiment-mirror' });

export interface StreamRecord {
  readonly eventID?: string;
  readonly dynamodb?: { readonly NewImage?: Record<string, unknown>; readonly SequenceNumber?: string };
}

export interface MirrorResult {
  readonly batchItemFailures: Array<{ itemIdentifier: string }>;
}

export async function mirrorRecords(records: readonly StreamRecord[], deps: MirrorDeps): Promise<MirrorResult> {
  const failures: Array<{ itemIdentifier: string }> = [];
  for (const record of records) {
    const image = record.dynamodb?.NewImage;
    if (!image) continue;
    const run = strip<Run>(unmarshall(image as Parameters<typeof unmarshall>[0]));
    try {
      const mirrored = await mirrorRun(run, deps);
      logger.info('run mirrored to MLflow', { runId: run.runId, ...mirrored });
    } catch (e) {
      logger.error('run not mirrored; Lambda retries it', { runId: run.runId, error: (e as Error).message });
      // Items after a failure are retried too (stream order is kept per shard).
      failures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? record.eventID ?? run.runId });
      break;
    }
  }
  return { batchItemFailures: failures };
}

let deps: MirrorDeps | undefined;

export async function handler(event: { Records: StreamRecord[] }): Promise<MirrorResult> {
  if (!deps) {
    const provider = fromNodeProviderChain();
    const prefix = requireEnv(EXPERIMENT_TRACKING_ENV.experimentPrefix);
    deps = {
      mlflow: new MlflowClient({ trackingServerArn: requireEnv(EXPERIMENT_TRACKING_ENV.trackingServerArn), credentials: () => provider() }),
      registry: new ModelRegistryClient({ tableName: requireEnv(ENV.registryTable) }),
      experimentName: (model) => `${prefix}${model}`,
    };
  }
  return mirrorRecords(event.Records, deps);
}
