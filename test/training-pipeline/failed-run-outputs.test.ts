// The failure path marks a failed run's outputs for the DataLake's expiry rule, against the S3
// emulator (s3rver implements GetObjectTagging/PutObjectTagging) and DynamoDB Local.
import { CreateBucketCommand, GetObjectTaggingCommand, ListObjectsV2Command, PutObjectCommand, PutObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { RUN_STATUS_TAG, layout } from '../../lambda/shared/contract';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { LogFn, TrainingDeps } from '../../lambda/shared/training/deps';
import { tagPrefixFailed } from '../../lambda/shared/training/failed-run-outputs';
import { PipelineConfig, RunItem } from '../../lambda/shared/training/types';
import { recordRun } from '../../lambda/training-record-run';
import { RUN_STATUS_TAG as DATA_LAKE_RUN_STATUS_TAG } from '../../lib/data-lake';
import { createLocalTable, localDoc } from '../support/dynamo';
import { MODEL, s3Client } from './harness';

const FAILED = { Key: RUN_STATUS_TAG.key, Value: RUN_STATUS_TAG.failed };
let n = 0;

async function setup() {
  const tableName = await createLocalTable('failed-run', REGISTRY_SCHEMA);
  const s3 = s3Client();
  const artifactsBucket = `artifacts-tag-${process.pid}-${Date.now()}-${n++}`;
  await s3.send(new CreateBucketCommand({ Bucket: artifactsBucket }));
  const doc = localDoc();
  const registry = new ModelRegistryClient({ tableName, doc });
  const logs: Array<{ level: string; message: string; detail?: Record<string, unknown> }> = [];
  const log: LogFn = (level, message, detail) => { logs.push({ level, message, detail }); };
  const deps = (client: S3Client = s3): TrainingDeps => ({
    config: { model: MODEL } as PipelineConfig, registry, doc, tableName, s3: client, datasetsBucket: 'unused', artifactsBucket,
    notifier: { publish: async () => undefined }, now: () => new Date(), emit: () => undefined, log,
  });
  const item = (runId: string, category = 'toys', experiment = false): RunItem => {
    const outputPrefix = layout.runPrefix(MODEL, runId, experiment);
    return {
      model: MODEL, category, runId, executionDate: '2026-11-24', experiment, trigger: 'manual', executionId: 'local:1', hyperparameters: {},
      datasetBucket: 'unused', datasetPrefix: `${MODEL}/${category}/2026-11-24/`, datasetUri: 'unused',
      outputBucket: artifactsBucket, outputPrefix, outputUri: `s3://${artifactsBucket}/${outputPrefix}`, checkpointUri: `s3://${artifactsBucket}/${outputPrefix}checkpoints/`, attempt: 1,
    };
  };
  // s3rver ignores the x-amz-tagging header of PutObject, so existing tags are set with PutObjectTagging.
  const put = async (key: string, tags: Record<string, string> = {}) => {
    await s3.send(new PutObjectCommand({ Bucket: artifactsBucket, Key: key, Body: 'x' }));
    const TagSet = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    if (TagSet.length > 0) await s3.send(new PutObjectTaggingCommand({ Bucket: artifactsBucket, Key: key, Tagging: { TagSet } }));
  };
  const tagsOf = async (key: string) => (await s3.send(new GetObjectTaggingCommand({ Bucket: artifactsBucket, Key: key }))).TagSet ?? [];
  // StartRun reads the dataset version from the manifest ValidateData writes first.
  const start = async (i: RunItem) => {
    await s3.send(new PutObjectCommand({ Bucket: artifactsBucket, Key: layout.manifestKey(i.model, i.category, i.executionDate), Body: JSON.stringify({ datasetVersion: 'sha256:0', rows: 1 }) }));
    return recordRun({ action: 'start', item: i }, deps());
  };
  const fail = (i: RunItem, client?: S3Client) => recordRun({ action: 'fail', stage: 'Train', item: { ...i, failure: { Error: 'States.TaskFailed', Cause: 'exit 3' } } }, deps(client));
  return { s3, artifactsBucket, registry, logs, item, put, tagsOf, start, fail, deps };
}

describe('failed run outputs are tagged for expiry', () => {
  test('the data lake rule and the failure handler use one tag', () => {
    expect(DATA_LAKE_RUN_STATUS_TAG).toBe(RUN_STATUS_TAG);
    expect(RUN_STATUS_TAG).toEqual({ key: 'mlops:run-status', failed: 'failed' });
  });

  test('every object under the failed run prefix gets the tag, other tags are kept, other runs are untouched', async () => {
    const t = await setup();
    const failed = t.item('demand-forecast-toys-20261124-aaaaaa');
    const sibling = t.item('demand-forecast-toys-20261124-aaaaaa0'); // shares the run id as a string prefix
    const other = t.item('demand-forecast-books-20261124-bbbbbb', 'books');
    const otherExperiment = t.item('demand-forecast-toys-20261124-aaaaaa', 'toys', true); // same id, experiments/
    const failedKeys = [
      `${failed.outputPrefix}${failed.runId}-1/output/model/model.json`,
      `${failed.outputPrefix}${failed.runId}-1/output/data/partial.json`,
      `${failed.outputPrefix}checkpoints/epoch-1.json`,
    ];
    const keptKeys = [`${sibling.outputPrefix}model.json`, `${other.outputPrefix}x/output/model/model.json`, `${otherExperiment.outputPrefix}model.json`];
    for (const k of [...failedKeys, ...keptKeys]) await t.put(k);
    await t.put(`${failed.outputPrefix}logs/train.log`, { team: 'forecast', owner: 'alice' });
    await t.start(failed);

    const outcome = await t.fail(failed);

    expect(outcome).toMatchObject({ category: 'toys', runId: failed.runId, outcome: 'FAILED' });
    expect(await t.registry.getRun(failed.runId)).toMatchObject({ status: 'FAILED' });
    for (const k of failedKeys) expect([k, await t.tagsOf(k)]).toEqual([k, [FAILED]]);
    expect(await t.tagsOf(`${failed.outputPrefix}logs/train.log`)).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'forecast' }, { Key: 'owner', Value: 'alice' }, FAILED]));
    expect(await t.tagsOf(`${failed.outputPrefix}logs/train.log`)).toHaveLength(3);
    for (const k of keptKeys) expect([k, await t.tagsOf(k)]).toEqual([k, []]);
    expect(t.logs).toEqual([expect.objectContaining({ level: 'INFO', detail: expect.objectContaining({ prefix: failed.outputPrefix, tagged: 4, failedCount: 0 }) })]);
  });

  test('is idempotent: a retried failure handler finds the tags in place and changes nothing', async () => {
    const t = await setup();
    const failed = t.item('demand-forecast-toys-20261124-cccccc');
    await t.put(`${failed.outputPrefix}a.json`);
    await t.put(`${failed.outputPrefix}b.json`, { [RUN_STATUS_TAG.key]: 'other', keep: '1' });
    await t.start(failed);

    await t.fail(failed);
    await t.fail(failed);

    expect(await t.tagsOf(`${failed.outputPrefix}a.json`)).toEqual([FAILED]);
    // A different value of the run-status tag is replaced, not duplicated.
    expect(await t.tagsOf(`${failed.outputPrefix}b.json`)).toEqual(expect.arrayContaining([{ Key: 'keep', Value: '1' }, FAILED]));
    expect(await t.tagsOf(`${failed.outputPrefix}b.json`)).toHaveLength(2);
    expect(t.logs.map((l) => [l.detail?.tagged, l.detail?.alreadyTagged])).toEqual([[2, 0], [0, 2]]);
  });

  test('outputs of a run a version was registered from are never tagged (its artifact lives there)', async () => {
    const t = await setup();
    const failed = t.item('demand-forecast-toys-20261124-dddddd');
    await t.put(`${failed.outputPrefix}${failed.runId}-1/output/model/model.json`);
    await t.start(failed);
    await t.registry.createModel({ model: MODEL, actor: 'test' });
    // Registered, then the branch failed before the run was finished SUCCEEDED.
    await t.registry.registerVersion({ model: MODEL, category: 'toys', artifactUri: `s3://${t.artifactsBucket}/${failed.outputPrefix}${failed.runId}-1/output/model/`, runId: failed.runId, actor: 'test' });

    await t.fail(failed);

    expect(await t.registry.getRun(failed.runId)).toMatchObject({ status: 'FAILED' });
    expect(await t.tagsOf(`${failed.outputPrefix}${failed.runId}-1/output/model/model.json`)).toEqual([]);
    expect(t.logs).toEqual([expect.objectContaining({ level: 'WARN', message: expect.stringContaining('version registered from this run'), detail: expect.objectContaining({ version: 1 }) })]);
  });

  test('a run that had already succeeded (failure while promoting) keeps its outputs untagged', async () => {
    const t = await setup();
    const done = t.item('demand-forecast-toys-20261124-eeeeee');
    await t.put(`${done.outputPrefix}model.json`);
    await t.start(done);
    await t.registry.finishRun({ runId: done.runId, status: 'SUCCEEDED' });

    const outcome = await t.fail(done);

    expect(outcome).toMatchObject({ outcome: 'FAILED' });
    expect(await t.registry.getRun(done.runId)).toMatchObject({ status: 'SUCCEEDED' });
    expect(await t.tagsOf(`${done.outputPrefix}model.json`)).toEqual([]);
  });

  test('an object that cannot be tagged is logged and the failure is still recorded; the others are tagged', async () => {
    const t = await setup();
    const failed = t.item('demand-forecast-toys-20261124-ffffff');
    for (const k of ['a.json', 'b.json', 'c.json']) await t.put(`${failed.outputPrefix}${k}`);
    await t.start(failed);
    // S3 fault on one object (e.g. it already has 10 tags, or access denied).
    const faulty = { send: (cmd: unknown) => {
      if (cmd instanceof PutObjectTaggingCommand && cmd.input.Key?.endsWith('b.json')) {
        return Promise.reject(Object.assign(new Error('Object tags cannot be greater than 10'), { name: 'BadRequest' }));
      }
      return t.s3.send(cmd as never);
    } } as unknown as S3Client;

    const outcome = await t.fail(failed, faulty);

    expect(outcome).toMatchObject({ outcome: 'FAILED' });
    expect(await t.registry.getRun(failed.runId)).toMatchObject({ status: 'FAILED' });
    expect(await t.tagsOf(`${failed.outputPrefix}a.json`)).toEqual([FAILED]);
    expect(await t.tagsOf(`${failed.outputPrefix}b.json`)).toEqual([]);
    expect(await t.tagsOf(`${failed.outputPrefix}c.json`)).toEqual([FAILED]);
    expect(t.logs).toEqual([expect.objectContaining({
      level: 'WARN',
      detail: expect.objectContaining({ tagged: 2, failedCount: 1, failed: [{ key: `${failed.outputPrefix}b.json`, error: expect.stringContaining('greater than 10') }] }),
    })]);
  });

  test('an S3 outage while listing is logged, not thrown', async () => {
    const t = await setup();
    const failed = t.item('demand-forecast-toys-20261124-999999');
    await t.start(failed);
    const down = { send: () => Promise.reject(Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' })) } as unknown as S3Client;

    await expect(t.fail(failed, down)).resolves.toMatchObject({ outcome: 'FAILED' });

    expect(await t.registry.getRun(failed.runId)).toMatchObject({ status: 'FAILED' });
    expect(t.logs).toEqual([expect.objectContaining({ level: 'WARN', detail: expect.objectContaining({ error: 'ServiceUnavailable: Service Unavailable' }) })]);
  });
});

describe('tagPrefixFailed', () => {
  test('follows ListObjectsV2 pagination', async () => {
    const t = await setup();
    const prefix = `runs/${MODEL}/paged/`;
    const keys = Array.from({ length: 7 }, (_, i) => `${prefix}part-${i}.json`);
    for (const k of keys) await t.put(k);

    let lists = 0;
    const counting = { send: (cmd: unknown) => {
      if (cmd instanceof ListObjectsV2Command) lists++;
      return t.s3.send(cmd as never);
    } } as unknown as S3Client;

    const outcome = await tagPrefixFailed(counting, t.artifactsBucket, prefix, { pageSize: 2, concurrency: 3 });

    expect(lists).toBe(4);
    expect(outcome).toEqual({ tagged: 7, alreadyTagged: 0, failed: [], failedCount: 0, timedOut: false });
    for (const k of keys) expect([k, await t.tagsOf(k)]).toEqual([k, [FAILED]]);
  });

  test('starts nothing after the deadline and says so (untagged objects are kept)', async () => {
    const t = await setup();
    const prefix = `runs/${MODEL}/late/`;
    await t.put(`${prefix}a.json`);

    const outcome = await tagPrefixFailed(t.s3, t.artifactsBucket, prefix, { deadline: Date.now() - 1 });

    expect(outcome).toMatchObject({ tagged: 0, timedOut: true });
    expect(await t.tagsOf(`${prefix}a.json`)).toEqual([]);
  });
});
