// A registry in DynamoDB Local holding the example model's history, dated relative to NOW:
// daily scheduled runs of books and garden whose rmse decays across the spec's threshold (50),
// two runs with metric curves, a failed manual run, promotions, a rollback, a rejection and the
// served predictions' load; the artifacts of one run in the S3 emulator.
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ModelRegistryClient, REGISTRY_SCHEMA, parseMetricSeries } from '../../lambda/shared/registry';
import { createLocalTable, localDoc } from '../support/dynamo';
import { s3Endpoint } from '../support/endpoints';

export const NOW = new Date('2026-11-29T12:00:00Z');
export const MODEL = 'demand-forecast';
const DAY_MS = 86_400_000;
const at = (daysAgo: number, hour = 2) => new Date(NOW.getTime() - daysAgo * DAY_MS + (hour - 12) * 3_600_000);

/** rmse of the daily books / garden runs, oldest first: books decays past the threshold 50. */
export const BOOKS_RMSE = [41.5, 43.2, 46.8, 49.1, 52.4];
export const GARDEN_RMSE = [38.2, 38.9, 39.4, 40.1, 40.6];

/** A metric curve: rmse falling from 90 over `steps` steps (step, rmse, mae per line). */
export function curve(steps: number, start: number): string {
  return Array.from({ length: steps }, (_, i) => JSON.stringify({ step: i + 1, rmse: Math.round((start / (1 + i * 0.2)) * 100) / 100, mae: Math.round((start / (2 + i * 0.3)) * 100) / 100 })).join('\n');
}

/** The S3 emulator, holding the artifacts of exp-window-14 in BUCKET. */
export const s3 = new S3Client({ endpoint: s3Endpoint(), forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
export const BUCKET = `artifacts-ui-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

async function seedArtifacts(): Promise<Record<string, string>> {
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const prefix = `experiments/${MODEL}/exp-window-14/out/`;
  const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}${key}`, Body: body }));
  await put('model/model.json', JSON.stringify({ window: 14, weights: Array.from({ length: 200 }, (_, i) => i / 7) }));
  await put('model/metrics.json', '{"rmse":44.1,"mae":30.2}');
  await put('data/metrics.jsonl', curve(20, 90));
  return { model: `s3://${BUCKET}/${prefix}model/`, metricSeries: `s3://${BUCKET}/${prefix}data/metrics.jsonl` };
}

export async function seedRegistry(): Promise<ModelRegistryClient> {
  const artifacts = await seedArtifacts();
  const tableName = await createLocalTable('ui', REGISTRY_SCHEMA);
  let clock = at(10);
  const registry = new ModelRegistryClient({ tableName, doc: localDoc(), now: () => clock });
  const setClock = (d: Date) => { clock = d; };
  await registry.createModel({ model: MODEL, actor: 'pipeline', owner: 'ds-team@example.com', description: 'Daily unit demand per store' });

  for (let i = 0; i < BOOKS_RMSE.length; i++) {
    const daysAgo = BOOKS_RMSE.length - i;
    for (const [category, rmse] of [['books', BOOKS_RMSE[i]], ['garden', GARDEN_RMSE[i]]] as const) {
      const runId = `sched-${category}-${i + 1}`;
      setClock(at(daysAgo, 2));
      await registry.startRun({ runId, model: MODEL, category, trigger: 'schedule', executionDate: at(daysAgo).toISOString().slice(0, 10), hyperparameters: { window: 28 }, datasetVersion: `sha256:${category}${i}`, image: 'repo@sha256:aaa' });
      setClock(at(daysAgo, 3));
      const v = await registry.registerVersion({ model: MODEL, category, artifactUri: `s3://artifacts/runs/${MODEL}/${runId}/model.tar.gz`, metrics: { rmse }, hyperparameters: { window: 28 }, runId, actor: 'pipeline' });
      await registry.finishRun({ runId, status: 'SUCCEEDED', metrics: { rmse }, version: v.version });
    }
  }
  // Experiments with curves (overlaid on the comparison page), and a failed manual run.
  setClock(at(1, 9));
  await registry.startRun({ runId: 'exp-window-14', model: MODEL, category: 'books', trigger: 'manual', experiment: true, hyperparameters: { window: 14, level_weight: 0.5 }, datasetVersion: 'sha256:books4', image: 'repo@sha256:bbb' });
  await registry.finishRun({ runId: 'exp-window-14', status: 'SUCCEEDED', metrics: { rmse: 44.1, mae: 30.2 }, metricSeries: parseMetricSeries(curve(20, 90)), artifacts });
  setClock(at(1, 10));
  await registry.startRun({ runId: 'exp-window-56', model: MODEL, category: 'books', trigger: 'manual', experiment: true, hyperparameters: { window: 56, level_weight: 0.5 }, datasetVersion: 'sha256:books4', image: 'repo@sha256:aaa' });
  await registry.finishRun({ runId: 'exp-window-56', status: 'SUCCEEDED', metrics: { rmse: 47.9, mae: 33.0 }, metricSeries: parseMetricSeries(curve(12, 100)) });
  setClock(at(0, 8));
  await registry.startRun({ runId: 'manual-garden-x', model: MODEL, category: 'garden', trigger: 'manual', hyperparameters: { window: 7 } });
  await registry.finishRun({ runId: 'manual-garden-x', status: 'FAILED', failureCause: 'AlgorithmError: no CSV file' });

  // Production history of books: v1, v2, v4 promoted, a rollback to v2, v5 rejected.
  const step = async (daysAgo: number, hour: number, f: () => Promise<unknown>) => { setClock(at(daysAgo, hour)); await f(); };
  await step(5, 4, () => registry.promote({ model: MODEL, category: 'books', version: 1, actor: 'pipeline', reason: 'first version' }));
  await step(4, 4, () => registry.promote({ model: MODEL, category: 'books', version: 2, actor: 'pipeline', reason: 'beats v1 by 0.05' }));
  await step(2, 4, () => registry.promote({ model: MODEL, category: 'books', version: 4, actor: 'cli:ana', reason: 'weekend pattern fixed' }));
  await step(2, 9, () => registry.rollback({ model: MODEL, category: 'books', actor: 'cli:ana', reason: 'v4 over-predicts on Mondays' }));
  await step(1, 4, () => registry.setVersionStatus({ model: MODEL, category: 'books', version: 5, status: 'REJECTED', actor: 'cli:bo', reason: 'rmse above the threshold' }));
  await step(5, 4, () => registry.promote({ model: MODEL, category: 'garden', version: 5 - 4, actor: 'pipeline', reason: 'first version' }));
  // books' predictions were generated 20 h ago (fresh); garden's 4 days ago with a 3-day TTL (expired).
  await step(0, 0, () => registry.markLoaded({ model: MODEL, category: 'books', version: 2, generatedAt: at(0, -8).toISOString(), ttlHours: 72 }));
  await step(0, 0, () => registry.markLoaded({ model: MODEL, category: 'garden', version: 1, generatedAt: at(4, 2).toISOString(), ttlHours: 72 }));
  return registry;
}
