import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { TrainingDeps } from '../../lambda/shared/training/deps';
import { PipelineConfig } from '../../lambda/shared/training/types';
import { createLocalTable, localDoc } from '../support/dynamo';
import { MODEL, s3Client } from './harness';

/** Handler deps on a fresh DynamoDB Local registry (no synth), for tests of one handler. */
export async function localDeps(config: Partial<PipelineConfig> = {}): Promise<TrainingDeps & { notifications: Array<{ subject: string; message: string }> }> {
  const tableName = await createLocalTable('training', REGISTRY_SCHEMA);
  const doc = localDoc();
  const notifications: Array<{ subject: string; message: string }> = [];
  // One fixed clock for the handlers and the registry they write to.
  const now = () => new Date('2026-11-24T06:00:00Z');
  return {
    config: {
      model: MODEL, categories: ['books'], hyperparameters: {}, promotion: 'auto', approvalTimeoutSeconds: 3600, timeZone: 'Etc/UTC',
      toleratedFailurePercentage: 0, trainingAttempts: 3, image: 'image', evaluation: { metric: 'rmse', direction: 'minimize', minImprovement: 0 },
      validation: { format: 'csv', columns: [], minRows: 1, maxAgeSeconds: 0, sampleRows: 10 },
      ...config,
    } as PipelineConfig,
    registry: new ModelRegistryClient({ tableName, doc, now }),
    doc,
    tableName,
    s3: s3Client(),
    datasetsBucket: 'datasets',
    artifactsBucket: 'artifacts',
    notifier: { publish: async (subject, message) => { notifications.push({ subject, message }); } },
    now,
    emit: () => undefined,
    log: () => undefined,
    notifications,
  };
}
