// The example model's serve mode as a real local process under the serving contract: the model
// from <root>/model, GET /ping, POST /invocations on the port in SERVING.portEnv.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTAINER, SERVING } from '../../lambda/shared/contract';
import { ModelServer, startModelServer } from '../../local/container/model-server';

const CODE_DIR = join(__dirname, '..', '..', 'models', 'demand-forecast');
let root: string;
let server: ModelServer;

const python = (script: string, args: string[], env: Record<string, string> = {}) => execFileSync('python3', ['-B', join(CODE_DIR, script), ...args], {
  env: { PATH: process.env.PATH, PYTHONDONTWRITEBYTECODE: '1', [CONTAINER.env.mlRoot]: root, ...env }, encoding: 'utf8', stdio: 'pipe',
});

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mlops-serve-'));
  python('generate_data.py', ['--out', join(root, 'input', 'data', CONTAINER.trainingChannel), '--days', '30', '--stores', '3', '--category', 'books', '--end', '2026-11-20']);
  python('train.py', [], { [CONTAINER.env.category]: 'books' });
  server = await startModelServer({ codeDir: CODE_DIR, mlRoot: root });
});
afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

const invoke = async (body: unknown) => {
  const res = await fetch(`${server.url}${SERVING.invocationsPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
};

test('GET /ping answers 200 once the model is loaded', async () => {
  const res = await fetch(`${server.url}${SERVING.pingPath}`);
  expect(res.status).toBe(200);
});

test('POST /invocations answers what batch scoring predicts for the same store and day', async () => {
  python('score.py', [], { [CONTAINER.env.executionDate]: '2026-11-20', [CONTAINER.env.mode]: 'score' });
  const scored = readFileSync(join(root, 'output', 'data', 'predictions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  for (const s of scored) {
    const byEntity = await invoke({ entityId: s.entityId, features: { date: s.date } });
    expect(byEntity).toEqual({ status: 200, body: { prediction: s.prediction, date: s.date } });
    // The store may come as a feature too; without a date, the day after the newest training day.
    const byFeature = await invoke({ features: { store_id: s.entityId } });
    expect(byFeature).toEqual({ status: 200, body: { prediction: s.prediction, date: '2026-11-21' } });
  }
});

test.each([
  ['an unknown store', { entityId: 'store-999', features: {} }, /unknown store "store-999"/],
  ['a bad date', { entityId: 'store-001', features: { date: '21.11.2026' } }, /features.date must be YYYY-MM-DD/],
  ['features that are not an object', { entityId: 'store-001', features: [1] }, /features must be an object/],
  ['a body that is not JSON', '{', /not valid JSON/],
])('refuses %s with 400 and the reason', async (_, body, reason) => {
  const res = await invoke(body);
  expect(res.status).toBe(400);
  expect(res.body.error).toMatch(reason);
});

test('answers 404 on other paths, and keeps serving', async () => {
  expect((await fetch(`${server.url}/predict`, { method: 'POST', body: '{}' })).status).toBe(404);
  expect((await fetch(`${server.url}/health`)).status).toBe(404);
  expect((await fetch(`${server.url}${SERVING.pingPath}`)).status).toBe(200);
});

test('exits with the reason when there is no model to serve', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'mlops-serve-empty-'));
  try {
    await expect(startModelServer({ codeDir: CODE_DIR, mlRoot: empty })).rejects.toThrow(/exited with code 1 .*no model at .*model\.json/s);
    expect(readFileSync(join(empty, 'output', 'failure'), 'utf8')).toMatch(/serving needs the trained model/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('the image runs serve.py for the argument "serve" and for MLOPS_MODE=serve', () => {
  const dockerfile = readFileSync(join(CODE_DIR, 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/COPY [^\n]*serve\.py/);
  expect(dockerfile).toMatch(/serve\) exec python3 \/opt\/program\/serve\.py/);
  expect(dockerfile).toMatch(new RegExp(`EXPOSE ${SERVING.port}`));
});
