// `:invoke` end to end: the predict core calls the example model's serve mode, run as a real
// local python3 process under the serving contract. Timeouts use a model that never answers
// within the test (MLOPS_SERVE_DELAY_SECONDS=3600) against a small budget, and the clock of the
// core and the circuit breaker is the test's, so no assertion depends on timing.
import { CONTAINER, SERVING } from '../../lambda/shared/contract';
import { parseServingConfig } from '../../lambda/shared/predict/config';
import { PredictCore } from '../../lambda/shared/predict/core';
import { routeRequest } from '../../lambda/shared/predict/http';
import { InvokeMode } from '../../lambda/shared/predict/invoke-config';
import { ModelInvoker } from '../../lambda/shared/predict/invoke';
import { HttpModelClient, ModelCallError, ModelClient, ModelInput } from '../../lambda/shared/predict/model-client';
import { PredictionStore } from '../../lambda/shared/predict/store';
import { StoredPrediction, predictionKey } from '../../lambda/shared/predictions/schema';
import { freePort } from '../../local/emulators';
import { ModelServer, startModelServer } from '../../local/container/model-server';
import { MODEL_CODE_DIR, TrainedModel, trainExampleModel } from '../../local/container/example-model';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const NEVER_ANSWERS = { [CONTAINER.env.serveDelaySeconds]: '3600' };

let trained: TrainedModel;
let fast: ModelServer;
let slow: ModelServer;

beforeAll(async () => {
  trained = trainExampleModel();
  [fast, slow] = await Promise.all([
    startModelServer({ codeDir: MODEL_CODE_DIR, mlRoot: trained.mlRoot }),
    startModelServer({ codeDir: MODEL_CODE_DIR, mlRoot: trained.mlRoot, env: NEVER_ANSWERS }),
  ]);
});
afterAll(async () => {
  await Promise.all([fast?.stop(), slow?.stop()]);
  trained?.remove();
});

/** Counts the calls that reach the model; the calls themselves are real. */
class CountingClient implements ModelClient {
  calls = 0;
  readonly errors: ModelCallError[] = [];
  constructor(private readonly inner: ModelClient) {}
  async invoke(input: ModelInput, timeoutMs: number) {
    this.calls++;
    return this.inner.invoke(input, timeoutMs);
  }
  destroy() { this.inner.destroy(); }
}

class MemoryStore implements PredictionStore {
  readonly items = new Map<string, StoredPrediction>();
  async get(pk: string) { return this.items.get(pk); }
  async getMany(pks: readonly string[]) {
    return { items: new Map(pks.filter((pk) => this.items.has(pk)).map((pk) => [pk, this.items.get(pk)!] as const)), unprocessed: [] };
  }
  put(entityId: string, prediction: unknown, expiresAt = NOW / 1000 + 3600) {
    const pk = predictionKey('demand-forecast', 'books', 3, entityId);
    this.items.set(pk, { pk, model: 'demand-forecast', category: 'books', version: 3, entityId, prediction, generatedAt: '2026-11-24T02:00:00.000Z', expiresAt });
  }
}

const rules = {
  prefilter: [{ name: 'test-store', when: { entityId: { prefix: 'test-' } }, prediction: 0 }],
  override: [{ name: 'closed-store', when: { entityId: { equals: 'store-003' }, prediction: { gt: 0 } }, prediction: 0 }],
  fallback: [{ name: 'typical-day', prediction: 50 }],
};

interface SetupOptions {
  url?: string;
  mode?: InvokeMode;
  budgetMs?: number;
  version?: { v: number | undefined };
  store?: MemoryStore;
  breakerFailureThreshold?: number;
}

function setup(opts: SetupOptions = {}) {
  const clock = { t: NOW };
  const version = opts.version ?? { v: 3 };
  const core = new PredictCore({
    config: parseServingConfig({ models: { 'demand-forecast': { categories: ['books'], rules }, 'batch-only': { categories: ['books'] } } }),
    store: opts.store ?? new MemoryStore(),
    production: async () => version.v,
    // Re-read the version on every request once the clock moves, so a promotion shows at once.
    productionTtlMs: 1, productionMaxAgeMs: 1,
    now: () => clock.t,
  });
  const client = new CountingClient(new HttpModelClient(opts.url ?? fast.url));
  const errors: string[] = [];
  const invoker = new ModelInvoker({
    core,
    models: { 'demand-forecast': { mode: opts.mode ?? 'online', client, budgetMs: opts.budgetMs ?? 5_000 } },
    now: () => clock.t,
    breakerFailureThreshold: opts.breakerFailureThreshold ?? 2,
    breakerOpenMs: 1_000,
    onModelError: (_m, _c, e) => errors.push(e.kind),
  });
  const invoke = (body: unknown) => invoker.invoke('demand-forecast', body);
  return { core, invoker, client, clock, version, errors, invoke };
}

async function direct(body: unknown): Promise<{ prediction: number }> {
  const res = await fetch(`${fast.url}${SERVING.invocationsPath}`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return await res.json() as { prediction: number };
}

test('answers with the model\'s own prediction, the served version and source "model"', async () => {
  const { invoke, client, invoker } = setup();
  const body = { entityId: 'store-001', features: { date: '2026-11-25' } };
  const answer = await invoke(body);
  expect(answer).toEqual({
    prediction: (await direct(body)).prediction, model: 'demand-forecast', category: 'books', entityId: 'store-001',
    version: 3, source: 'model', generatedAt: new Date(NOW).toISOString(),
  });
  // Without an entityId the features carry the store; the answer names no entity.
  const byFeature = await invoke({ features: { store_id: 'store-002', date: '2026-11-25' } });
  expect(byFeature).toMatchObject({ source: 'model', version: 3, prediction: (await direct({ features: { store_id: 'store-002', date: '2026-11-25' } })).prediction });
  expect(byFeature).not.toHaveProperty('entityId');
  expect(client.calls).toBe(2);
  invoker.destroy();
});

test('a prefilter rule answers before the call; an override rule replaces the model\'s answer', async () => {
  const { invoke, client, invoker } = setup();
  expect(await invoke({ entityId: 'test-42', features: {} })).toMatchObject({ source: 'rule', rule: 'test-store', prediction: 0, version: 3 });
  expect(client.calls).toBe(0);
  expect(await invoke({ entityId: 'store-003', features: { date: '2026-11-25' } })).toMatchObject({ source: 'rule', rule: 'closed-store', prediction: 0, version: 3 });
  expect(client.calls).toBe(1);
  invoker.destroy();
});

test('identical inputs are answered from the cache; a promotion or the cache TTL calls the model again', async () => {
  const { invoke, client, clock, version, invoker } = setup();
  const first = await invoke({ entityId: 'store-001', features: { date: '2026-11-25', promo: { on: true, pct: 10 } } });
  clock.t += 1;
  // Same input, keys in another order: one model call for both.
  const again = await invoke({ features: { promo: { pct: 10, on: true }, date: '2026-11-25' }, entityId: 'store-001' });
  expect(again).toEqual({ ...first });
  expect(client.calls).toBe(1);
  // Another feature value, another entity: new inputs.
  await invoke({ entityId: 'store-001', features: { date: '2026-11-26', promo: { on: true, pct: 10 } } });
  await invoke({ entityId: 'store-002', features: { date: '2026-11-25', promo: { on: true, pct: 10 } } });
  expect(client.calls).toBe(3);
  // A promotion: the version is part of the key.
  version.v = 4;
  clock.t += 1;
  expect(await invoke({ entityId: 'store-001', features: { date: '2026-11-25', promo: { on: true, pct: 10 } } })).toMatchObject({ version: 4, source: 'model' });
  expect(client.calls).toBe(4);
  // Past the TTL (10 s by default).
  clock.t += 10_000;
  await invoke({ entityId: 'store-001', features: { date: '2026-11-25', promo: { on: true, pct: 10 } } });
  expect(client.calls).toBe(5);
  invoker.destroy();
});

test('a model slower than the latency budget is answered by the fallback rules (model-timeout)', async () => {
  const { invoke, errors, invoker } = setup({ url: slow.url, budgetMs: 200 });
  expect(await invoke({ entityId: 'store-001', features: {} })).toEqual({
    prediction: 50, model: 'demand-forecast', category: 'books', entityId: 'store-001', version: 3,
    source: 'fallback', rule: 'typical-day', reason: 'model-timeout', generatedAt: new Date(NOW).toISOString(),
  });
  expect(errors).toEqual(['timeout']);
  invoker.destroy();
});

test('the circuit opens after consecutive timeouts, answers at once while open, and closes on a successful probe', async () => {
  const port = await freePort();
  let model = await startModelServer({ codeDir: MODEL_CODE_DIR, mlRoot: trained.mlRoot, port, env: NEVER_ANSWERS });
  const { invoke, client, clock, invoker } = setup({ url: model.url, budgetMs: 200, breakerFailureThreshold: 2 });
  try {
    const request = { entityId: 'store-001', features: { date: '2026-11-25' } };
    expect(await invoke(request)).toMatchObject({ source: 'fallback', reason: 'model-timeout' });
    expect(await invoke(request)).toMatchObject({ source: 'fallback', reason: 'model-timeout' });
    // Open: not called at all.
    expect(await invoke(request)).toMatchObject({ source: 'fallback', rule: 'typical-day', reason: 'model-unavailable' });
    expect(client.calls).toBe(2);

    // The model recovers (a healthy process on the same port); the circuit stays open for 1 s.
    await model.stop();
    model = await startModelServer({ codeDir: MODEL_CODE_DIR, mlRoot: trained.mlRoot, port });
    clock.t += 999;
    expect(await invoke(request)).toMatchObject({ reason: 'model-unavailable' });
    expect(client.calls).toBe(2);
    clock.t += 1;
    // Half-open: one probe goes through and closes the circuit.
    expect(await invoke(request)).toMatchObject({ source: 'model', version: 3, prediction: (await direct(request)).prediction });
    expect(await invoke({ entityId: 'store-002', features: { date: '2026-11-25' } })).toMatchObject({ source: 'model' });
    expect(client.calls).toBe(4);
  } finally {
    invoker.destroy();
    await model.stop();
  }
});

test('an input the model refuses is a fallback (model-error) and never opens the circuit', async () => {
  const { invoke, client, errors, invoker } = setup({ breakerFailureThreshold: 2 });
  for (let i = 0; i < 3; i++) {
    expect(await invoke({ entityId: 'store-999', features: {} })).toMatchObject({ source: 'fallback', rule: 'typical-day', reason: 'model-error', version: 3 });
  }
  expect(client.calls).toBe(3);
  expect(errors).toEqual(['refused', 'refused', 'refused']);
  // Refusals are not cached either: a known store is answered by the model right after.
  expect(await invoke({ entityId: 'store-001', features: {} })).toMatchObject({ source: 'model' });
  invoker.destroy();
});

test('an unreachable model is a fallback (model-error) and opens the circuit', async () => {
  const { invoke, client, errors, invoker } = setup({ url: `http://127.0.0.1:${await freePort()}`, breakerFailureThreshold: 2 });
  expect(await invoke({ entityId: 'store-001', features: {} })).toMatchObject({ source: 'fallback', reason: 'model-error' });
  expect(await invoke({ entityId: 'store-001', features: {} })).toMatchObject({ source: 'fallback', reason: 'model-error' });
  expect(await invoke({ entityId: 'store-001', features: {} })).toMatchObject({ source: 'fallback', reason: 'model-unavailable' });
  expect(client.calls).toBe(2);
  expect(errors).toEqual(['failed', 'failed']);
  invoker.destroy();
});

test('mode both: a precomputed prediction is served when there is one, the model is called otherwise', async () => {
  const store = new MemoryStore();
  store.put('store-001', 12.5);
  store.put('store-002', 99, NOW / 1000 - 1); // expired: treated as missing
  const { invoke, client, invoker } = setup({ mode: 'both', store });
  expect(await invoke({ entityId: 'store-001', features: {} })).toEqual({
    prediction: 12.5, model: 'demand-forecast', category: 'books', entityId: 'store-001', version: 3, source: 'model', generatedAt: '2026-11-24T02:00:00.000Z',
  });
  expect(client.calls).toBe(0);
  expect(await invoke({ entityId: 'store-002', features: { date: '2026-11-25' } })).toMatchObject({
    source: 'model', prediction: (await direct({ entityId: 'store-002', features: { date: '2026-11-25' } })).prediction,
  });
  // Without an entity there is nothing precomputed to look up.
  await invoke({ features: { store_id: 'store-001' } });
  expect(client.calls).toBe(2);
  invoker.destroy();
});

test('no served version yet: a fallback (no-production-version), the model is not called', async () => {
  const { invoke, client, invoker } = setup({ version: { v: undefined } });
  expect(await invoke({ entityId: 'store-001', features: {} })).toMatchObject({ source: 'fallback', reason: 'no-production-version', version: null });
  expect(client.calls).toBe(0);
  invoker.destroy();
});

describe('POST /v1/models/{model}/predictions:invoke', () => {
  const post = (frontEnd: ReturnType<typeof setup>, model: string, body: unknown, method = 'POST') => routeRequest(frontEnd.core, {
    method, path: `/v1/models/${model}/predictions:invoke`, query: () => undefined, body: typeof body === 'string' ? body : JSON.stringify(body),
  }, frontEnd.invoker);

  test('answers 200 with the answer', async () => {
    const f = setup();
    expect(await post(f, 'demand-forecast', { entityId: 'store-001', features: {}, category: 'books' })).toMatchObject({ status: 200, body: { source: 'model', version: 3 } });
    f.invoker.destroy();
  });

  test.each([
    ['no features', { entityId: 'store-001' }, 400, /features \(missing\) is invalid: send the model's input as an object/],
    ['features as a list', { features: [1, 2] }, 400, /features \[1,2\] is invalid/],
    ['an unknown field', { features: {}, entity: 'x' }, 400, /entity "x" is invalid: remove it/],
    ['a bad entity id', { features: {}, entityId: '../etc' }, 400, /entityId "..\/etc" is invalid/],
    ['an entity id that is not a string', { features: {}, entityId: 7 }, 400, /entityId 7 is invalid/],
    ['a category that is not served', { features: {}, category: 'toys' }, 400, /category "toys" is not served/],
    ['a body that is not JSON', '{"features":', 400, /not valid JSON/],
    ['a body that is not an object', '[]', 400, /must be an object/],
  ])('refuses %s with a 4xx and the reason', async (_, body, status, message) => {
    const f = setup();
    const res = await post(f, 'demand-forecast', body);
    expect(res.status).toBe(status);
    expect((res.body as { message: string }).message).toMatch(message);
    expect(f.client.calls).toBe(0);
    f.invoker.destroy();
  });

  test('404 for an unknown model and for a model answered only from batch predictions; 405 for GET', async () => {
    const f = setup();
    expect(await post(f, 'nope', { features: {} })).toMatchObject({ status: 404, body: { message: expect.stringMatching(/model "nope" is not served here/) } });
    expect(await post(f, 'batch-only', { features: {} })).toMatchObject({ status: 404, body: { message: expect.stringMatching(/batch-only is not answered in real time here/) } });
    expect(await post(f, 'demand-forecast', { features: {} }, 'GET')).toMatchObject({ status: 405 });
    // A front end without real-time models.
    const res = await routeRequest(f.core, { method: 'POST', path: '/v1/models/demand-forecast/predictions:invoke', query: () => undefined, body: '{"features": {}}' });
    expect(res).toMatchObject({ status: 404, body: { message: expect.stringMatching(/not answered in real time here/) } });
    f.invoker.destroy();
  });
});

test('an invoker refuses a real-time model its core does not serve', () => {
  const { core } = setup();
  expect(() => new ModelInvoker({ core, models: { other: { mode: 'online', budgetMs: 10, client: new HttpModelClient(fast.url) } } }))
    .toThrow(/model other is answered in real time but not served: add it to the serving configuration \(demand-forecast, batch-only\)/);
});
