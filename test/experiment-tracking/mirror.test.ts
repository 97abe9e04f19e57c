// The MLflow mirror against DynamoDB Local (the registry) and a local MLflow REST stub.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mirrorRecords } from '../../lambda/experiment-mirror';
import { MlflowClient, trackingServerUrl } from '../../lambda/shared/experiments/mlflow-client';
import { MirrorDeps } from '../../lambda/shared/experiments/mirror-run';
import { ModelRegistryClient, REGISTRY_SCHEMA, parseMetricSeries } from '../../lambda/shared/registry';
import { keys } from '../../lambda/shared/registry/keys';
import { createLocalTable, localDoc } from '../support/dynamo';
import { MlflowStub } from './mlflow-stub';

const ARN = 'arn:aws:sagemaker:eu-west-1:123456789012:mlflow-tracking-server/default';
const stub = new MlflowStub();
let registry: ModelRegistryClient;
let tableName: string;
let deps: MirrorDeps;
let seq = 0;

async function record(runId: string) {
  const item = (await localDoc().send(new GetCommand({ TableName: tableName, Key: keys.run(runId) }))).Item!;
  return { eventID: `e${++seq}`, dynamodb: { SequenceNumber: String(seq), NewImage: marshall(item, { removeUndefinedValues: true }) } };
}

beforeAll(async () => {
  tableName = await createLocalTable('mlflow-mirror', REGISTRY_SCHEMA);
  registry = new ModelRegistryClient({ tableName, doc: localDoc() });
  const endpoint = await stub.start(ARN);
  deps = {
    mlflow: new MlflowClient({ trackingServerArn: ARN, endpoint, credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' }) }),
    registry,
    experimentName: (model) => `default/${model}`,
  };
});
afterAll(() => stub.stop());

test('the tracking server URL comes from the ARN; anything else is refused with the expected shape', () => {
  expect(trackingServerUrl(ARN)).toBe('https://eu-west-1.experiments.sagemaker.aws');
  expect(() => trackingServerUrl('arn:aws:s3:::bucket')).toThrow(/mlflow-tracking-server/);
});

test('a finished run becomes an MLflow run: name, tags, params, final metrics, the series by step, status; the registry links it', async () => {
  await registry.startRun({ runId: 'run-1', model: 'demand', category: 'books', hyperparameters: { window: 14 }, trigger: 'schedule', image: 'repo@sha256:1', datasetVersion: 'sha256:aa' });
  await registry.tagRun({ runId: 'run-1', tags: { baseline: 'yes' } });
  await registry.finishRun({ runId: 'run-1', status: 'SUCCEEDED', metrics: { rmse: 0.3 }, version: 4, metricSeries: parseMetricSeries('{"step":1,"rmse":0.5}\n{"step":2,"rmse":0.35}') });
  const res = await mirrorRecords([await record('run-1')], deps);
  expect(res.batchItemFailures).toEqual([]);
  expect(stub.experiments.get('default/demand')).toBe('1');
  const [run] = stub.runs;
  expect(run.info).toMatchObject({ run_name: 'run-1', status: 'FINISHED', end_time: expect.any(Number) });
  expect(run.tags).toMatchObject({ 'mlops.runId': 'run-1', 'mlops.category': 'books', 'mlops.version': '4', 'mlops.image': 'repo@sha256:1', 'mlops.datasetVersion': 'sha256:aa', 'user.baseline': 'yes' });
  expect(run.params).toEqual({ window: '14' });
  expect(run.metrics.map((m) => [m.key, m.step, m.value])).toEqual([['rmse', 0, 0.3], ['series.rmse', 1, 0.5], ['series.rmse', 2, 0.35]]);
  expect((await registry.getRun('run-1'))?.mlflow).toEqual({ experimentId: '1', runId: run.info.run_id });
});

test('a redelivered record logs nothing twice', async () => {
  const before = stub.calls.length;
  const res = await mirrorRecords([await record('run-1')], deps);
  expect(res.batchItemFailures).toEqual([]);
  expect(stub.runs).toHaveLength(1);
  expect(stub.calls.slice(before)).toEqual(['experiments/search', 'runs/search']);
});

test('a failure is reported for that record and the ones after it; the retry completes the run', async () => {
  await registry.startRun({ runId: 'run-2', model: 'demand', category: 'toys', hyperparameters: { window: 7 } });
  await registry.finishRun({ runId: 'run-2', status: 'FAILED', failureCause: 'AlgorithmError: boom' });
  await registry.startRun({ runId: 'run-3', model: 'demand', category: 'toys' });
  await registry.finishRun({ runId: 'run-3', status: 'STOPPED' });
  const batch = [await record('run-2'), await record('run-3')];
  stub.failNext = 'runs/log-batch';
  const res = await mirrorRecords(batch, deps);
  expect(res.batchItemFailures).toEqual([{ itemIdentifier: batch[0].dynamodb.SequenceNumber }]);
  expect((await registry.getRun('run-2'))?.mlflow).toBeUndefined();
  expect(await mirrorRecords(batch, deps)).toEqual({ batchItemFailures: [] });
  const byName = Object.fromEntries(stub.runs.map((r) => [r.info.run_name, r]));
  expect(byName['run-2']).toMatchObject({ info: { status: 'FAILED' }, params: { window: '7' }, tags: { 'mlops.failureCause': 'AlgorithmError: boom' } });
  expect(byName['run-3'].info.status).toBe('KILLED');
  expect(stub.runs.filter((r) => r.info.run_name === 'run-2')).toHaveLength(1);
});

test('large runs are logged in LogBatch-sized requests; another model gets its own experiment', async () => {
  const hyperparameters = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`p${i}`, i]));
  const series = Array.from({ length: 20 }, (_, m) => Array.from({ length: 500 }, (_, s) => JSON.stringify({ step: s, [`m${m}`]: s }))).flat().join('\n');
  await registry.startRun({ runId: 'run-big', model: 'churn', category: 'default', hyperparameters });
  await registry.finishRun({ runId: 'run-big', status: 'SUCCEEDED', metrics: { auc: 0.9 }, metricSeries: parseMetricSeries(series) });
  const before = stub.calls.length;
  expect(await mirrorRecords([await record('run-big')], deps)).toEqual({ batchItemFailures: [] });
  expect(stub.experiments.get('default/churn')).toBe('2');
  const run = stub.runs.find((r) => r.info.run_name === 'run-big')!;
  expect(Object.keys(run.params)).toHaveLength(150);
  expect(run.metrics).toHaveLength(1 + 20 * 500);
  // 2 param batches (100 + 50) and 11 metric batches (10,001 points / 1,000).
  expect(stub.calls.slice(before).filter((c) => c === 'runs/log-batch')).toHaveLength(13);
});
