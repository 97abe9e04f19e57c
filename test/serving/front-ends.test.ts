// The server and the API Lambda handler against DynamoDB Local, through the lean reader.
import { AddressInfo } from 'node:net';
import { Server } from 'node:http';
import { parseServingConfig } from '../../lambda/shared/predict/config';
import { PredictCore } from '../../lambda/shared/predict/core';
import { DynamoReader } from '../../lambda/shared/predict/dynamo-reader';
import { DynamoPredictionStore } from '../../lambda/shared/predict/store';
import { toItem, writeItems } from '../../lambda/shared/predictions/loader';
import { PREDICTIONS_SCHEMA } from '../../lambda/shared/predictions/schema';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { predictApi } from '../../lambda/predict-api';
import { createPredictionServer } from '../../server/app';
import { dynamoEndpoint } from '../support/endpoints';
import { createLocalTable, localDoc } from '../support/dynamo';

let server: Server;
let base: string;
let core: PredictCore;
let reader: DynamoReader;

beforeAll(async () => {
  const [predictions, registryTable] = await Promise.all([
    // TTL deletion stays off here: DynamoDB Local deletes expired items within seconds, real
    // DynamoDB up to days late, and the reader must handle an expired item still in the table.
    createLocalTable('predictions', { partitionKey: PREDICTIONS_SCHEMA.partitionKey }),
    createLocalTable('registry', REGISTRY_SCHEMA),
  ]);
  const doc = localDoc();
  const registry = new ModelRegistryClient({ tableName: registryTable, doc });
  await registry.createModel({ model: 'demand', actor: 'test' });
  const v = await registry.registerVersion({ model: 'demand', category: 'books', artifactUri: 's3://a/m.tar.gz', actor: 'test' });
  await registry.promote({ model: 'demand', category: 'books', version: v.version, actor: 'test', reason: 'test' });
  const ctx = { model: 'demand', category: 'books', version: v.version, ttlHours: 72 };
  await writeItems({ doc, tableName: predictions }, [
    toItem({ entityId: 'e1', prediction: { units: 7 } }, { ...ctx, generatedAt: new Date() }),
    toItem({ entityId: 'e2', prediction: { units: 9 } }, { ...ctx, generatedAt: new Date() }),
    // Generated four days ago with a 72 h TTL: expired, but still in the table.
    toItem({ entityId: 'old', prediction: { units: 1 } }, { ...ctx, generatedAt: new Date(Date.now() - 96 * 3600_000) }),
  ]);
  reader = new DynamoReader({
    endpoint: dynamoEndpoint(), region: 'us-east-1', timeoutMs: 1000,
    credentials: async () => ({ accessKeyId: 'local', secretAccessKey: 'local' }),
  });
  core = new PredictCore({
    config: parseServingConfig({
      models: {
        demand: { categories: ['books', 'games'], defaultCategory: 'books', rules: { fallback: [{ name: 'average', prediction: { units: 3 } }] } },
      },
    }),
    store: new DynamoPredictionStore({ tableName: predictions, reader }),
    production: async (m, c) => (await registry.getProduction(m, c))?.version,
  });
  server = createPredictionServer({ core, onError: () => undefined });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  reader.destroy();
});

const get = async (path: string) => {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: await res.json() as Record<string, any> };
};
const post = async (path: string, body: string) => {
  const res = await fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  return { status: res.status, body: await res.json() as Record<string, any> };
};

describe('prediction server', () => {
  test('answers a stored prediction with its model version', async () => {
    const { status, body } = await get('/v1/models/demand/predictions/e1?category=books');
    expect(status).toBe(200);
    expect(body).toMatchObject({ prediction: { units: 7 }, model: 'demand', version: 1, source: 'model', entityId: 'e1', category: 'books' });
  });

  test('a missing prediction is a 200 fallback answer, not an error', async () => {
    const { status, body } = await get('/v1/models/demand/predictions/unknown-entity');
    expect(status).toBe(200);
    expect(body).toMatchObject({ prediction: { units: 3 }, source: 'fallback', rule: 'average', reason: 'missing', version: 1 });
  });

  test('an expired prediction still in the table is answered as missing', async () => {
    const { body } = await get('/v1/models/demand/predictions/old?category=books');
    expect(body).toMatchObject({ source: 'fallback', reason: 'expired' });
  });

  test('a category without a production version is served by rules alone', async () => {
    const { body } = await get('/v1/models/demand/predictions/e1?category=games');
    expect(body).toMatchObject({ source: 'fallback', reason: 'no-production-version', version: null, prediction: { units: 3 } });
  });

  test('batchGet answers every id in request order', async () => {
    const { status, body } = await post('/v1/models/demand/predictions:batchGet', JSON.stringify({ category: 'books', entityIds: ['e2', 'nobody', 'e1'] }));
    expect(status).toBe(200);
    expect(body.answers.map((a: any) => [a.entityId, a.source, a.version])).toEqual([['e2', 'model', 1], ['nobody', 'fallback', 1], ['e1', 'model', 1]]);
  });

  test('health check', async () => {
    expect(await get('/health')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  test.each([
    ['unknown model', () => get('/v1/models/nope/predictions/e1'), 404, /model "nope" is not served here/],
    ['unknown route', () => get('/v2/whatever'), 404, /no route for \/v2\/whatever/],
    ['bad entity id', () => get('/v1/models/demand/predictions/%20bad'), 400, /entityId " bad" is invalid/],
    ['undeclared category', () => get('/v1/models/demand/predictions/e1?category=toys'), 400, /category "toys" is not served/],
    ['batchGet without a body', () => post('/v1/models/demand/predictions:batchGet', ''), 400, /the request body is empty/],
    ['batchGet with invalid JSON', () => post('/v1/models/demand/predictions:batchGet', '{'), 400, /not valid JSON/],
    ['batchGet with too many ids', () => post('/v1/models/demand/predictions:batchGet', JSON.stringify({ entityIds: Array.from({ length: 101 }, (_, i) => `e${i}`) })), 400, /entityIds must be a list of 1 to 100 ids, but 101 ids were sent/],
    ['batchGet with a bad id inside', () => post('/v1/models/demand/predictions:batchGet', JSON.stringify({ entityIds: ['ok', 'b d'] })), 400, /entityIds\[1\] "b d" is invalid/],
    ['wrong method', () => post('/v1/models/demand/predictions/e1', '{}'), 405, /POST is not allowed here: use GET/],
  ])('%s', async (_name, call, status, message) => {
    const res = await call();
    expect(res.status).toBe(status);
    expect(res.body.message).toMatch(message);
  });

  test('a body over 64 KiB is refused with 413', async () => {
    const res = await post('/v1/models/demand/predictions:batchGet', JSON.stringify({ entityIds: ['x'.repeat(70_000)] }));
    expect(res.status).toBe(413);
  });
});

describe('prediction API handler', () => {
  test('answers an HTTP API (payload 2.0) GET', async () => {
    const res = await predictApi(core, {
      rawPath: '/v1/models/demand/predictions/e2', requestContext: { http: { method: 'GET' } }, queryStringParameters: { category: 'books' },
    });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ prediction: { units: 9 }, source: 'model', version: 1 });
  });

  test('answers a REST API (proxy 1.0) batchGet with a base64 body', async () => {
    const res = await predictApi(core, {
      path: '/v1/models/demand/predictions:batchGet', httpMethod: 'POST', isBase64Encoded: true,
      body: Buffer.from(JSON.stringify({ entityIds: ['e1'] })).toString('base64'),
    });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).answers[0]).toMatchObject({ entityId: 'e1', source: 'model' });
  });

  test.each([
    [{ rawPath: '/v1/models/demand/predictions/e1', requestContext: { http: { method: 'GET' } }, queryStringParameters: { category: 'b#d' } }, 400, /category "b#d" is invalid/],
    [{ rawPath: '/v1/models/ghost/predictions/e1', requestContext: { http: { method: 'GET' } } }, 404, /model "ghost" is not served here/],
    [{ path: '/v1/models/demand/predictions:batchGet', httpMethod: 'POST', body: '{"entityIds": "e1"}' }, 400, /entityIds must be a list/],
  ])('refuses bad input %#', async (event, status, message) => {
    const res = await predictApi(core, event);
    expect(res.statusCode).toBe(status);
    expect(JSON.parse(res.body).message).toMatch(message);
  });
});
