// The synthesized batch inference state machine run in the local ASL runner: Lambda tasks on the
// real handler functions (registry and predictions table in DynamoDB Local, buckets in the S3
// emulator), the scoring job on a local stand-in that writes the archive SageMaker would.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client, _Object } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { extract } from '../../lambda/batch-extract-predictions';
import { loadPart as loadPartHandler } from '../../lambda/batch-load-predictions';
import { recordServing } from '../../lambda/batch-record-serving';
import { resolveVersions } from '../../lambda/batch-resolve-version';
import { PREDICTIONS_SCHEMA } from '../../lambda/shared/predictions/schema';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { BATCH_STATES as B, BatchInference } from '../../lib/batch-inference';
import { DataLake } from '../../lib/data-lake';
import { ModelRegistry } from '../../lib/model-registry';
import { PredictionStore } from '../../lib/prediction-store';
import { LocalStateMachine, LocalTaskHandler, extractDefinition, listedState, withListedItems } from '../../local/asl';
import { testStack } from '../support/cdk';
import { createLocalTable, localDoc } from '../support/dynamo';
import { s3Endpoint } from '../support/endpoints';
import { listAll } from '../../lambda/shared/training/s3';

export const MODEL = 'demand';
export const IMAGE_REPOSITORY = '111111111111.dkr.ecr.us-east-1.amazonaws.com/demand';
const LINES_PER_PART = 100;
const TTL_HOURS = 72;

/** What the local scoring job writes for a category: JSON Lines files by name, or an error to throw. */
export type ScoringBehaviour = (category: string, attempt: number, version: number) => Record<string, string> | Error | Promise<Record<string, string> | Error>;

export interface LocalBatch {
  readonly machine: LocalStateMachine;
  /** The synthesized template the definition came from. */
  readonly template: { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
  readonly registry: ModelRegistryClient;
  readonly registryTable: string;
  readonly s3: S3Client;
  readonly buckets: { datasets: string; artifacts: string; predictions: string };
  readonly predictionsTable: string;
  /** TrainingJobName of every scoring attempt, by category. */
  readonly jobNames: Record<string, string[]>;
  /**
   * Registers the next version of a category with the given artifact URI (default: under the
   * model's runs prefix, with a model archive written there unless `artifact` is false).
   */
  register(category: string, opts?: { artifactUri?: string; artifact?: boolean }): Promise<number>;
  /** Registers the next version of a category (as `register`) and promotes it. */
  promote(category: string, artifactUri?: string): Promise<number>;
  /** Every object under a prefix of the predictions bucket. */
  list(prefix: string): Promise<_Object[]>;
  cleanup(): void;
}

let n = 0;

export async function localBatch(opts: {
  categories: string[];
  scoring: ScoringBehaviour;
  /** Wraps the LoadPart handler (faults). */
  loadPart?: (load: LocalTaskHandler) => LocalTaskHandler;
  timeoutOverrides?: Record<string, number>;
  /** Wraps the loader's DynamoDB client (throttling). */
  loaderDoc?: (doc: DynamoDBDocumentClient) => DynamoDBDocumentClient;
}): Promise<LocalBatch> {
  const stack: Stack = testStack();
  const dataLake = new DataLake(stack, 'DataLake');
  new BatchInference(stack, 'Batch', {
    model: MODEL, categories: opts.categories, dataLake, registry: new ModelRegistry(stack, 'Registry'), predictionStore: new PredictionStore(stack, 'Predictions'),
    scoringImageRepository: ecr.Repository.fromRepositoryName(stack, 'Repo', 'demand'), linesPerPart: LINES_PER_PART,
  });
  const id = `${process.pid}-${Date.now()}-${n++}`;
  const buckets = { datasets: `ds-${id}`, artifacts: `art-${id}`, predictions: `pred-${id}` };
  const logicalId = (b: s3.IBucket) => stack.getLogicalId(b.node.defaultChild as CfnElement);
  const template = Template.fromStack(stack).toJSON() as LocalBatch['template'];
  const definition = withListedItems(extractDefinition(template, undefined, {
    refs: { [logicalId(dataLake.datasetsBucket)]: buckets.datasets, [logicalId(dataLake.artifactsBucket)]: buckets.artifacts, [logicalId(dataLake.predictionsBucket)]: buckets.predictions },
  }));

  const s3Client = new S3Client({ endpoint: s3Endpoint(), forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  for (const b of Object.values(buckets)) await s3Client.send(new CreateBucketCommand({ Bucket: b }));
  const doc = localDoc();
  const registryTable = await createLocalTable('batch-registry', REGISTRY_SCHEMA);
  const registry = new ModelRegistryClient({ tableName: registryTable, doc, s3: s3Client });
  await registry.createModel({ model: MODEL, actor: 'test' });
  const predictionsTable = await createLocalTable('batch-predictions', PREDICTIONS_SCHEMA);
  const work = mkdtempSync(join(tmpdir(), 'mlops-batch-'));
  const jobNames: Record<string, string[]> = {};

  const score: LocalTaskHandler = async (req) => {
    const category = req.Environment.MLOPS_CATEGORY as string;
    const names = (jobNames[category] ??= []);
    names.push(req.TrainingJobName);
    // As SageMaker does before the container starts: an empty model channel fails the job.
    const modelUri = (req.InputDataConfig as Array<{ ChannelName: string; DataSource: { S3DataSource: { S3Uri: string } } }>).find((c) => c.ChannelName === 'model')!.DataSource.S3DataSource.S3Uri;
    const [, modelBucket, modelPrefix] = /^s3:\/\/([^/]+)\/(.*)$/.exec(modelUri)!;
    if ((await list(modelPrefix, modelBucket).catch(() => [])).length === 0) {
      throw Object.assign(new Error(`ClientError: Data download failed: no objects under ${modelUri} (channel model)`), { name: 'States.TaskFailed' });
    }
    const files = await opts.scoring(category, names.length, Number(req.Environment.MLOPS_MODEL_VERSION));
    if (files instanceof Error) throw files;
    const dir = join(work, req.TrainingJobName);
    for (const [file, body] of Object.entries(files)) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), body);
    }
    execFileSync('tar', ['-czf', `${dir}.tar.gz`, '-C', dir, '.']);
    const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.*)$/.exec(req.OutputDataConfig.S3OutputPath)!;
    await s3Client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${req.TrainingJobName}/output/output.tar.gz`, Body: readFileSync(`${dir}.tar.gz`) }));
    return { TrainingJobName: req.TrainingJobName, TrainingJobStatus: 'Completed' };
  };
  const list = (prefix: string, bucket = buckets.predictions): Promise<_Object[]> => listAll(s3Client, bucket, prefix);
  const loaderDoc = opts.loaderDoc ? opts.loaderDoc(doc) : doc;
  const loadPart: LocalTaskHandler = (e) => loadPartHandler(e, { s3: s3Client, doc: loaderDoc, tableName: predictionsTable, ttlHours: TTL_HOURS, emit: () => undefined, sleep: async () => undefined });

  const record: LocalTaskHandler = (e) => recordServing(e, { registry, ttlHours: TTL_HOURS });
  const handlers: Record<string, LocalTaskHandler> = {
    [B.resolve]: (e) => resolveVersions(e, {
      registry, datasetsBucket: buckets.datasets, artifactsBucket: buckets.artifacts, predictionsBucket: buckets.predictions, defaultCategories: opts.categories, imageRepository: IMAGE_REPOSITORY,
    }),
    [B.score]: score,
    [B.extract]: (e) => extract(e, { s3: s3Client, predictionsBucket: buckets.predictions, linesPerPart: LINES_PER_PART, maxInvalidShare: 0.01, ttlHours: TTL_HOURS }),
    [listedState(B.load)]: async (req) => ({ Contents: await list(req.Prefix, req.Bucket) }),
    [B.loadPart]: opts.loadPart ? opts.loadPart(loadPart) : loadPart,
    [B.recordLoad]: record,
    [B.recordFailure]: record,
  };
  const register = async (category: string, o: { artifactUri?: string; artifact?: boolean } = {}) => {
    const { version } = await registry.registerVersion({
      model: MODEL, category, image: `${IMAGE_REPOSITORY}@sha256:${'a'.repeat(64)}`, actor: 'test',
      artifactUri: o.artifactUri ?? `s3://${buckets.artifacts}/runs/${MODEL}/r-${category}-${Date.now()}-${n++}/model/`,
    });
    const uri = (await registry.getVersion(MODEL, category, version))!.artifactUri;
    const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
    if (o.artifact !== false && m && m[1] === buckets.artifacts) await s3Client.send(new PutObjectCommand({ Bucket: m[1], Key: `${m[2]}model.tar.gz`, Body: 'model' }));
    return version;
  };
  return {
    machine: new LocalStateMachine(definition, { handlers, timeoutOverrides: opts.timeoutOverrides }),
    template,
    registry, registryTable, s3: s3Client, buckets, predictionsTable, jobNames, list,
    register,
    promote: async (category, artifactUri) => {
      const version = await register(category, { artifactUri });
      await registry.promote({ model: MODEL, category, version, actor: 'test', reason: 'test' });
      return version;
    },
    cleanup: () => rmSync(work, { recursive: true, force: true }),
  };
}

/** `n` prediction lines of a category. */
export function predictionLines(category: string, n: number): string {
  return Array.from({ length: n }, (_, i) => JSON.stringify({ entityId: `${category}-${i}`, prediction: i })).join('\n');
}
