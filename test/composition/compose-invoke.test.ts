// Serial and parallel compositions through `:invoke`, against real processes on loopback: the
// example model's serve mode (several instances), and a standard-library step server playing
// preprocess, postprocess, a constant branch or a failing one. Slow steps never answer within the
// test (a delay of an hour against a small timeout), so no assertion depends on timing; the
// invoker's clock is the test's.
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { CONTAINER, SERVING } from '../../lambda/shared/contract';
import { compositionClient } from '../../lambda/shared/predict/compose';
import { CompositionConfig, StepTarget } from '../../lambda/shared/predict/compose-config';
import { parseServingConfig } from '../../lambda/shared/predict/config';
import { PredictCore } from '../../lambda/shared/predict/core';
import { ModelInvoker } from '../../lambda/shared/predict/invoke';
import { parseModelEndpoints } from '../../lambda/shared/predict/invoke-config';
import { ModelClient } from '../../lambda/shared/predict/model-client';
import { ModelServer, startModelServer } from '../../local/container/model-server';
import { MODEL_CODE_DIR, TrainedModel, trainExampleModel } from '../../local/container/example-model';
import { StepServer, startStepServer } from './step-server';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const NEVER = { STEP_DELAY_SECONDS: '3600' };

let trained: TrainedModel;
let model1: ModelServer;
let model2: ModelServer;
let slowModel: ModelServer;
let pre: StepServer;
let post: StepServer;
let failing: StepServer;
let slowStep: StepServer;
let forty: StepServer;
let labelA: StepServer;
let labelB: StepServer;
let labelB2: StepServer;
let seven: StepServer;
let huge: StepServer;
let lambdaStub: Server;
let lambdaUrl: string;
const invokers: ModelInvoker[] = [];
const lambdaCalls: Array<{ path: string; authorization: string; body: any }> = [];

beforeAll(async () => {
  trained = trainExampleModel();
  [model1, model2, slowModel, pre, post, failing, slowStep, forty, labelA, labelB, labelB2, seven, huge] = await Promise.all([
    startModelServer({ codeDir: MODEL_CODE_DIR, mlRoot: trained.mlRoot }),
    startModelServer({ codeDir: MODEL_CODE_DIR, mlRoot: trained.mlRoot }),
    startModelServer({ codeDir: MODEL_CODE_DIR, mlRoot: trained.mlRoot, env: { [CONTAINER.env.serveDelaySeconds]: '3600' } }),
    startStepServer('preprocess'),
    startStepServer('postprocess'),
    startStepServer('fail'),
    startStepServer('constant', { ...NEVER, STEP_VALUE: '1' }),
    startStepServer('constant', { STEP_VALUE: '40' }),
    startStepServer('constant', { STEP_VALUE: '"a"' }),
    startStepServer('constant', { STEP_VALUE: '"b"' }),
    startStepServer('constant', { STEP_VALUE: '"b"' }),
    startStepServer('constant', { STEP_VALUE: '7' }),
    startStepServer('constant', { STEP_VALUE: '5000' }),
  ]);
  // The Lambda service's Invoke, as the step client speaks it: a function that scales the prediction, one that throws.
  lambdaStub = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString());
      lambdaCalls.push({ path: req.url ?? '', authorization: String(req.headers.authorization), body });
      if (req.url?.includes('broken')) {
        res.writeHead(200, { 'x-amz-function-error': 'Unhandled', 'content-type': 'application/json' });
        res.end(JSON.stringify({ errorType: 'TypeError', errorMessage: 'prediction is not iterable' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ prediction: body.prediction * 2, scaled: true }));
    });
  });
  await new Promise<void>((r) => lambdaStub.listen(0, '127.0.0.1', r));
  lambdaUrl = `http://127.0.0.1:${(lambdaStub.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  for (const i of invokers) i.destroy();
  await Promise.all([model1, model2, slowModel, pre, post, failing, slowStep, forty, labelA, labelB, labelB2, seven, huge].map((s) => s?.stop()));
  await new Promise((r) => lambdaStub?.close(r));
  trained?.remove();
});

const rules = {
  prefilter: [{ name: 'test-store', when: { entityId: { prefix: 'test-' } }, prediction: 0 }],
  override: [{ name: 'cap', when: { prediction: { gt: 1000 } }, prediction: 1000 }],
  fallback: [{ name: 'typical-day', prediction: 50 }],
};
const url = (s: { url: string }): StepTarget => ({ url: s.url });

/** An invoker whose one model is the composition; the configuration goes through the same parser as the environment's. */
function invokerFor(composition: CompositionConfig, budgetMs = 5_000, breakerFailureThreshold = 100) {
  const parsed = parseModelEndpoints({ models: { 'demand-forecast': { mode: 'online', composition, budgetMs } } }).models['demand-forecast'];
  const calls = { n: 0 };
  const composed = compositionClient(parsed.composition!, () => ({
    region: 'eu-west-1', lambdaEndpoint: lambdaUrl,
    credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }),
  }));
  // Counts the calls that reach the composition; the calls themselves are real.
  const client: ModelClient = { invoke: (input, timeoutMs) => { calls.n++; return composed.invoke(input, timeoutMs); }, destroy: () => composed.destroy() };
  const core = new PredictCore({
    config: parseServingConfig({ models: { 'demand-forecast': { categories: ['books'], rules } } }),
    store: { get: async () => undefined, getMany: async () => ({ items: new Map(), unprocessed: [] }) },
    production: async () => 3,
    now: () => NOW,
  });
  const errors: string[] = [];
  const invoker = new ModelInvoker({
    core, models: { 'demand-forecast': { mode: 'online', client, budgetMs } }, now: () => NOW,
    breakerFailureThreshold, breakerOpenMs: 60_000, onModelError: (_m, _c, e) => errors.push(`${e.kind}: ${e.message}`),
  });
  invokers.push(invoker);
  return { invoke: (body: unknown) => invoker.invoke('demand-forecast', body), errors, calls };
}

async function direct(server: { url: string }, body: unknown): Promise<number> {
  const res = await fetch(`${server.url}${SERVING.invocationsPath}`, { method: 'POST', body: JSON.stringify(body) });
  return ((await res.json()) as { prediction: number }).prediction;
}

describe('serial: preprocess -> model -> postprocess', () => {
  const serial = (steps: Array<[string, StepTarget]>): CompositionConfig => ({ kind: 'serial', steps: steps.map(([name, target]) => ({ name, target })) });

  test('each step gets the previous answer; the last one\'s prediction is the answer, with the served version', async () => {
    const { invoke } = invokerFor(serial([['preprocess', url(pre)], ['model', url(model1)], ['postprocess', url(post)]]));
    const raw = await direct(model1, { features: { store_id: 'store-002', date: '2026-11-25' } });
    expect(await invoke({ features: { store: 2, date: '2026-11-25' } })).toEqual({
      prediction: { units: Math.round(raw), rounded: true }, model: 'demand-forecast', category: 'books',
      version: 3, source: 'model', generatedAt: new Date(NOW).toISOString(),
    });
  });

  test('a function step is invoked through Lambda\'s Invoke API, signed for lambda', async () => {
    lambdaCalls.length = 0;
    const { invoke } = invokerFor(serial([['preprocess', url(pre)], ['model', url(model1)], ['scale', { function: 'arn:aws:lambda:eu-west-1:123456789012:function:demand-scale' }]]));
    const raw = await direct(model1, { features: { store_id: 'store-001', date: '2026-11-25' } });
    const answer = await invoke({ features: { store: 1, date: '2026-11-25' } });
    expect(answer).toMatchObject({ source: 'model', prediction: raw * 2 });
    expect(lambdaCalls).toHaveLength(1);
    expect(lambdaCalls[0].path).toBe('/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Ademand-scale/invocations');
    expect(lambdaCalls[0].authorization).toMatch(/Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/lambda\/aws4_request/);
    expect(lambdaCalls[0].body).toMatchObject({ prediction: raw, date: '2026-11-25' });
  });

  test('a refusal of the preprocess step is a fallback answer naming the step (the input\'s fault)', async () => {
    const { invoke, errors } = invokerFor(serial([['preprocess', url(pre)], ['model', url(model1)]]));
    expect(await invoke({ features: { date: '2026-11-25' } })).toMatchObject({ source: 'fallback', rule: 'typical-day', prediction: 50, reason: 'model-error', version: 3 });
    expect(errors).toEqual([expect.stringMatching(/^refused: step preprocess: .* answered 400: .*features.store must be a store number/)]);
  });

  test('an erroring step and a throwing function are fallbacks (model-error)', async () => {
    const broken = invokerFor(serial([['model', url(model1)], ['postprocess', url(failing)]]));
    expect(await broken.invoke({ features: { store_id: 'store-001' } })).toMatchObject({ source: 'fallback', reason: 'model-error' });
    expect(broken.errors).toEqual([expect.stringMatching(/^failed: step postprocess: .* answered 500/)]);
    const throwing = invokerFor(serial([['model', url(model1)], ['scale', { function: 'broken' }]]));
    expect(await throwing.invoke({ features: { store_id: 'store-001' } })).toMatchObject({ source: 'fallback', reason: 'model-error' });
    expect(throwing.errors).toEqual([expect.stringMatching(/^failed: step scale: function broken failed \(Unhandled\): prediction is not iterable/)]);
  });

  test('a model step that outlasts the chain\'s budget is a timeout fallback', async () => {
    const { invoke, errors } = invokerFor(serial([['preprocess', url(pre)], ['model', url(slowModel)], ['postprocess', url(post)]]), 300);
    expect(await invoke({ features: { store: 1 } })).toMatchObject({ source: 'fallback', reason: 'model-timeout', prediction: 50 });
    expect(errors).toEqual([expect.stringMatching(/^timeout: step model: the model did not answer within \d+ ms/)]);
  });
});

describe('parallel: fan out and combine', () => {
  const parallel = (combine: CompositionConfig['combine'], branches: Array<[string, StepTarget, { weight?: number; timeoutMs?: number }?]>, quorum?: number): CompositionConfig => ({
    kind: 'parallel', combine, ...(quorum ? { quorum } : {}),
    steps: branches.map(([name, target, o]) => ({ name, target, ...o })),
  });
  const input = { features: { store_id: 'store-002', date: '2026-11-25' } };

  test('mean over the branches that answered; a slow branch (its own timeout) and an erroring one are reported and left out', async () => {
    const p = await direct(model1, input);
    const { invoke } = invokerFor(parallel('mean', [['model-a', url(model1)], ['model-b', url(model2)], ['forty', url(forty)], ['slow', url(slowStep), { timeoutMs: 200 }], ['broken', url(failing)]]));
    const answer = await invoke(input);
    expect(answer.prediction).toBeCloseTo((p + p + 40) / 3, 9);
    expect(answer).toMatchObject({ source: 'model', version: 3 });
    expect(answer.branches).toEqual([
      { name: 'model-a', status: 'answered' }, { name: 'model-b', status: 'answered' }, { name: 'forty', status: 'answered' },
      { name: 'slow', status: 'timeout' }, { name: 'broken', status: 'failed' },
    ]);
  });

  test('weighted mean normalises the weights of the branches that answered', async () => {
    const p = await direct(model1, input);
    const { invoke } = invokerFor(parallel('weighted-mean', [['model-a', url(model1), { weight: 1 }], ['forty', url(forty), { weight: 3 }], ['broken', url(failing), { weight: 4 }]]));
    expect((await invoke(input)).prediction).toBeCloseTo((p + 3 * 40) / 4, 9);
  });

  test('vote takes the majority; first takes the first answer and reports the rest unused', async () => {
    const voted = invokerFor(parallel('vote', [['a', url(labelA)], ['b1', url(labelB)], ['b2', url(labelB2)], ['broken', url(failing)]]));
    expect(await voted.invoke(input)).toMatchObject({ prediction: 'b', source: 'model' });
    const first = invokerFor(parallel('first', [['slow', url(slowStep), { timeoutMs: 2_000 }], ['seven', url(seven)]]));
    expect(await first.invoke(input)).toMatchObject({ prediction: 7, branches: [{ name: 'slow', status: 'unused' }, { name: 'seven', status: 'answered' }] });
  });

  test('below the quorum the answer is a fallback that still says which branches answered', async () => {
    const { invoke, errors } = invokerFor(parallel('mean', [['model-a', url(model1)], ['slow', url(slowStep), { timeoutMs: 200 }], ['broken', url(failing)]], 2));
    expect(await invoke(input)).toMatchObject({
      source: 'fallback', reason: 'model-error', prediction: 50,
      branches: [{ name: 'model-a', status: 'answered' }, { name: 'slow', status: 'timeout' }, { name: 'broken', status: 'failed' }],
    });
    expect(errors[0]).toMatch(/^failed: 1 of 3 branches answered, 2 needed \(slow: .*; broken: .*answered 500/);
  });

  test('a label in a mean is that branch\'s failure, not the composition\'s', async () => {
    const { invoke } = invokerFor(parallel('mean', [['forty', url(forty)], ['label', url(labelA)]]));
    expect(await invoke(input)).toMatchObject({ prediction: 40, branches: [{ name: 'forty', status: 'answered' }, { name: 'label', status: 'failed' }] });
  });

  test('every branch out of time is a timeout fallback', async () => {
    const { invoke } = invokerFor(parallel('mean', [['slow-model', url(slowModel)], ['slow', url(slowStep)]]), 250);
    expect(await invoke(input)).toMatchObject({ source: 'fallback', reason: 'model-timeout', branches: [{ status: 'timeout' }, { status: 'timeout' }] });
  });
});

describe('a composition answers under the same rules as a single model', () => {
  const chain = (): CompositionConfig => ({ kind: 'serial', steps: [{ name: 'preprocess', target: url(pre) }, { name: 'model', target: url(model1) }] });

  test('a prefilter answers before any call; a repeated input is answered from the cache, branches included', async () => {
    const { invoke, calls } = invokerFor(chain());
    expect(await invoke({ entityId: 'test-1', features: { store: 1 } })).toMatchObject({ source: 'rule', rule: 'test-store', prediction: 0 });
    expect(calls.n).toBe(0);
    const parallel = invokerFor({ kind: 'parallel', combine: 'mean', steps: [{ name: 'a', target: url(forty) }, { name: 'b', target: url(failing) }] });
    const first = await parallel.invoke({ features: { x: 1 } });
    expect(await parallel.invoke({ features: { x: 1 } })).toEqual(first);
    expect(first.branches).toEqual([{ name: 'a', status: 'answered' }, { name: 'b', status: 'failed' }]);
    expect(parallel.calls.n).toBe(1);
  });

  test('an override replaces the composition\'s prediction and keeps its branches', async () => {
    const { invoke } = invokerFor({ kind: 'parallel', combine: 'mean', steps: [{ name: 'huge', target: url(huge) }, { name: 'forty', target: url(forty) }] });
    expect(await invoke({ features: {} })).toMatchObject({
      source: 'rule', rule: 'cap', prediction: 1000, version: 3,
      branches: [{ name: 'huge', status: 'answered' }, { name: 'forty', status: 'answered' }],
    });
  });

  test('failing chains open the circuit: then fallbacks without a call (model-unavailable)', async () => {
    const { invoke, calls } = invokerFor({ kind: 'serial', steps: [{ name: 'model', target: url(model1) }, { name: 'post', target: url(failing) }] }, 5_000, 2);
    for (let i = 0; i < 2; i++) expect(await invoke({ features: { store_id: 'store-001' } })).toMatchObject({ reason: 'model-error' });
    expect(await invoke({ features: { store_id: 'store-001' } })).toMatchObject({ source: 'fallback', reason: 'model-unavailable', prediction: 50 });
    expect(calls.n).toBe(2);
  });
});
