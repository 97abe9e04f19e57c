// The Fargate model service's start, exactly as its task definition runs it (the bootstrap
// command and environment), against the S3 emulator: the served version's model.tar.gz is
// unpacked into /opt/ml/model, the example model's serve mode starts, and the predict core's
// `:invoke` reaches it over plain HTTP. Without a pinned version the service answers the contract
// itself (healthy, 503), and the front end answers from its fallback rules.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CONTAINER, SERVING } from '../../lambda/shared/contract';
import { MODEL_SERVICE_ENV } from '../../lambda/shared/model-service/settings';
import { parseServingConfig } from '../../lambda/shared/predict/config';
import { PredictCore } from '../../lambda/shared/predict/core';
import { ModelInvoker } from '../../lambda/shared/predict/invoke';
import { HttpModelClient } from '../../lambda/shared/predict/model-client';
import { serveStagerBootstrap, serveStagerSource } from '../../lib/model-service/serve-stager';
import { stagerSource } from '../../lib/training-pipeline/stager-source';
import { freePort } from '../../local/emulators';
import { MODEL_CODE_DIR, TrainedModel, trainExampleModel } from '../../local/container/example-model';
import { s3Endpoint } from '../support/endpoints';
import { s3Client } from '../training-pipeline/harness';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const BUCKET = `model-service-${process.pid}`;
const PREFIX = 'runs/demand-forecast/r1/r1-1/output/model/';

let trained: TrainedModel;
const started: ChildProcess[] = [];
const roots: string[] = [];

beforeAll(async () => {
  trained = trainExampleModel();
  // The artifact as SageMaker training leaves it: model.tar.gz under the version's prefix.
  const archive = join(trained.mlRoot, 'model.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', join(trained.mlRoot, 'model'), '.']);
  const s3 = s3Client();
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}model.tar.gz`, Body: readFileSync(archive) }));
  // A hostile archive: a member that would land outside /opt/ml/model.
  const evil = mkdtempSync(join(tmpdir(), 'mlops-evil-'));
  roots.push(evil);
  execFileSync('python3', ['-c', 'import io,sys,tarfile\nt=tarfile.open(sys.argv[1],"w:gz")\ni=tarfile.TarInfo("../escaped.json");d=b"{}";i.size=len(d);t.addfile(i,io.BytesIO(d));t.close()', join(evil, 'model.tar.gz')]);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'runs/demand-forecast/evil/model.tar.gz', Body: readFileSync(join(evil, 'model.tar.gz')) }));
});

afterAll(() => {
  for (const p of started) if (p.exitCode === null) p.kill('SIGTERM');
  for (const r of roots) rmSync(r, { recursive: true, force: true });
  trained?.remove();
});

/** Starts the container's command with its environment; resolves once /ping answers, or with the exit. */
async function startService(modelDataUrl: string | undefined): Promise<{ url: string; root: string } | { exitCode: number; stderr: string }> {
  const root = mkdtempSync(join(tmpdir(), 'mlops-model-service-'));
  roots.push(root);
  const port = await freePort();
  const [python, ...args] = serveStagerBootstrap('python3');
  const proc = spawn(python, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      PYTHONDONTWRITEBYTECODE: '1',
      [MODEL_SERVICE_ENV.stager]: stagerSource(),
      [MODEL_SERVICE_ENV.serveStager]: serveStagerSource(),
      [MODEL_SERVICE_ENV.command]: JSON.stringify(['python3', '-B', join(MODEL_CODE_DIR, 'serve.py')]),
      ...(modelDataUrl ? { [MODEL_SERVICE_ENV.modelDataUrl]: modelDataUrl, [CONTAINER.env.modelVersion]: '3' } : {}),
      [MODEL_SERVICE_ENV.s3Endpoint]: s3Endpoint(),
      [CONTAINER.env.mlRoot]: root,
      [SERVING.portEnv]: String(port),
      AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1',
    },
  });
  started.push(proc);
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (proc.exitCode !== null) return { exitCode: proc.exitCode, stderr };
    const ok = await fetch(`${url}${SERVING.pingPath}`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 200, () => false);
    if (ok) return { url, root };
    await new Promise((r) => setTimeout(r, 50));
  }
}

function invoker(url: string) {
  const core = new PredictCore({
    config: parseServingConfig({ models: { 'demand-forecast': { categories: ['books'], rules: { fallback: [{ name: 'typical-day', prediction: 50 }] } } } }),
    store: { get: async () => undefined, getMany: async () => ({ items: new Map(), unprocessed: [] }) },
    production: async () => 3,
    now: () => NOW,
  });
  return new ModelInvoker({ core, models: { 'demand-forecast': { mode: 'online', client: new HttpModelClient(url), budgetMs: 5_000 } }, now: () => NOW });
}

test('unpacks the pinned version\'s model.tar.gz into /opt/ml/model and the predict core\'s :invoke reaches the model over HTTP', async () => {
  const service = await startService(`s3://${BUCKET}/${PREFIX}`);
  if (!('url' in service)) throw new Error(`the service exited with ${service.exitCode}: ${service.stderr}`);
  expect(JSON.parse(readFileSync(join(service.root, 'model', 'model.json'), 'utf8'))).toMatchObject({ category: 'books' });
  const inv = invoker(service.url);
  const answer = await inv.invoke('demand-forecast', { features: { date: '2026-11-21' }, entityId: 'store-001' });
  inv.destroy();
  expect(answer).toMatchObject({ source: 'model', version: 3, model: 'demand-forecast' });
  expect(typeof answer.prediction).toBe('number');
});

test('without a pinned version (the deploy\'s revision) it is healthy, refuses invocations with 503, and the front end falls back', async () => {
  const service = await startService(undefined);
  if (!('url' in service)) throw new Error(`the service exited with ${service.exitCode}: ${service.stderr}`);
  const res = await fetch(`${service.url}${SERVING.invocationsPath}`, { method: 'POST', body: '{"features":{}}' });
  expect(res.status).toBe(503);
  expect(await res.text()).toMatch(/promote one/);
  const inv = invoker(service.url);
  const answer = await inv.invoke('demand-forecast', { features: {}, entityId: 'store-001' });
  inv.destroy();
  expect(answer).toMatchObject({ source: 'fallback', rule: 'typical-day', prediction: 50 });
});

test('refuses an archive member outside /opt/ml/model and exits with the reason', async () => {
  const service = await startService(`s3://${BUCKET}/runs/demand-forecast/evil/model.tar.gz`);
  expect(service).toMatchObject({ exitCode: 2, stderr: expect.stringMatching(/refusing to unpack \.\.\/escaped\.json outside/) });
});
