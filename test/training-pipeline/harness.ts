import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { Notifier, TrainingDeps } from '../../lambda/shared/training/deps';
import { BatchInference } from '../../lib/batch-inference/batch-inference';
import { DataLake } from '../../lib/data-lake/data-lake';
import { DataLakeProps } from '../../lib/data-lake/data-lake-props';
import { ModelRegistry } from '../../lib/model-registry/model-registry';
import {
  ColumnType, MetricDirection, PromotionMode, TrainingBackend, TrainingImage, TrainingPipeline, TrainingPipelineProps,
} from '../../lib/training-pipeline';
import { AslDefinition, LocalStateMachine, LocalTaskHandler, extractDefinition } from '../../local/asl';
import { localTrainingTask } from '../../local/container/stand-in';
import { trainingConfigFromTemplate, trainingTaskHandlers } from '../../local/pipelines/training-handlers';
import { testStack } from '../support/cdk';
import { createLocalTable, localDoc } from '../support/dynamo';
import { s3Endpoint } from '../support/endpoints';

export const MODEL = 'demand-forecast';
export const CATEGORIES = ['books', 'electronics', 'toys'];
export const DATE = '2026-11-24';

/** A stack with DataLake + ModelRegistry + TrainingPipeline (SageMaker backend unless given). */
export function pipelineStack(overrides: Partial<TrainingPipelineProps> = {}, stack: Stack = testStack(), dataLakeProps: DataLakeProps = {}) {
  const dataLake = new DataLake(stack, 'DataLake', dataLakeProps);
  const registry = new ModelRegistry(stack, 'Registry');
  const pipeline = new TrainingPipeline(stack, 'Training', {
    modelName: MODEL,
    categories: CATEGORIES,
    dataLake,
    registry,
    backend: TrainingBackend.sageMaker({ image: TrainingImage.fromRegistry('123456789012.dkr.ecr.us-east-1.amazonaws.com/demand@sha256:abc') }),
    evaluation: { metric: 'rmse', direction: MetricDirection.MINIMIZE },
    dataValidation: { columns: [{ name: 'date', type: ColumnType.TIMESTAMP }, { name: 'sales', type: ColumnType.NUMBER }], minRows: 3 },
    ...overrides,
  });
  // Synthesized on first use, so callers may add more constructs (or nag) before.
  return { stack, dataLake, registry, pipeline, get template() { return Template.fromStack(stack); } };
}

export function s3Client(): S3Client {
  return new S3Client({ endpoint: s3Endpoint(), forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }); // s3rver's built-in key
}

let n = 0;

export interface LocalPipeline {
  readonly machine: LocalStateMachine;
  readonly definition: AslDefinition;
  readonly deps: TrainingDeps;
  readonly registry: ModelRegistryClient;
  readonly s3: S3Client;
  readonly notifications: Array<{ subject: string; message: string }>;
  readonly trainCalls: string[];
  /** EMF lines the handlers emitted. */
  readonly metricLines: string[];
  /** Operational log lines of the handlers (e.g. failed run outputs tagged). */
  readonly logLines: Array<{ level: string; message: string; detail?: Record<string, unknown> }>;
  /** Inputs of the batch inference executions started (with `batchInference: true`). */
  readonly batchStarts: Array<Record<string, unknown>>;
  uploadData(category: string, csv: string, date?: string): Promise<void>;
}

export const GOOD_ROWS = 'date,sales\n2026-11-20,10\n2026-11-21,12\n2026-11-22,15\n2026-11-23,9\n';

/**
 * The synthesized pipeline run locally: the definition from the template, Lambda tasks mapped
 * to the real handlers (DynamoDB Local + S3 emulator), the training task to the local stand-in
 * running fixtures/train.js. The handlers get the configuration the construct synthesized.
 */
export async function localPipeline(overrides: Partial<TrainingPipelineProps> = {}, opts: {
  trainWrapper?: (run: LocalTaskHandler) => LocalTaskHandler;
  timeoutOverrides?: Record<string, number>;
  /** Wire a batch inference state machine (its start is captured in `batchStarts`). */
  batchInference?: boolean;
  /** Wraps the local handler of a Task state (e.g. to inject a fault). */
  wrap?: Record<string, (handler: LocalTaskHandler) => LocalTaskHandler>;
} = {}): Promise<LocalPipeline> {
  const stack = testStack();
  const batch = opts.batchInference ? BatchInference.fromBatchInferenceAttributes(stack, 'Scoring', { modelName: MODEL, stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:scoring' }) : undefined;
  const { template } = pipelineStack({ ...overrides, ...(batch ? { batchInference: batch } : {}) }, stack);
  const json = template.toJSON();
  const definition = extractDefinition(json);
  const config = trainingConfigFromTemplate(json);

  const tableName = await createLocalTable('training', REGISTRY_SCHEMA);
  const s3 = s3Client();
  const id = `${process.pid}-${Date.now()}-${n++}`;
  const datasetsBucket = `datasets-${id}`;
  const artifactsBucket = `artifacts-${id}`;
  await s3.send(new CreateBucketCommand({ Bucket: datasetsBucket }));
  await s3.send(new CreateBucketCommand({ Bucket: artifactsBucket }));
  const doc = localDoc();
  const registry = new ModelRegistryClient({ tableName, doc });
  const notifications: Array<{ subject: string; message: string }> = [];
  const notifier: Notifier = { publish: async (subject, message) => { notifications.push({ subject, message }); } };
  const metricLines: string[] = [];
  const logLines: LocalPipeline['logLines'] = [];
  const deps: TrainingDeps = {
    config, registry, doc, tableName, s3, datasetsBucket, artifactsBucket, notifier, now: () => new Date(),
    emit: (l) => metricLines.push(l), log: (level, message, detail) => logLines.push({ level, message, detail }),
  };

  const trainCalls: string[] = [];
  const standIn = localTrainingTask({ command: ['node', join(__dirname, 'fixtures', 'train.js')], s3 });
  const train: LocalTaskHandler = async (req) => {
    trainCalls.push(req.TrainingJobName ?? req.JobName);
    return standIn(req);
  };
  const batchStarts: Array<Record<string, unknown>> = [];
  const startBatchInference: LocalTaskHandler | undefined = batch ? async (req) => {
    batchStarts.push(JSON.parse(typeof req.Input === 'string' ? req.Input : JSON.stringify(req.Input)));
    return { ExecutionArn: 'arn:aws:states:us-east-1:111111111111:execution:scoring:local', StartDate: new Date().toISOString() };
  } : undefined;
  const handlers = trainingTaskHandlers(definition, deps, { train: opts.trainWrapper ? opts.trainWrapper(train) : train, startBatchInference });
  for (const [state, wrap] of Object.entries(opts.wrap ?? {})) handlers[state] = wrap(handlers[state]);
  const machine = new LocalStateMachine(definition, { handlers, timeoutOverrides: opts.timeoutOverrides });
  return {
    machine, definition, deps, registry, s3, notifications, trainCalls, metricLines, logLines, batchStarts,
    uploadData: async (category, csv, date = DATE) => {
      await s3.send(new PutObjectCommand({ Bucket: datasetsBucket, Key: `${MODEL}/${category}/${date}/part-0.csv`, Body: csv }));
    },
  };
}


/** Seeds a production version with the given rmse (as if an earlier run had promoted it). */
export async function seedChampion(registry: ModelRegistryClient, category: string, rmse: number): Promise<number> {
  await registry.createModel({ model: MODEL, actor: 'test' });
  const v = await registry.registerVersion({ model: MODEL, category, artifactUri: `s3://old/${category}/model/`, metrics: { rmse }, actor: 'test' });
  await registry.promote({ model: MODEL, category, version: v.version, actor: 'test', reason: 'seed' });
  return v.version;
}

export { Duration, PromotionMode };
