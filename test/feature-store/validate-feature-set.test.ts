// ValidateData of a model whose training channel is the feature store query result (issue 14 §2):
// the checks run on the objects the query wrote under the run's prefix, not on data.location.
// The real handler against the S3 emulator.
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { layout } from '../../lambda/shared/contract';
import { FEATURE_SET_SUFFIX } from '../../lambda/shared/training/feature-set';
import { getText } from '../../lambda/shared/training/s3';
import { DataValidationConfig } from '../../lambda/shared/training/types';
import { DatasetManifest } from '../../lambda/shared/training/validate-data';
import { validateTrainingData } from '../../lambda/training-validate-data';
import { localDeps } from '../training-pipeline/local-deps';

const MODEL = 'demand-forecast';
const DATE = '2026-11-24';
const NOW = new Date('2026-11-24T06:00:00Z');
const hoursBefore = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

/** What the training pipeline derives for a feature set (FeatureQuery.trainingChannel): training set columns and types, event time. */
const VALIDATION: DataValidationConfig = {
  format: 'jsonl',
  columns: [
    { name: 'customer_id', type: 'string' }, { name: 'event_time', type: 'timestamp' }, { name: 'churned', type: 'integer' },
    { name: 'spend_30d', type: 'number', nullable: true },
  ],
  eventTimeColumn: 'event_time',
  minRows: 2,
  maxAgeSeconds: 36 * 3600,
  sampleRows: 100,
};

let n = 0;
async function setup(opts: { experiment?: boolean } = {}) {
  const deps = await localDeps({ validation: VALIDATION, channelInRun: FEATURE_SET_SUFFIX });
  const id = `${process.pid}-${n++}`;
  const buckets = { datasetsBucket: `fs-datasets-${id}`, artifactsBucket: `fs-artifacts-${id}` };
  for (const b of Object.values(buckets)) await deps.s3.send(new CreateBucketCommand({ Bucket: b }));
  const d = { ...deps, ...buckets, now: () => NOW };
  const run = {
    model: MODEL, category: 'books', runId: `${MODEL}-books-20261124-abc${id.replace(/\D/g, '')}`, executionDate: DATE, experiment: opts.experiment ?? false,
    trigger: 'manual', executionId: 'local', hyperparameters: {}, referenceTime: NOW.toISOString(),
  };
  const resultPrefix = `${layout.runPrefix(MODEL, run.runId, run.experiment)}${FEATURE_SET_SUFFIX}`;
  return {
    deps: d, run, resultPrefix,
    /** data.location for the run's date: a valid CSV, which a features model does not train on. */
    uploadDataLocation: () => d.s3.send(new PutObjectCommand({ Bucket: d.datasetsBucket, Key: `${layout.datasetPrefix(MODEL, 'books', DATE)}part-0.csv`, Body: 'date,sales\n2026-11-23,1\n' })),
    /** What Athena's UNLOAD writes: gzip-compressed JSON lines, named by the query id. */
    uploadResult: (rows: object[], name = '20261124_060000_00001_abcde_1.gz') => d.s3.send(new PutObjectCommand({
      Bucket: d.artifactsBucket, Key: `${resultPrefix}${name}`, Body: gzipSync(rows.map((r) => JSON.stringify(r)).join('\n')),
    })),
  };
}

const row = (over: Record<string, unknown> = {}) => ({ customer_id: 'c1', event_time: hoursBefore(2), churned: 0, spend_30d: 12.5, ...over });

describe('ValidateData of a features model checks the query result', () => {
  test('a bad query result fails the category, even when data.location holds valid data', async () => {
    const s = await setup();
    await s.uploadDataLocation();
    await s.uploadResult([row(), row({ churned: null }), row({ churned: 'yes' })]);
    await expect(validateTrainingData({ item: s.run }, s.deps)).rejects.toThrow(
      new RegExp(`s3://${s.deps.artifactsBucket}/${s.resultPrefix}.*"churned" is empty, but the column is not nullable.*"churned" is "yes", not a integer`),
    );
  });

  test('a good query result passes with data.location empty; the manifest lists the result objects, so the dataset version is theirs', async () => {
    const s = await setup();
    await s.uploadResult([row(), row({ customer_id: 'c2', spend_30d: null }), { customer_id: 'c3', event_time: hoursBefore(1), churned: 1 }]);
    const out = await validateTrainingData({ item: s.run }, s.deps);
    expect(out).toEqual({ datasetVersion: expect.stringMatching(/^sha256:/), rows: 3 });
    const text = await getText(s.deps.s3, s.deps.artifactsBucket, `manifests/${MODEL}/books/${DATE}/${s.run.runId}/manifest.json`);
    const manifest = JSON.parse(text!) as DatasetManifest;
    expect(manifest).toMatchObject({ bucket: s.deps.artifactsBucket, prefix: s.resultPrefix, rows: 3, datasetVersion: out.datasetVersion });
    expect(manifest.objects.map((o) => o.key)).toEqual([`${s.resultPrefix}20261124_060000_00001_abcde_1.gz`]);
  });

  test('an experiment reads the result under its experiment prefix', async () => {
    const s = await setup({ experiment: true });
    expect(s.resultPrefix.startsWith('experiments/')).toBe(true);
    await s.uploadResult([row(), row({ customer_id: 'c2' })]);
    await expect(validateTrainingData({ item: s.run }, s.deps)).resolves.toMatchObject({ rows: 2 });
  });

  test('no result objects: the category fails, saying the query wrote no rows for it', async () => {
    const s = await setup();
    await s.uploadDataLocation();
    await expect(validateTrainingData({ item: s.run }, s.deps)).rejects.toThrow(/the feature query wrote no rows for category books under s3:\/\/.*input\/training\/ \(.*labels group.*\)/);
  });

  test('maxAge applies to the newest event time of the result, not to when the query wrote it', async () => {
    const s = await setup();
    await s.uploadResult([row({ event_time: hoursBefore(50) }), row({ customer_id: 'c2', event_time: hoursBefore(40) })]);
    await expect(validateTrainingData({ item: s.run }, s.deps)).rejects.toThrow(`newest event_time in the training set is 40 h old at ${NOW.toISOString()}, older than the allowed 36 h`);
  });

  test('minRows applies to the result rows of the category', async () => {
    const s = await setup();
    await s.uploadResult([row()]);
    await expect(validateTrainingData({ item: s.run }, s.deps)).rejects.toThrow('1 rows, fewer than the required 2');
  });

  test('a missing column that is not nullable is reported; a nullable one (a feature with no record before the row) may be absent', async () => {
    const s = await setup();
    await s.uploadResult([{ customer_id: 'c1', event_time: hoursBefore(1), spend_30d: 1 }, { customer_id: 'c2', event_time: hoursBefore(1), churned: 1 }]);
    await expect(validateTrainingData({ item: s.run }, s.deps)).rejects.toThrow(/line 1: missing declared field "churned"/);
  });
});
