// Issue 20 §4: a promoted experiment version keeps its artifact beyond the 90 days after which
// the data lake expires `experiments/`. `mlops promote` (its own registry client, built from the
// environment against DynamoDB Local and the S3 emulator) copies the job output under `runs/`
// and points the version there; the experiment objects then expire (deleted here, as the
// lifecycle rule would), and the synthesized BatchInference definition still scores the
// version from the copy and serves it.
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { ModelRegistryClient } from '../../lambda/shared/registry';
import { listAll } from '../../lambda/shared/training/s3';
import { localDoc } from '../support/dynamo';
import { dynamoEndpoint } from '../support/endpoints';
import { run } from '../cli/support';
import { LocalBatch, MODEL, localBatch, predictionLines } from './local-batch';

const DATE = '2026-11-24';
let b: LocalBatch;
const scored: number[] = [];

/** Writes what an experiment run's training job leaves under its output prefix; returns the registered artifact URI. */
async function experimentRun(runId: string): Promise<{ prefix: string; artifactUri: string }> {
  const prefix = `experiments/${MODEL}/${runId}/train-${runId}-1/output/`;
  for (const [key, body] of [['model/model.tar.gz', `weights of ${runId}`], ['model/metrics.json', '{"rmse":0.41}'], ['data/baseline.json', '{"prediction":{}}']]) {
    await b.s3.send(new PutObjectCommand({ Bucket: b.buckets.artifacts, Key: `${prefix}${key}`, Body: body }));
  }
  return { prefix, artifactUri: `s3://${b.buckets.artifacts}/${prefix}model/` };
}

const artifacts = (prefix: string) => listAll(b.s3, b.buckets.artifacts, prefix);
const text = async (key: string) => (await b.s3.send(new GetObjectCommand({ Bucket: b.buckets.artifacts, Key: key }))).Body!.transformToString();

/** The mlops CLI builds its own registry client (table and endpoint from the environment); only the S3 client carries the emulator's key. */
const mlops = (...argv: string[]) => run(argv, {
  env: { MLOPS_REGISTRY_TABLE: b.registryTable, MLOPS_ENDPOINT_DYNAMODB: dynamoEndpoint(), MLOPS_ACTOR: 'alice' },
  s3: b.s3,
});

beforeAll(async () => {
  b = await localBatch({
    categories: ['books'],
    scoring: (_c, _a, v) => {
      scored.push(v);
      return { 'out.jsonl': predictionLines('books', 20) };
    },
  });
});
afterAll(() => b.cleanup());

test('promoting an experiment version copies its job output under runs/, and scoring reads the copy after the experiment expired', async () => {
  const { prefix, artifactUri } = await experimentRun('exp-books-1');
  const version = await b.register('books', { artifactUri, artifact: false });

  const res = await mlops('promote', MODEL, String(version), '--category', 'books', '--reason', 'the experiment wins');
  expect(res).toMatchObject({ code: 0, err: '' });
  const runsPrefix = `runs/${MODEL}/exp-books-1/train-exp-books-1-1/output/`;
  expect(res.out).toContain(`Copied the experiment artifact ${artifactUri} to s3://${b.buckets.artifacts}/${runsPrefix}model/ (3 objects), where it does not expire.`);
  expect(await b.registry.getVersion(MODEL, 'books', version)).toMatchObject({ artifactUri: `s3://${b.buckets.artifacts}/${runsPrefix}model/`, originalArtifactUri: artifactUri });
  expect((await artifacts(runsPrefix)).map((o) => o.Key).sort()).toEqual([`${runsPrefix}data/baseline.json`, `${runsPrefix}model/metrics.json`, `${runsPrefix}model/model.tar.gz`]);
  expect(await text(`${runsPrefix}model/model.tar.gz`)).toBe('weights of exp-books-1');

  // 90 days later the lifecycle rule has expired the experiment's outputs.
  for (const o of await artifacts(prefix)) await b.s3.send(new DeleteObjectCommand({ Bucket: b.buckets.artifacts, Key: o.Key! }));
  expect(await artifacts(`experiments/${MODEL}/`)).toEqual([]);

  // The scoring stand-in fails like SageMaker when the model channel is empty: this run reads the copy.
  const outcome = await b.machine.start({ model: MODEL, executionDate: DATE, categories: ['books'], version }).outcome;
  expect(outcome).toMatchObject({ status: 'SUCCEEDED', output: { scored: [{ version, servedNow: true }] } });
  expect(scored).toEqual([version]);
  expect(await b.registry.getServed(MODEL, 'books')).toMatchObject({ version });
});

test('every version in the rollback history keeps its artifact: rolling back to the promoted experiment version copies nothing and scores from runs/', async () => {
  const experiment = (await b.registry.getProduction(MODEL, 'books'))!.version;
  const next = await b.promote('books');
  const { retained, event } = await b.registry.rollback({ model: MODEL, category: 'books', actor: 'bob', reason: `v${next} misbehaves` });
  expect(event).toMatchObject({ kind: 'ROLLBACK', toVersion: experiment });
  expect(retained).toBeUndefined();
  expect((await b.registry.getVersion(MODEL, 'books', experiment))!.artifactUri).toMatch(new RegExp(`^s3://${b.buckets.artifacts}/runs/${MODEL}/`));
  expect(await b.machine.start({ model: MODEL, executionDate: DATE, categories: ['books'] }).outcome).toMatchObject({ status: 'SUCCEEDED', output: { scored: [{ version: experiment }] } });
});

test('an experiment version whose outputs already expired is refused with what to do', async () => {
  const version = await b.register('books', { artifactUri: `s3://${b.buckets.artifacts}/experiments/${MODEL}/gone/train-gone-1/output/model/`, artifact: false });
  const res = await mlops('promote', MODEL, String(version), '--category', 'books', '--reason', 'too late');
  expect(res.code).toBe(3);
  expect(res.err).toContain(`version ${version} of ${MODEL}/books cannot be promoted: its artifact s3://${b.buckets.artifacts}/experiments/${MODEL}/gone/train-gone-1/output/model/ no longer exists (experiment outputs under experiments/ expire). Retrain it with \`mlops train ${MODEL} --category books\``);
  expect((await b.registry.getProduction(MODEL, 'books'))!.version).not.toBe(version);
});

test('a registry client without S3 (e.g. a Lambda) refuses to promote an experiment version instead of serving one that will expire', async () => {
  const { artifactUri } = await experimentRun('exp-books-2');
  const version = await b.register('books', { artifactUri, artifact: false });
  const noS3 = new ModelRegistryClient({ tableName: b.registryTable, doc: localDoc() });
  await expect(noS3.promote({ model: MODEL, category: 'books', version, actor: 'pipeline', reason: 'auto' }))
    .rejects.toThrow(`its artifact ${artifactUri} is under experiments/, which expires, and this promotion cannot copy it under runs/ (this registry client has no S3 client). Promote it with \`mlops promote ${MODEL} ${version} --category books --reason \"<why>\"\`, which copies it first`);
  expect((await b.registry.getVersion(MODEL, 'books', version))!.artifactUri).toBe(artifactUri);
});

test('whatever the run id and file names, the copy holds every object of the job output at the same key under runs/', async () => {
  const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._ é-]{0,20}$/).filter((w) => !w.endsWith('.') && w.trim() === w);
  await fc.assert(fc.asyncProperty(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,30}$/), fc.uniqueArray(word, { minLength: 1, maxLength: 4 }), async (runId, files) => {
    const prefix = `experiments/${MODEL}/${runId}/job-1/output/`;
    for (const f of files) await b.s3.send(new PutObjectCommand({ Bucket: b.buckets.artifacts, Key: `${prefix}model/${f}`, Body: `body of ${f}` }));
    const version = await b.register('books', { artifactUri: `s3://${b.buckets.artifacts}/${prefix}model/`, artifact: false });
    const { retained } = await b.registry.promote({ model: MODEL, category: 'books', version, actor: 'prop', reason: 'property' });
    const runsPrefix = `runs/${MODEL}/${runId}/job-1/output/`;
    expect(retained).toMatchObject({ to: `s3://${b.buckets.artifacts}/${runsPrefix}model/` });
    for (const f of files) expect(await text(`${runsPrefix}model/${f}`)).toBe(`body of ${f}`);
    expect((await artifacts(runsPrefix)).length).toBeGreaterThanOrEqual(files.length);
  }), { numRuns: 8 });
});
