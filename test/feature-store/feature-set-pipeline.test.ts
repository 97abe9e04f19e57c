// The synthesized training state machine of a features model, run by the local ASL runner with
// the real handlers (DynamoDB Local, S3 emulator): the Athena query is stubbed by state name and
// writes what UNLOAD would (gzip JSON lines under the run's prefix); ValidateData must check that
// result, per category, and never data.location.
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { TrainingDeps } from '../../lambda/shared/training/deps';
import { DataLake } from '../../lib/data-lake/data-lake';
import { FeatureQuery } from '../../lib/feature-store/feature-query';
import { ModelRegistry } from '../../lib/model-registry/model-registry';
import { FeatureType } from '../../lib/spec/model-spec';
import { ColumnType, MetricDirection, TrainingBackend, TrainingImage, TrainingPipeline } from '../../lib/training-pipeline';
import { LocalStateMachine, LocalTaskHandler, extractDefinition } from '../../local/asl';
import { localTrainingTask } from '../../local/container/stand-in';
import { trainingConfigFromTemplate, trainingTaskHandlers } from '../../local/pipelines/training-handlers';
import { testStack } from '../support/cdk';
import { createLocalTable, localDoc } from '../support/dynamo';
import { s3Client } from '../training-pipeline/harness';

const MODEL = 'churn';
const CATEGORIES = ['retail', 'online', 'wholesale'];
const DATE = '2026-11-24';
// The execution's reference time (end of the execution date): event times are built relative to it.
const REFERENCE = Date.parse(`${DATE}T23:59:59.999Z`);
const hoursBefore = (h: number) => new Date(REFERENCE - h * 3_600_000).toISOString();

/** A features model's stack: data lake, registry, the feature query and the training pipeline it feeds. */
function featuresStack() {
  const stack = testStack();
  const dataLake = new DataLake(stack, 'DataLake');
  const registry = new ModelRegistry(stack, 'Registry');
  const query = new FeatureQuery(stack, 'Features', {
    modelName: MODEL, dataLake, featureGroupNames: ['churn-labels', 'customer-profile'],
    columnTypes: { customer_id: FeatureType.STRING, event_time: FeatureType.STRING, churned: FeatureType.INTEGRAL, spend_30d: FeatureType.FRACTIONAL },
    query: {
      labels: { database: 'sagemaker_featurestore', table: 'churn_labels', recordIdentifier: 'customer_id', eventTime: 'event_time', columns: ['churned'], categoryColumn: 'segment' },
      joins: [{ database: 'sagemaker_featurestore', table: 'customer_profile', key: 'customer_id', recordIdentifier: 'customer_id', eventTime: 'event_time', features: ['spend_30d'] }],
    },
  });
  new TrainingPipeline(stack, 'Training', {
    modelName: MODEL, categories: CATEGORIES, dataLake, registry,
    backend: TrainingBackend.sageMaker({ image: TrainingImage.fromRegistry('123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:abc') }),
    evaluation: { metric: 'rmse', direction: MetricDirection.MINIMIZE },
    // data.location's own checks (CSV, its columns): a features model does not train on it.
    dataValidation: { columns: [{ name: 'date', type: ColumnType.DATE }], minRows: 2, maxAge: Duration.hours(36) },
    toleratedFailurePercentage: 100,
    preTraining: query,
  });
  return { stack, artifactsId: stack.getLogicalId(dataLake.artifactsBucket.node.defaultChild as s3.CfnBucket) };
}

let n = 0;
/** The definition run locally; `results` says what the query writes per category. */
async function localFeaturesPipeline(results: Record<string, object[]>, opts: { queryError?: Error } = {}) {
  const { stack, artifactsId } = featuresStack();
  const json = Template.fromStack(stack).toJSON();
  const id = `${process.pid}-${n++}`;
  const buckets = { datasetsBucket: `fsp-datasets-${id}`, artifactsBucket: `fsp-artifacts-${id}` };
  const client = s3Client();
  for (const b of Object.values(buckets)) await client.send(new CreateBucketCommand({ Bucket: b }));
  const definition = extractDefinition(json, undefined, { refs: { [artifactsId]: buckets.artifactsBucket } });
  const tableName = await createLocalTable('features', REGISTRY_SCHEMA);
  const doc = localDoc();
  const registry = new ModelRegistryClient({ tableName, doc });
  const deps: TrainingDeps = {
    config: trainingConfigFromTemplate(json), registry, doc, tableName, s3: client, ...buckets,
    notifier: { publish: async () => undefined }, now: () => new Date(REFERENCE), emit: () => undefined, log: () => undefined,
  };
  const channels: string[] = [];
  const standIn = localTrainingTask({ command: ['node', join(__dirname, '..', 'training-pipeline', 'fixtures', 'train.js')], s3: client });
  const train: LocalTaskHandler = async (req) => {
    channels.push(req.InputDataConfig[0].DataSource.S3DataSource.S3Uri);
    return standIn(req);
  };
  const handlers = trainingTaskHandlers(definition, deps, { train });
  const queries: string[] = [];
  // Athena UNLOAD stand-in: the rows of the category the SQL filters on, gzip JSON lines at its TO location.
  handlers.QueryFeatures = async (req: { QueryString: string }) => {
    queries.push(req.QueryString);
    if (opts.queryError) throw opts.queryError;
    const [, bucket, prefix] = /TO 's3:\/\/([^/]+)\/([^']+)'/.exec(req.QueryString)!;
    const category = /"segment" = '([^']+)'/.exec(req.QueryString)![1];
    const rows = results[category] ?? [];
    if (rows.length > 0) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}20261124_235959_00001_q${category}_1.gz`, Body: gzipSync(rows.map((r) => JSON.stringify(r)).join('\n')) }));
    }
    return { QueryExecution: { Status: { State: 'SUCCEEDED' } } };
  };
  const machine = new LocalStateMachine(definition, { handlers });
  return { machine, registry, deps, channels, queries };
}

const row = (over: Record<string, unknown> = {}) => ({ customer_id: 'c1', event_time: hoursBefore(3), churned: 0, spend_30d: 10.5, ...over });

describe('a features model trains on the query result it validated', () => {
  test('each category validates its own query result: a good one trains on it, a bad or empty one fails with why; data.location is never read', async () => {
    const p = await localFeaturesPipeline({
      retail: [row(), row({ customer_id: 'c2', churned: 1, spend_30d: null })],
      online: [row(), row({ customer_id: 'c2', churned: null }), row({ customer_id: 'c3', event_time: 'yesterday' })],
    });
    // data.location stays empty: with the old ValidateData every category failed with "no data under".
    const res = await p.machine.start({ executionDate: DATE }).outcome;

    expect(p.queries).toHaveLength(3);
    const runs = (await p.registry.listRuns({ model: MODEL })).items;
    const byCategory = Object.fromEntries(runs.map((r) => [r.category, r]));
    expect(byCategory.retail).toMatchObject({ status: 'SUCCEEDED', datasetVersion: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(p.channels).toEqual([`s3://${p.deps.artifactsBucket}/runs/${MODEL}/${byCategory.retail.runId}/input/training/`]);
    expect(byCategory.online).toMatchObject({ status: 'FAILED' });
    expect(byCategory.online.failureCause).toMatch(new RegExp(`^data validation: DataValidationError: s3://${p.deps.artifactsBucket}/runs/${MODEL}/${byCategory.online.runId}/input/training/\\S+ line 2: "churned" is empty, but the column is not nullable; \\S+ line 3: "event_time" is "yesterday", not a timestamp`));
    expect(byCategory.wholesale).toMatchObject({ status: 'FAILED', failureCause: expect.stringContaining('the feature query wrote no rows for category wholesale under s3://') });
    expect(res).toMatchObject({ status: 'SUCCEEDED' });
    const version = await p.registry.getVersion(MODEL, 'retail', 1);
    expect(version?.datasetVersion).toBe(byCategory.retail.datasetVersion);
  });

  test('stale labels fail the category on maxAge, measured on the newest event time of the result', async () => {
    const p = await localFeaturesPipeline({ retail: [row({ event_time: hoursBefore(48) }), row({ customer_id: 'c2', event_time: hoursBefore(40) })] });
    await p.machine.start({ executionDate: DATE, categories: ['retail'] }).outcome;
    const [run] = (await p.registry.listRuns({ model: MODEL })).items;
    expect(run).toMatchObject({ status: 'FAILED', failureCause: expect.stringContaining('newest event_time in the training set is 40 h old at 2026-11-24T23:59:59.999Z, older than the allowed 36 h') });
    expect(p.channels).toEqual([]);
  });

  test('a failed query is recorded on the run like rejected data, and nothing trains', async () => {
    const p = await localFeaturesPipeline({}, { queryError: Object.assign(new Error('Query exhausted resources at this scale factor'), { name: 'Athena.AthenaException' }) });
    await p.machine.start({ executionDate: DATE, categories: ['online'] }).outcome;
    const [run] = (await p.registry.listRuns({ model: MODEL })).items;
    expect(run).toMatchObject({ category: 'online', status: 'FAILED', failureCause: expect.stringContaining('Query exhausted resources') });
    expect(p.channels).toEqual([]);
  });
});
