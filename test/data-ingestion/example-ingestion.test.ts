// The example model's ingestion job (models/demand-forecast, data.ingestion in its model.yaml):
// its data generator under the contract, through the real staging wrapper and the real delivery,
// against the S3 emulator.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { INGEST_JOB_ENV, INGEST_STAGING_ENV } from '../../lambda/shared/ingestion/constants';
import { deliverWindow } from '../../lambda/shared/ingestion/deliver';
import { getText } from '../../lambda/shared/training/s3';
import { ingestStagerBootstrap, ingestStagerSource } from '../../lib/data-ingestion/ingest-stager';
import { loadModelSpec } from '../../lib/spec/load-model-spec';
import { runPatternChecks } from '../../lib/checks';
import { stagerSource } from '../../lib/training-pipeline/stager-source';
import { s3Endpoint } from '../support/endpoints';
import { s3Client } from '../training-pipeline/harness';

const MODEL_DIR = join(__dirname, '..', '..', 'models', 'demand-forecast');
// The example's spec turns ingestion on (data.ingestion in its model.yaml).
const spec = loadModelSpec(join(MODEL_DIR, 'model.yaml'));
let n = 0;

/** Runs the spec's ingestion command (its /opt/program path mapped to the model folder) in the wrapper for one window. */
async function ingestWindow(window: { start: string; end: string }) {
  const s3 = s3Client();
  const id = `${process.pid}-${n++}`;
  const buckets = { datasets: `exds-${id}`, staging: `exstg-${id}` };
  for (const b of Object.values(buckets)) await s3.send(new CreateBucketCommand({ Bucket: b }));
  const command = spec.data.ingestion!.command!.map((a) => a.replace('/opt/program', MODEL_DIR));
  const root = mkdtempSync(join(tmpdir(), 'mlops-example-ingest-'));
  const [python, ...args] = ingestStagerBootstrap('python3');
  const res = spawnSync(python, args, {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH, PYTHONDONTWRITEBYTECODE: '1',
      [INGEST_STAGING_ENV.stager]: stagerSource(), [INGEST_STAGING_ENV.ingestStager]: ingestStagerSource(),
      [INGEST_STAGING_ENV.command]: JSON.stringify(command), [INGEST_STAGING_ENV.outputUri]: `s3://${buckets.staging}/ingestion/demand-forecast/run-1/`,
      [INGEST_JOB_ENV.windowStart]: window.start, [INGEST_JOB_ENV.windowEnd]: window.end, [INGEST_JOB_ENV.categories]: spec.categories.join(','),
      MLOPS_ML_ROOT: root, MLOPS_S3_ENDPOINT: s3Endpoint(), AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1',
    },
  });
  rmSync(root, { recursive: true, force: true });
  expect(res.stderr).toMatch(/exited with 0/);
  const sent: unknown[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const manifest = await deliverWindow({ window, runId: 'run-1' }, {
    model: spec.name, categories: spec.categories, bucket: buckets.datasets, location: spec.data.location,
    stagingBucket: buckets.staging, stagingPrefix: 'ingestion/demand-forecast/', timeZone: spec.data.ingestion!.timeZone, eventBusName: 'default',
    validation: { format: spec.data.format, sampleRows: 1000, columns: spec.data.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })) },
  }, { s3, events: { send: (async (c: unknown) => { sent.push(c); return {}; }) as never }, now: () => new Date(window.end) }).finally(() => write.mockRestore());
  return { manifest, sent, get: async (key: string) => (await getText(s3, buckets.datasets, key)) ?? '' };
}

describe('the example model ingests with its data generator', () => {
  test('spec: a daily cadence running generate_data.py under the contract, training on each delivery', () => {
    expect(spec.data.ingestion).toMatchObject({ every: '1d', intervalSeconds: 86400, command: ['python3', '/opt/program/generate_data.py'], triggersTraining: true });
    expect(runPatternChecks([spec])).toEqual([]);
  });

  test('a daily window delivers its day\'s 60-day snapshot for every category, enough rows for training (data.minRows)', async () => {
    const window = { start: '2026-11-28T00:00:00.000Z', end: '2026-11-29T00:00:00.000Z' };
    const { manifest, sent, get } = await ingestWindow(window);
    expect(manifest.parts.map((p) => [p.category, p.key, p.rows, p.problems])).toEqual(spec.categories.map((c) => [c, `demand-forecast/${c}/2026-11-28/0000-1440m.csv`, 300, []]));
    expect(300).toBeGreaterThanOrEqual(spec.data.minRows);
    const books = (await get('demand-forecast/books/2026-11-28/0000-1440m.csv')).split(/\r?\n/);
    expect(books[0]).toBe('date,store_id,units');
    const dates = books.slice(1).filter(Boolean).map((l) => l.split(',')[0]).sort();
    expect([dates[0], dates[dates.length - 1]]).toEqual(['2026-09-30', '2026-11-28']);
    expect(sent).toHaveLength(1);
  });

  test('the same window gives the same rows (a re-run delivers the same part)', async () => {
    const window = { start: '2026-11-10T00:00:00.000Z', end: '2026-11-11T00:00:00.000Z' };
    const key = 'demand-forecast/toys/2026-11-10/0000-1440m.csv';
    expect(await (await ingestWindow(window)).get(key)).toBe(await (await ingestWindow(window)).get(key));
  });
});
