// submit -> worker -> get through the predict core's HTTP layer, against DynamoDB Local, the S3
// emulator and the example model's real serve process (MLOPS_MODE=serve on a loopback port).
// SQS is simulated (harness.ts): no SQS emulator exists on these machines.
import { CONTAINER, SERVING } from '../../lambda/shared/contract';
import { routeRequest } from '../../lambda/shared/predict/http';
import { HttpModelClient } from '../../lambda/shared/predict/model-client';
import { freePort } from '../../local/emulators';
import { ModelServer, startModelServer } from '../../local/container/model-server';
import { MODEL_CODE_DIR, TrainedModel, trainExampleModel } from '../../local/container/example-model';
import { AsyncSetup, AsyncSetupOptions, MODEL, iso, setupAsync } from './harness';

let trained: TrainedModel;
let model: ModelServer;
let slow: ModelServer;

beforeAll(async () => {
  trained = trainExampleModel();
  [model, slow] = await Promise.all([
    startModelServer({ codeDir: MODEL_CODE_DIR, mlRoot: trained.mlRoot }),
    startModelServer({ codeDir: MODEL_CODE_DIR, mlRoot: trained.mlRoot, env: { [CONTAINER.env.serveDelaySeconds]: '3600' } }),
  ]);
});
afterAll(async () => {
  await Promise.all([model?.stop(), slow?.stop()]);
  trained?.remove();
});

const BODY = { entityId: 'store-001', category: 'books', features: { date: '2026-11-25' } };

async function setup(o: Partial<AsyncSetupOptions> = {}): Promise<AsyncSetup & { http: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }> }> {
  const s = await setupAsync({ client: new HttpModelClient(model.url), ...o });
  const http = (method: string, path: string, body?: unknown) => routeRequest(s.jobs['options'].core, {
    method, path, query: () => undefined, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  }, undefined, s.jobs) as Promise<{ status: number; body: any }>;
  return { ...s, http };
}

const submit = (s: Awaited<ReturnType<typeof setup>>, body: unknown = BODY) => s.http('POST', `/v1/models/${MODEL}/predictions:submit`, body);
const job = (s: Awaited<ReturnType<typeof setup>>, jobId: string) => s.http('GET', `/v1/models/${MODEL}/jobs/${jobId}`);

async function direct(body: unknown): Promise<unknown> {
  const res = await fetch(`${model.url}${SERVING.invocationsPath}`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { prediction: unknown }).prediction;
}

test('submit answers 202 with a job id; the worker answers it with the model; GET returns the answer from S3 and the job from DynamoDB', async () => {
  const s = await setup();
  const accepted = await submit(s);
  expect(accepted.status).toBe(202);
  const { jobId } = accepted.body;
  expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
  expect(accepted.body).toEqual({ jobId, model: MODEL, category: 'books', status: 'QUEUED', location: `/v1/models/${MODEL}/jobs/${jobId}`, expiresAt: iso(86_400_000) });

  expect((await job(s, jobId)).body).toMatchObject({ status: 'QUEUED', attempts: 0 });
  s.clock.t += 5_000;
  await s.queue.drain(s.worker);

  const done = await job(s, jobId);
  expect(done.status).toBe(200);
  expect(done.body).toEqual({
    jobId, model: MODEL, category: 'books', entityId: 'store-001', status: 'SUCCEEDED', attempts: 1, version: 3,
    submittedAt: iso(), startedAt: iso(5_000), finishedAt: iso(5_000), expiresAt: iso(86_400_000),
    answer: { prediction: await direct({ entityId: 'store-001', features: { date: '2026-11-25' } }), model: MODEL, version: 3, source: 'model', generatedAt: iso(5_000) },
  });
  expect(s.queue.deadLetters).toEqual([]);
});

test('a message delivered twice runs the model once: the second delivery finds the job final and changes nothing', async () => {
  const s = await setup();
  const { jobId } = (await submit(s)).body;
  const [message] = s.queue.visible;
  await s.queue.deliver(s.worker);
  const first = (await job(s, jobId)).body;
  s.clock.t += 60_000;
  s.queue.visible.push({ ...message });
  await s.queue.deliver(s.worker);
  expect((await job(s, jobId)).body).toEqual(first);
  expect(first.attempts).toBe(1);
});

test('a worker that died mid-job leaves it RUNNING; the redelivery finishes it', async () => {
  const s = await setup();
  const { jobId } = (await submit(s)).body;
  expect(await s.store.start(jobId, iso(1_000))).toBe(true);
  await s.queue.drain(s.worker);
  expect((await job(s, jobId)).body).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
});

test('a failing model is retried up to maxAttempts, then the job is FAILED and the message is in the dead-letter queue', async () => {
  const nothingListens = `http://127.0.0.1:${await freePort()}`;
  const s = await setup({ client: new HttpModelClient(nothingListens), maxAttempts: 3 });
  const { jobId } = (await submit(s)).body;
  await s.queue.deliver(s.worker);
  expect((await job(s, jobId)).body).toMatchObject({ status: 'RUNNING', attempts: 1 });
  expect(s.queue.visible).toHaveLength(1);
  await s.queue.drain(s.worker);
  const failed = (await job(s, jobId)).body;
  expect(failed).toMatchObject({ status: 'FAILED', attempts: 3, version: 3 });
  expect(failed.error).toMatch(/could not be reached .* \(after 3 attempt\(s\)\)/);
  expect(failed.answer).toBeUndefined();
  expect(s.queue.deadLetters.map((m) => [JSON.parse(m.body).jobId, m.receiveCount])).toEqual([[jobId, 3]]);
  expect(s.logs.filter((l) => l.message === 'model call failed').map((l) => l.last)).toEqual([false, false, true]);
});

test('a model slower than the job timeout fails the call as a timeout and goes to the dead-letter queue', async () => {
  const s = await setup({ client: new HttpModelClient(slow.url), timeoutMs: 200, maxAttempts: 1 });
  const { jobId } = (await submit(s)).body;
  await s.queue.drain(s.worker);
  expect((await job(s, jobId)).body).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/did not answer within 200 ms/) });
  expect(s.queue.deadLetters).toHaveLength(1);
});

test('an input the model refuses (4xx) fails the job at once, without retries or a dead letter', async () => {
  const s = await setup();
  const { jobId } = (await submit(s, { features: { date: '2026-11-25' }, entityId: 'store-999', category: 'books' })).body;
  await s.queue.drain(s.worker);
  expect((await job(s, jobId)).body).toMatchObject({ status: 'FAILED', attempts: 1, error: expect.stringMatching(/answered 400: .*unknown store/) });
  expect(s.queue.deadLetters).toEqual([]);
});

test('no served version: the job fails with the fix, and is not retried', async () => {
  const s = await setup({ version: { v: undefined } });
  const { jobId } = (await submit(s)).body;
  await s.queue.drain(s.worker);
  expect((await job(s, jobId)).body).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/no version of demand-forecast \(books\) is served yet: promote one/) });
  expect(s.queue.deadLetters).toEqual([]);
});

test('a job is gone once its retention has passed, though DynamoDB TTL has not deleted it yet', async () => {
  const s = await setup({ retentionSeconds: 3600 });
  const { jobId } = (await submit(s)).body;
  await s.queue.drain(s.worker);
  s.clock.t += 3_599_000;
  expect((await job(s, jobId)).status).toBe(200);
  s.clock.t += 1_000;
  const gone = await job(s, jobId);
  expect(gone.status).toBe(404);
  expect(gone.body.message).toMatch(/does not exist or has expired \(jobs are kept 3600 s\): submit it again/);
});

test.each([
  ['an empty body', 'POST', 'predictions:submit', '', 400, /request body is empty/],
  ['features that are not an object', 'POST', 'predictions:submit', { features: [1] }, 400, /features \[1\] is invalid/],
  ['an unknown field', 'POST', 'predictions:submit', { features: {}, priority: 1 }, 400, /priority 1 is invalid: remove it/],
  ['an invalid entityId', 'POST', 'predictions:submit', { features: {}, entityId: 'a#b', category: 'books' }, 400, /entityId "a#b" is invalid/],
  ['an unknown category', 'POST', 'predictions:submit', { features: {}, category: 'garden' }, 400, /garden/],
  ['GET on :submit', 'GET', 'predictions:submit', undefined, 405, /use POST/],
  ['POST on a job', 'POST', 'jobs/0b8f6f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b', {}, 405, /use GET/],
  ['a job id that is not a UUID', 'GET', 'jobs/not-a-job', undefined, 400, /jobId "not-a-job" is invalid: use the jobId that POST/],
  ['an unknown job', 'GET', 'jobs/0b8f6f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b', undefined, 404, /job 0b8f6f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b of demand-forecast does not exist/],
])('%s: %s answers %s with the reason', async (_what, method, route, body, status, message) => {
  const s = await setup();
  const res = await s.http(method, `/v1/models/${MODEL}/${route}`, body);
  expect(res.status).toBe(status);
  expect(res.body.message).toMatch(message);
  expect(s.queue.visible).toEqual([]);
});

test('a model without inference.async, or not served at all, answers 404', async () => {
  const s = await setup();
  const batchOnly = await s.http('POST', '/v1/models/batch-only/predictions:submit', BODY);
  expect(batchOnly.status).toBe(404);
  expect(batchOnly.body.message).toMatch(/batch-only takes no jobs \(its spec has no inference.async\); models with jobs are demand-forecast/);
  expect((await s.http('GET', '/v1/models/nope/jobs/0b8f6f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b')).status).toBe(404);
  const noJobs = await routeRequest(s.jobs['options'].core, { method: 'POST', path: `/v1/models/${MODEL}/predictions:submit`, query: () => undefined, body: JSON.stringify(BODY) });
  expect(noJobs).toEqual({ status: 404, body: { error: 'NotFound', message: 'model demand-forecast takes no jobs here (its spec has no inference.async)' } });
});

test('a body over the model\'s maxPayloadBytes is refused before anything is written', async () => {
  const s = await setup({ maxPayloadBytes: 100 });
  const res = await submit(s, { ...BODY, features: { date: '2026-11-25', note: 'x'.repeat(100) } });
  expect(res.status).toBe(400);
  expect(res.body.message).toMatch(/bytes, more than inference.async.maxPayloadBytes \(100\) of demand-forecast: send fewer features/);
  expect(s.queue.visible).toEqual([]);
});
