// The JSON API of `mlops ui` against DynamoDB Local: filters, the comparison, the model page, and
// 4xx answers that say what was wrong.
import { Server } from 'node:http';
import { request } from 'node:http';
import { ModelRegistryClient } from '../../lambda/shared/registry';
import { run } from '../cli/support';
import { startUi } from './harness';
import { BOOKS_RMSE, MODEL, seedRegistry } from './seed';

let registry: ModelRegistryClient;
let server: Server;
let url: string;

beforeAll(async () => {
  registry = await seedRegistry();
  ({ server, url } = await startUi(registry));
});
afterAll(() => new Promise((r) => server.close(r)));

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(new URL(path, url));
  return { status: res.status, body: await res.json() };
}

test('runs are filtered by model, category, status, trigger and date, newest first', async () => {
  const all = await get(`api/runs?model=${MODEL}`);
  expect(all.status).toBe(200);
  expect(all.body.runs).toHaveLength(13);
  expect(all.body.metricNames).toEqual(['mae', 'rmse']);
  expect(all.body.runs[0].runId).toBe('manual-garden-x');
  expect((await get('api/runs')).body.runs).toHaveLength(13);
  expect((await get(`api/runs?model=${MODEL}&category=books`)).body.runs).toHaveLength(7);
  expect((await get(`api/runs?model=${MODEL}&status=FAILED`)).body.runs.map((r: any) => r.runId)).toEqual(['manual-garden-x']);
  expect((await get(`api/runs?model=${MODEL}&trigger=manual&category=books`)).body.runs.map((r: any) => r.runId)).toEqual(['exp-window-56', 'exp-window-14']);
  // 2026-11-26 .. 2026-11-27: the scheduled runs of those two days.
  const days = (await get(`api/runs?model=${MODEL}&since=2026-11-26&until=2026-11-27`)).body.runs;
  expect(days.map((r: any) => r.runId).sort()).toEqual(['sched-books-3', 'sched-books-4', 'sched-garden-3', 'sched-garden-4']);
  // The listing carries the series' metric names, not the series.
  const exp = all.body.runs.find((r: any) => r.runId === 'exp-window-14');
  expect(exp.seriesMetrics).toEqual(['mae', 'rmse']);
  expect(exp.metricSeries).toBeUndefined();
});

test('bad filters are 4xx with the reason', async () => {
  expect(await get('api/runs?status=DONE')).toEqual({ status: 400, body: { error: expect.stringContaining('status=DONE is not a run status: use one of RUNNING, SUCCEEDED') } });
  expect(await get('api/runs?since=29/11/2026')).toEqual({ status: 400, body: { error: 'since=29/11/2026 is not a date: write YYYY-MM-DD' } });
  expect((await get('api/runs?since=2026-11-28&until=2026-11-01')).body.error).toContain('until=2026-11-01 is before since=2026-11-28');
  expect(await get('api/runs?model=nope')).toEqual({ status: 404, body: { error: `model "nope" does not exist: use one of ${MODEL}` } });
  expect((await get(`api/runs?model=${MODEL}&category=Bad%20Cat`)).status).toBe(400);
  expect((await get('api/runs/none')).status).toBe(404);
  expect((await get('api/nothing')).body.error).toContain('no API endpoint /api/nothing');
  expect(await get('api/runs/%E0%A4%A')).toEqual({ status: 400, body: { error: expect.stringContaining('is not a valid URL path') } });
});

test('a run answers with its metric series', async () => {
  const { body } = await get('api/runs/exp-window-14');
  expect(body.metricSeries.metrics.rmse).toHaveLength(20);
  expect(body.metricSeries.metrics.rmse[0]).toEqual([1, 90]);
});

test('a run\'s artifacts are listed from the bucket', async () => {
  const { status, body } = await get('api/runs/exp-window-14/artifacts');
  expect(status).toBe(200);
  expect(body.artifacts.map((a: any) => [a.name, a.files])).toEqual([['metricSeries', 1], ['model', 2]]);
  expect(body.artifacts[1].bytes).toBeGreaterThan(1000);
  expect((await get('api/runs/sched-books-1/artifacts')).body).toEqual({ artifacts: [] });
  expect((await get('api/runs/ghost/artifacts')).status).toBe(404);
});

test('the comparison gives the params diff, metrics and lineage; 2 to 5 distinct runs only', async () => {
  const { status, body } = await get('api/compare?runs=exp-window-14,exp-window-56');
  expect(status).toBe(200);
  expect(body.hyperparameters).toEqual([
    { name: 'level_weight', values: ['0.5', '0.5'], changed: false },
    { name: 'window', values: ['14', '56'], changed: true },
  ]);
  expect(body.metrics).toContainEqual({ name: 'rmse', values: [44.1, 47.9] });
  expect(body.lineage).toContainEqual({ name: 'image', values: ['repo@sha256:bbb', 'repo@sha256:aaa'], changed: true });
  expect(body.lineage).toContainEqual({ name: 'datasetVersion', values: ['sha256:books4', 'sha256:books4'], changed: false });
  expect(await get('api/compare?runs=exp-window-14')).toEqual({ status: 400, body: { error: expect.stringContaining('a comparison takes 2 to 5 runs, not 1') } });
  expect((await get('api/compare?runs=a,b,c,d,e,f')).body.error).toContain('not 6');
  expect((await get('api/compare?runs=exp-window-14,exp-window-14')).body.error).toContain('a run is given twice');
  expect(await get('api/compare?runs=exp-window-14,ghost')).toEqual({ status: 404, body: { error: 'run ghost does not exist: pick one from GET /api/runs' } });
});

test('the model page: versions, timeline, freshness against the TTL, production metric with the threshold, drift', async () => {
  const { status, body } = await get(`api/models/${MODEL}`);
  expect(status).toBe(200);
  const books = body.categories.find((c: any) => c.category === 'books');
  const garden = body.categories.find((c: any) => c.category === 'garden');
  expect(books.versions.map((v: any) => v.version)).toEqual([5, 4, 3, 2, 1]);
  expect(books.production).toMatchObject({ version: 2 });
  expect(books.timeline.map((t: any) => `${t.kind} v${t.toVersion} ${t.actor}`)).toEqual([
    'REJECTED v5 cli:bo', 'ROLLBACK v2 cli:ana', 'PROMOTE v4 cli:ana', 'PROMOTE v2 pipeline', 'PROMOTE v1 pipeline',
  ]);
  expect(books.timeline[1]).toMatchObject({ fromVersion: 4, reason: 'v4 over-predicts on Mondays' });
  expect(books.freshness).toMatchObject({ state: 'FRESH', servedVersion: 2, ageHours: 20, ttlHours: 72 });
  expect(books.freshness.warningHours).toBeGreaterThan(20);
  expect(garden.freshness).toMatchObject({ state: 'EXPIRED', servedVersion: 1, ageHours: 106, ttlHours: 72 });
  expect(body.quality).toMatchObject({ metric: 'rmse', direction: 'minimize', threshold: 50 });
  // Experiments are not production: only the scheduled runs, oldest first.
  expect(body.quality.series.books.map((p: number[]) => p[1])).toEqual(BOOKS_RMSE);
  expect(body.drift.values).toHaveLength(4);
  expect((await get('api/models/ghost')).status).toBe(404);
});

test('a drift source that fails leaves the rest of the model page', async () => {
  const other = await startUi(registry, { latest: async () => { throw new Error('AccessDenied: cloudwatch:ListMetrics'); } });
  try {
    const { status, body } = await fetch(new URL(`api/models/${MODEL}`, other.url)).then(async (r) => ({ status: r.status, body: await r.json() as { drift: unknown } }));
    expect(status).toBe(200);
    expect(body.drift).toEqual({ values: [], error: 'drift could not be read from CloudWatch: AccessDenied: cloudwatch:ListMetrics' });
  } finally {
    await new Promise((r) => other.server.close(r));
  }
});

test('serves the page and uPlot itself; refuses other hosts and methods', async () => {
  const page = await fetch(url);
  expect(page.headers.get('content-type')).toContain('text/html');
  expect(await page.text()).toContain('/vendor/uPlot.iife.min.js');
  const uplot = await fetch(new URL('vendor/uPlot.iife.min.js', url));
  expect(uplot.status).toBe(200);
  expect(await uplot.text()).toContain('uPlot');
  expect((await fetch(new URL('api/models', url), { method: 'POST' })).status).toBe(405);
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  const { port } = new URL(url);
  const status = await new Promise<number>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/api/models', headers: { host: `evil.example:${port}` } }, (res) => { res.resume(); resolve(res.statusCode!); }).on('error', reject).end();
  });
  expect(status).toBe(403);
});

test('`mlops ui --port` takes a port number only', async () => {
  expect(await run(['ui', '--port', '70000'], { registry })).toEqual({ code: 1, out: '', err: expect.stringContaining('--port 70000 is not a port') });
  expect((await run(['ui', '--port', 'http'], { registry })).err).toContain('fix: use a whole number from 1 to 65535');
});
