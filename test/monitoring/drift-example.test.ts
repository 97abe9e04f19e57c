// The drift loop end to end on the example model: its real train.py writes the baseline, its
// real score.py scores day after day, drift-compute reads both from s3rver and the registry in
// DynamoDB Local. An unchanged model on unchanged data must stay under the alarm threshold on
// every day of two weeks; a shift in demand must cross it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_DRIFT_THRESHOLD } from '../../lib/monitoring/drift-alarms';
import { computeDrift } from '../../lambda/drift-compute';
import { CONTAINER, layout } from '../../lambda/shared/contract';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { createLocalTable, localDoc } from '../support/dynamo';
import { s3Endpoint } from '../support/endpoints';

const MODEL_DIR = join(__dirname, '..', '..', 'models', 'demand-forecast');
const MODEL = 'demand-forecast';
const CATEGORY = 'books';
// Enough stores for a published PSI with the example's 5 quantile bins (effective size >= 100).
const STORES = 300;
const TRAINED_ON = '2026-11-01';
const DAYS = 14;

const s3 = new S3Client({ endpoint: s3Endpoint(), forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
const suffix = `${process.pid}-${Date.now()}`;
const artifactsBucket = `artifacts-ex-${suffix}`;
const predictionsBucket = `predictions-ex-${suffix}`;
const jobOutput = `runs/${MODEL}/run-1/${MODEL}-${CATEGORY}-job-1/output/`;
let root: string;
let registry: ModelRegistryClient;
let history: Array<{ date: string; line: string }>;

const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const python = (script: string, env: Record<string, string>) => execFileSync('python3', ['-B', join(MODEL_DIR, script)], {
  env: { PATH: process.env.PATH, PYTHONDONTWRITEBYTECODE: '1', MLOPS_ML_ROOT: root, MLOPS_MODEL: MODEL, MLOPS_CATEGORY: CATEGORY, ...env }, encoding: 'utf8', stdio: 'pipe',
});
const channel = (name: string) => join(root, 'input', 'data', name);

/** Writes the rows up to `until` (optionally with demand scaled from `shiftFrom` on) as the channel's CSV. */
function writeChannel(name: string, until: string, shift?: { from: string; factor: number }) {
  rmSync(channel(name), { recursive: true, force: true });
  mkdirSync(channel(name), { recursive: true });
  const rows = history.filter((r) => r.date <= until).map(({ date, line }) => {
    if (!shift || date < shift.from) return line;
    const [d, store, units] = line.split(',');
    return `${d},${store},${(Number(units) * shift.factor).toFixed(1)}`;
  });
  writeFileSync(join(channel(name), `${CATEGORY}.csv`), ['date,store_id,units', ...rows].join('\n'));
}

/** Scores `date` with the trained model, stores the predictions as batch inference does, and computes drift. */
async function scoreAndComputeDrift(date: string, shift?: { from: string; factor: number }) {
  writeChannel(CONTAINER.scoringInputChannel, date, shift);
  python('score.py', { MLOPS_MODE: 'score', MLOPS_EXECUTION_DATE: date });
  const predictions = readFileSync(join(root, 'output', 'data', 'predictions.jsonl'), 'utf8');
  await s3.send(new PutObjectCommand({ Bucket: predictionsBucket, Key: `${layout.predictionsPrefix(MODEL, CATEGORY, date)}part-0.jsonl`, Body: predictions }));
  return computeDrift({ model: MODEL, category: CATEGORY, executionDate: date, version: 1 }, { s3, registry, predictionsBucket, emit: () => undefined });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mlops-drift-'));
  // One history of 60 + 14 days: training sees the first 60, scoring on day D sees up to D.
  const generated = join(root, 'generated');
  execFileSync('python3', ['-B', join(MODEL_DIR, 'generate_data.py'), '--out', generated, '--days', String(60 + DAYS), '--stores', String(STORES), '--category', CATEGORY, '--seed', '7', '--end', addDays(TRAINED_ON, DAYS)], { stdio: 'pipe' });
  history = readFileSync(join(generated, `${CATEGORY}.csv`), 'utf8').trim().split('\n').slice(1).map((line) => ({ date: line.slice(0, 10), line }));
  writeChannel(CONTAINER.trainingChannel, TRAINED_ON);
  python('train.py', { MLOPS_RUN_ID: 'run-1', MLOPS_EXECUTION_DATE: TRAINED_ON });

  registry = new ModelRegistryClient({ tableName: await createLocalTable('driftex', REGISTRY_SCHEMA), doc: localDoc() });
  await s3.send(new CreateBucketCommand({ Bucket: artifactsBucket }));
  await s3.send(new CreateBucketCommand({ Bucket: predictionsBucket }));
  await registry.createModel({ model: MODEL, actor: 'test' });
  await registry.startRun({ runId: 'run-1', model: MODEL, category: CATEGORY });
  await registry.registerVersion({ model: MODEL, category: CATEGORY, artifactUri: `s3://${artifactsBucket}/${jobOutput}model/`, runId: 'run-1', actor: 'test' });
  await s3.send(new PutObjectCommand({ Bucket: artifactsBucket, Key: `${jobOutput}data/${CONTAINER.baselineFile}`, Body: readFileSync(join(root, 'output', 'data', CONTAINER.baselineFile)) }));
  // The scoring job reads the model from its "model" channel.
  mkdirSync(channel(CONTAINER.scoringModelChannel), { recursive: true });
  writeFileSync(join(channel(CONTAINER.scoringModelChannel), 'model.json'), readFileSync(join(root, 'model', 'model.json')));
  rmSync(join(root, 'model'), { recursive: true, force: true });
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

test('an unchanged model scored on 14 consecutive days raises no drift alarm', async () => {
  const psis: Record<string, number | undefined> = {};
  for (let i = 0; i < DAYS; i++) {
    const date = addDays(TRAINED_ON, i);
    const res = await scoreAndComputeDrift(date);
    expect(res).toMatchObject({ status: 'PUBLISHED', sampleSize: STORES });
    psis[date] = res.predictionPsi;
  }
  // Every weekday is compared with its own baseline, so the weekly pattern is not drift.
  for (const [date, value] of Object.entries(psis)) {
    expect({ date, value, belowThreshold: value! < DEFAULT_DRIFT_THRESHOLD }).toEqual({ date, value, belowThreshold: true });
  }
}, 120_000);

test('demand 60 % higher for a week raises the drift alarm', async () => {
  const date = addDays(TRAINED_ON, DAYS);
  const res = await scoreAndComputeDrift(date, { from: addDays(date, -6), factor: 1.6 });
  expect(res.status).toBe('PUBLISHED');
  expect(res.predictionPsi).toBeGreaterThan(DEFAULT_DRIFT_THRESHOLD);
}, 60_000);
