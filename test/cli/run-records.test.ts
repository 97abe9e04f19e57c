// `mlops tag`, `note`, `compare --runs` and `artifacts` against DynamoDB Local and the S3 emulator.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ModelRegistryClient, parseMetricSeries } from '../../lambda/shared/registry';
import { s3Endpoint } from '../support/endpoints';
import { run, seededRegistry } from './support';

const s3 = new S3Client({ endpoint: s3Endpoint(), forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
const bucket = `artifacts-runrec-${process.pid}`;
const now = () => new Date('2026-11-21T09:00:00Z');
let registry: ModelRegistryClient;
let tmp: string;
const cli = (...argv: string[]) => run(argv, { registry, s3, now, cwd: tmp, env: { MLOPS_ACTOR: 'ana' } });

beforeAll(async () => {
  ({ registry } = await seededRegistry());
  tmp = mkdtempSync(join(tmpdir(), 'run-records-'));
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  await put('runs/demand/run-x/out/model/model.json', '{"w":[1,2]}');
  await put('runs/demand/run-x/out/model/metrics.json', '{"rmse":0.3}');
  await put('runs/demand/run-x/out/data/metrics.jsonl', '{"step":1,"rmse":0.5}\n{"step":2,"rmse":0.3}');
  await put('runs/demand/run-x/out/model/../../escape.txt', 'outside');
  await registry.startRun({ runId: 'run-x', model: 'demand', category: 'books', hyperparameters: { window: 14, lr: 0.1 }, datasetVersion: 'sha256:aa', image: 'repo@sha256:1' });
  await registry.finishRun({
    runId: 'run-x', status: 'SUCCEEDED', metrics: { rmse: 0.3, mae: 0.2 },
    metricSeries: parseMetricSeries('{"step":1,"rmse":0.5}\n{"step":2,"rmse":0.3}'),
    artifacts: { model: `s3://${bucket}/runs/demand/run-x/out/model/`, metricSeries: `s3://${bucket}/runs/demand/run-x/out/data/metrics.jsonl` },
  });
  await registry.startRun({ runId: 'run-y', model: 'demand', category: 'books', hyperparameters: { window: 28, lr: 0.1 }, datasetVersion: 'sha256:bb', image: 'repo@sha256:2' });
  await registry.finishRun({ runId: 'run-y', status: 'SUCCEEDED', metrics: { rmse: 0.35 } });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test('tag sets and removes labels; a bad pair or another model\'s run is refused with the fix', async () => {
  expect(await cli('tag', 'demand', '--run', 'run-x', 'baseline=yes', 'reviewed=ana')).toMatchObject({ code: 0, out: 'run-x: baseline=yes reviewed=ana' });
  expect((await cli('tag', 'demand', '--run', 'run-x', 'reviewed=')).out).toBe('run-x: baseline=yes');
  expect(await cli('tag', 'demand', '--run', 'run-x', 'novalue')).toMatchObject({ code: 1, err: expect.stringContaining('name=value') });
  expect(await cli('tag', 'other', '--run', 'run-x', 'a=b')).toMatchObject({ err: expect.stringContaining('it is a run of demand') });
  expect((await cli('tag', 'demand', 'a=b')).err).toContain('--run is required');
});

test('note records the text with the actor', async () => {
  expect((await cli('note', 'demand', '--run', 'run-x', 'window 14 wins on weekends')).code).toBe(0);
  expect((await registry.getRun('run-x'))?.notes).toEqual([{ at: expect.any(String), actor: 'ana', text: 'window 14 wins on weekends' }]);
});

test('compare --runs shows final metrics, the params diff, data and image; bad counts are usage errors', async () => {
  const res = await cli('compare', '--runs', 'run-x', 'run-y');
  expect(res.code).toBe(0);
  const lines = res.out.split('\n');
  expect(lines.find((l) => l.startsWith('rmse'))).toMatch(/rmse\s+0\.3\s+0\.35/);
  expect(lines.find((l) => l.startsWith('hp.window'))).toMatch(/14\s+28\s+<>/);
  expect(lines.find((l) => l.startsWith('hp.lr'))).not.toContain('<>');
  expect(lines.find((l) => l.startsWith('datasetVersion'))).toMatch(/sha256:aa\s+sha256:bb\s+<>/);
  expect(lines.find((l) => l.startsWith('image'))).toContain('<>');
  const json = JSON.parse((await cli('compare', '--runs', 'run-x', 'run-y', '--json')).out);
  expect(json.hyperparameters).toContainEqual({ name: 'window', values: ['14', '28'], changed: true });
  expect((await cli('compare', '--runs', 'run-x', 'run-x')).err).toContain('given twice');
  expect((await cli('compare', '--runs', 'a', 'b', 'c', 'd', 'e', 'f')).err).toContain('2 to 5 runs');
  expect((await cli('compare', '--runs', 'run-x', 'run-nope')).code).toBe(2);
  // Versions still compare as before, and a missing version argument is a usage error.
  expect((await cli('compare', 'demand', '1', '2', '--category', 'books')).code).toBe(0);
  expect((await cli('compare', 'demand', '1')).err).toContain('<model> <v1> <v2>');
});

test('artifacts lists files and sizes, and downloads them inside the folder only', async () => {
  const list = await cli('artifacts', 'demand', '--run', 'run-x');
  expect(list.code).toBe(0);
  expect(list.out).toMatch(/metricSeries\s+1\s+/);
  expect(list.out).toContain('mlops artifacts demand --run run-x --download ./run-x');
  const dir = join(tmp, 'dl');
  const dl = await cli('artifacts', 'demand', '--run', 'run-x', '--download', dir);
  expect(dl.out).toMatch(/Downloaded [34] file/);
  expect(JSON.parse(readFileSync(join(dir, 'model', 'model.json'), 'utf8'))).toEqual({ w: [1, 2] });
  expect(readFileSync(join(dir, 'metricSeries', 'metrics.jsonl'), 'utf8')).toContain('"step":2');
  expect(() => readFileSync(join(tmp, 'escape.txt'))).toThrow();
  expect((await cli('artifacts', 'demand', '--run', 'run-books-4')).out).toContain('recorded no artifacts');
});
