// The bundled server as the container runs it, configured by environment (MLOPS_MODEL_ENDPOINTS),
// answering `:invoke` from the example model's serve mode: directly over HTTP (a Fargate-hosted
// model) and through SageMaker InvokeEndpoint (a local runtime stub in front of the same model,
// reached with the credentials of the SDK's provider chain). Needs `npm run build` first.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SERVING } from '../../lambda/shared/contract';
import { ENV } from '../../lambda/shared/env';
import { PREDICT_ENV } from '../../lambda/shared/predict/constants';
import { PREDICTIONS_SCHEMA } from '../../lambda/shared/predictions/schema';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { TrainedModel, MODEL_CODE_DIR, trainExampleModel } from '../../local/container/example-model';
import { ModelServer, startModelServer } from '../../local/container/model-server';
import { freePort } from '../../local/emulators';
import { createLocalTable, localDoc } from '../support/dynamo';
import { dynamoEndpoint } from '../support/endpoints';

const serverJs = join(__dirname, '..', '..', 'build', 'server', 'server.js');
let trained: TrainedModel;
let model: ModelServer;
let stub: Server;
let proc: ChildProcess;
let base: string;
const stubPaths: string[] = [];

beforeAll(async () => {
  if (!existsSync(serverJs)) throw new Error(`${serverJs} is missing: run 'npm run build' first`);
  trained = trainExampleModel();
  model = await startModelServer({ codeDir: MODEL_CODE_DIR, mlRoot: trained.mlRoot });
  stub = createServer((req, res) => {
    stubPaths.push(`${req.url} ${/Credential=local\/\d{8}\/us-east-1\/sagemaker\/aws4_request/.test(req.headers.authorization ?? '') ? 'signed' : 'unsigned'}`);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const upstream = await fetch(`${model.url}${SERVING.invocationsPath}`, { method: 'POST', body: Buffer.concat(chunks) });
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(await upstream.text());
    });
  });
  await new Promise<void>((r) => stub.listen(0, '127.0.0.1', () => r()));

  const [predictions, registryTable] = await Promise.all([
    createLocalTable('predictions', { partitionKey: PREDICTIONS_SCHEMA.partitionKey }),
    createLocalTable('registry', REGISTRY_SCHEMA),
  ]);
  const registry = new ModelRegistryClient({ tableName: registryTable, doc: localDoc() });
  for (const name of ['demand-http', 'demand-sm']) {
    await registry.createModel({ model: name, actor: 'test' });
    const v = await registry.registerVersion({ model: name, category: 'books', artifactUri: 's3://a/model.tar.gz', actor: 'test' });
    await registry.promote({ model: name, category: 'books', version: v.version, actor: 'test', reason: 'test' });
    // The served pointer moves once the version is ready (here: recorded as loaded).
    await registry.markLoaded({ model: name, category: 'books', version: v.version, generatedAt: new Date().toISOString(), ttlHours: 72 });
  }
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  proc = spawn(process.execPath, [serverJs], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '',
      [PREDICT_ENV.port]: String(port),
      [ENV.predictionsTable]: predictions,
      [ENV.registryTable]: registryTable,
      [PREDICT_ENV.servingConfig]: JSON.stringify({ models: { 'demand-http': { categories: ['books'] }, 'demand-sm': { categories: ['books'] } } }),
      [PREDICT_ENV.modelEndpoints]: JSON.stringify({
        models: {
          'demand-http': { mode: 'online', url: model.url, budgetMs: 5_000 },
          'demand-sm': { mode: 'online', sageMakerEndpoint: 'demand-sm-books', budgetMs: 5_000 },
        },
      }),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint(),
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: `http://127.0.0.1:${(stub.address() as AddressInfo).port}`,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  const lines = createInterface({ input: proc.stdout! });
  for await (const line of lines) {
    if (line.includes('prediction server listening')) {
      expect(JSON.parse(line)).toMatchObject({ models: ['demand-http', 'demand-sm'], realTime: ['demand-http', 'demand-sm'] });
      break;
    }
  }
});

afterAll(async () => {
  proc?.kill('SIGKILL');
  await new Promise((r) => stub?.close(r));
  await model?.stop();
  trained?.remove();
});

const invoke = async (name: string, body: unknown) => {
  const res = await fetch(`${base}/v1/models/${name}/predictions:invoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
};

test.each(['demand-http', 'demand-sm'])('%s: requests reach the model and come back with source and version', async (name) => {
  const body = { entityId: 'store-001', features: { date: '2026-11-25' } };
  const direct = await (await fetch(`${model.url}${SERVING.invocationsPath}`, { method: 'POST', body: JSON.stringify(body) })).json() as { prediction: number };
  expect(await invoke(name, body)).toEqual({
    status: 200,
    body: { prediction: direct.prediction, model: name, category: 'books', entityId: 'store-001', version: 1, source: 'model', generatedAt: expect.any(String) },
  });
});

test('the SageMaker client signs with the provider chain\'s credentials and calls the endpoint\'s path', () => {
  expect(stubPaths).toContain('/endpoints/demand-sm-books/invocations signed');
});

test('a refused input is a fallback answer, a bad request a 400', async () => {
  expect(await invoke('demand-http', { entityId: 'store-999', features: {} })).toMatchObject({ status: 200, body: { source: 'fallback', reason: 'model-error', version: 1 } });
  expect(await invoke('demand-http', { entityId: 'store-001' })).toMatchObject({ status: 400, body: { error: 'BadRequest' } });
});
