// The synthesized batch inference state machine in the local ASL runner (see local-batch.ts):
// what happens per category when scoring, extracting or loading fails, and what reaches the table.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { CATEGORY_STATUS } from '../../lib/batch-inference';
import { localDoc } from '../support/dynamo';
import { faultyDoc, throttled } from '../registry-core/fault-client';
import { LocalBatch, MODEL, localBatch, predictionLines } from './local-batch';

const DATE = '2026-11-24';
const input = (categories: string[]) => ({ model: 'demand', executionDate: DATE, categories });
const batches: LocalBatch[] = [];
afterAll(() => batches.forEach((b) => b.cleanup()));

async function setUp(...args: Parameters<typeof localBatch>): Promise<LocalBatch> {
  const b = await localBatch(...args);
  batches.push(b);
  return b;
}

async function storedEntities(b: LocalBatch): Promise<string[]> {
  const out: string[] = [];
  let key: Record<string, unknown> | undefined;
  do {
    const page = await localDoc().send(new ScanCommand({ TableName: b.predictionsTable, ExclusiveStartKey: key }));
    out.push(...(page.Items ?? []).map((i) => i.entityId as string));
    key = page.LastEvaluatedKey;
  } while (key);
  return out.sort();
}

describe('batch inference in the local runner', () => {
  test('scores every category and loads its parts, written under the execution\'s own prefix', async () => {
    const b = await setUp({ categories: ['books', 'games'], scoring: (c) => ({ 'out.jsonl': predictionLines(c, 150) }) });
    await b.promote('books');
    await b.promote('games');
    const res = await b.machine.start(input(['books', 'games']), { name: 'daily-run' }).outcome;
    expect(res).toMatchObject({ status: 'SUCCEEDED' });
    expect((res as { output: { scored: unknown[] } }).output.scored).toEqual([
      { category: 'books', version: 1, status: CATEGORY_STATUS.succeeded, parts: 2, predictions: 150, invalid: 0, servedNow: true },
      { category: 'games', version: 1, status: CATEGORY_STATUS.succeeded, parts: 2, predictions: 150, invalid: 0, servedNow: true },
    ]);
    expect(await storedEntities(b)).toHaveLength(300);
    const parts = (await b.list(`demand/books/${DATE}/`)).map((o) => o.Key).filter((k) => /part-/.test(k!));
    expect(parts).toEqual([expect.stringMatching(/^demand\/books\/2026-11-24\/daily-run-[0-9a-f]{8}\/part-00000\.jsonl$/), expect.stringMatching(/part-00001\.jsonl$/)]);
  });

  test('a category whose scoring job keeps failing is retried under a new job name, then fails alone', async () => {
    const b = await setUp({
      categories: ['books', 'games'],
      scoring: (c) => (c === 'books' ? Object.assign(new Error('AlgorithmError: out of memory'), { name: 'States.TaskFailed' }) : { 'out.jsonl': predictionLines(c, 50) }),
    });
    await b.promote('books');
    await b.promote('games');
    const res = await b.machine.start(input(['books', 'games'])).outcome;
    expect(res).toMatchObject({ status: 'FAILED', error: 'BatchInferenceFailed' });
    expect((res as { cause: string }).cause).toMatch(/"category":"books","version":1,"status":"FAILED","error":"States.TaskFailed","cause":"AlgorithmError: out of memory"/);
    // Two attempts, two names: SageMaker refuses a name used before, also on a redrive.
    expect(b.jobNames.books).toHaveLength(2);
    expect(new Set(b.jobNames.books).size).toBe(2);
    for (const name of b.jobNames.books) expect(name).toMatch(/^score-demand-books-[0-9a-f]{12}-[0-9a-f]{8}$/);
    expect((await storedEntities(b)).filter((e) => e.startsWith('games-'))).toHaveLength(50);
  });

  test('a run that scored nothing fails its category; the other category is loaded', async () => {
    const b = await setUp({ categories: ['books', 'games'], scoring: (c): Record<string, string> => (c === 'books' ? { 'metrics.json': '{}' } : { 'out.jsonl': predictionLines(c, 10) }) });
    await b.promote('books');
    await b.promote('games');
    const res = await b.machine.start(input(['books', 'games'])).outcome;
    expect(res).toMatchObject({ status: 'FAILED', error: 'BatchInferenceFailed' });
    expect((res as { cause: string }).cause).toMatch(/"category":"books","version":1,"status":"FAILED","error":"ScoringOutputError".*holds no valid prediction lines/);
    expect(await storedEntities(b)).toHaveLength(10);
  });

  test('a part whose loader timed out (in Lambda or in Step Functions) is loaded again', async () => {
    let calls = 0;
    const b = await setUp({
      categories: ['books'],
      scoring: (c) => ({ 'out.jsonl': predictionLines(c, 20) }),
      loadPart: (load) => async (e) => {
        calls++;
        if (calls === 1) throw Object.assign(new Error('Task timed out after 600.00 seconds'), { name: 'Sandbox.Timedout' });
        if (calls === 2) return new Promise(() => undefined); // hangs past the state's timeout
        return load(e);
      },
      timeoutOverrides: { LoadPart: 0.2 },
    });
    await b.promote('books');
    const execution = b.machine.start(input(['books']));
    expect(await execution.outcome).toMatchObject({ status: 'SUCCEEDED' });
    expect(execution.retried.filter((s) => s === 'LoadPart')).toHaveLength(2);
    expect(await storedEntities(b)).toHaveLength(20);
  });

  test('with no production version anywhere, nothing is scored and the execution succeeds', async () => {
    const b = await setUp({ categories: ['books'], scoring: (c) => ({ 'out.jsonl': predictionLines(c, 5) }) });
    const execution = b.machine.start(input(['books']));
    expect(await execution.outcome).toMatchObject({ status: 'SUCCEEDED', output: { scored: [], resolved: { skipped: [{ category: 'books' }] } } });
    expect(execution.entered).toContain('NothingToScore');
    expect(b.jobNames).toEqual({});
  });

  test('a version whose artifact lies outside the platform is never scored; the execution fails naming it', async () => {
    const b = await setUp({ categories: ['books', 'games'], scoring: (c) => ({ 'out.jsonl': predictionLines(c, 5) }) });
    await b.promote('books', 's3://someone-elses-bucket/any/object/');
    await b.promote('games');
    const res = await b.machine.start(input(['books', 'games'])).outcome;
    expect(res).toMatchObject({ status: 'FAILED', error: 'BatchInferenceFailed' });
    expect((res as { cause: string }).cause).toMatch(/rejected: \[\{"category":"books","reason":"version 1 may not be scored: "s3:\/\/someone-elses-bucket\/any\/object\/" is not under/);
    expect(b.jobNames.books).toBeUndefined();
    expect(await storedEntities(b)).toHaveLength(5);
  });
});

// Issue 11 §5: the scenarios of a day, with two-phase promotion (the served pointer moves only
// once the desired version's predictions are loaded).
describe('batch inference scenarios', () => {
  const served = async (b: LocalBatch, category: string) => (await b.registry.getServed(MODEL, category))?.version;
  const newestPromotion = async (b: LocalBatch, category: string) => (await b.registry.listHistory(MODEL, category)).items[0];
  /** The input the ScoreOnPromotion rule gives the state machine for a promotion. */
  const promotionInput = (category: string, version: number) => ({ model: MODEL, executionDate: `${DATE}T06:00:00Z`, categories: [category], version });

  test('a normal day: the scheduled run scores the served versions, records each load, and keeps serving them', async () => {
    const b = await setUp({ categories: ['books', 'games'], scoring: (c, _a, v) => ({ 'out.jsonl': predictionLines(`${c}-v${v}`, 120) }) });
    await b.promote('books');
    await b.promote('games');
    const first = await b.machine.start({ model: MODEL, executionDate: `${DATE}T02:00:00Z` }).outcome;
    expect(first).toMatchObject({ status: 'SUCCEEDED' });
    expect((first as { output: { scored: Array<{ servedNow: boolean }> } }).output.scored.map((o) => o.servedNow)).toEqual([true, true]);
    const second = await b.machine.start({ model: MODEL, executionDate: `${DATE}T02:00:00Z` }).outcome;
    expect(second).toMatchObject({ status: 'SUCCEEDED' });
    expect((second as { output: { scored: Array<{ servedNow: boolean }> } }).output.scored.map((o) => o.servedNow)).toEqual([false, false]);
    expect([await served(b, 'books'), await served(b, 'games')]).toEqual([1, 1]);
    const load = await b.registry.getLoad(MODEL, 'books', 1);
    expect(Date.parse(load!.expiresAt) - Date.parse(load!.generatedAt)).toBe(72 * 3600_000);
    expect(await storedEntities(b)).toHaveLength(240);
  });

  test('a version with no artifact: its job fails as SageMaker fails it, the served version stays, and the promotion says why', async () => {
    const b = await setUp({ categories: ['books'], scoring: (c, _a, v) => ({ 'out.jsonl': predictionLines(`${c}-v${v}`, 10) }) });
    await b.promote('books');
    expect(await b.machine.start(input(['books'])).outcome).toMatchObject({ status: 'SUCCEEDED' });
    const v2 = await b.register('books', { artifact: false });
    await b.registry.promote({ model: MODEL, category: 'books', version: v2, actor: 'alice', reason: 'try v2' });
    const res = await b.machine.start(promotionInput('books', v2)).outcome;
    expect(res).toMatchObject({ status: 'FAILED', error: 'BatchInferenceFailed' });
    expect(b.jobNames.books).toHaveLength(3); // the day's v1 job, then v2: one attempt and one retry
    expect(await served(b, 'books')).toBe(1);
    expect(await newestPromotion(b, 'books')).toMatchObject({ toVersion: v2, scoringFailure: expect.stringMatching(/^States.TaskFailed: ClientError: Data download failed: no objects under s3:\/\/.*\(channel model\)$/) });
  });

  test('a scoring failure: the other category is served its new version, the failed one keeps the old, and the execution fails (alarm)', async () => {
    const b = await setUp({
      categories: ['books', 'games'],
      scoring: (c, _a, v) => (c === 'books' && v === 2 ? Object.assign(new Error('AlgorithmError: NaN in features'), { name: 'States.TaskFailed' }) : { 'out.jsonl': predictionLines(`${c}-v${v}`, 10) }),
    });
    await b.promote('books');
    await b.promote('games');
    expect(await b.machine.start(input(['books', 'games'])).outcome).toMatchObject({ status: 'SUCCEEDED' });
    await b.promote('books');
    await b.promote('games');
    expect([await served(b, 'books'), await served(b, 'games')]).toEqual([1, 1]);
    const res = await b.machine.start(input(['books', 'games'])).outcome;
    // The Fail state's error is what the failed-executions alarm of the state machine counts.
    expect(res).toMatchObject({ status: 'FAILED', error: 'BatchInferenceFailed' });
    expect([await served(b, 'books'), await served(b, 'games')]).toEqual([1, 2]);
    expect(await newestPromotion(b, 'books')).toMatchObject({ toVersion: 2, scoringFailure: 'States.TaskFailed: AlgorithmError: NaN in features' });
    expect((await newestPromotion(b, 'games')).servedAt).toBeDefined();
  });

  test('throttled loads: parts whose writes stay throttled are loaded again, nothing is lost, and the version is served after', async () => {
    let firstChunkWrites = 0;
    let otherWrites = 0;
    const holdsFirstEntity = (cmd: { input: Record<string, unknown> }) => JSON.stringify(cmd.input).includes('"entityId":"books-0"');
    const b = await setUp({
      categories: ['books'],
      scoring: (c) => ({ 'out.jsonl': predictionLines(c, 250) }),
      // The chunk holding books-0 is throttled 12 times, as many as the loader's own attempts:
      // that part's invocation fails and Step Functions loads the part again. Every other write
      // is throttled once in three, which the loader's backoff absorbs.
      loaderDoc: (doc) => faultyDoc(doc, (cmd) => {
        if (cmd.name !== 'BatchWriteCommand') return;
        if (holdsFirstEntity(cmd) ? ++firstChunkWrites <= 12 : ++otherWrites % 3 === 0) throw throttled();
      }),
    });
    await b.promote('books');
    const execution = b.machine.start(input(['books']));
    expect(await execution.outcome).toMatchObject({ status: 'SUCCEEDED' });
    expect(execution.retried.filter((s) => s === 'LoadPart')).toHaveLength(1);
    expect(otherWrites).toBeGreaterThan(10);
    expect(await storedEntities(b)).toHaveLength(250);
    expect(await served(b, 'books')).toBe(1);
  });

  test('a promotion mid-run: the version being loaded is never served once another is desired', async () => {
    let b: LocalBatch | undefined;
    let v3 = 0;
    b = await setUp({
      categories: ['books'],
      scoring: async (c, _a, v) => {
        // While version 2 is being scored, someone promotes version 3.
        if (v === 2) v3 = await b!.promote('books');
        return { 'out.jsonl': predictionLines(`${c}-v${v}`, 10) };
      },
    });
    await b.promote('books');
    expect(await b.machine.start(input(['books'])).outcome).toMatchObject({ status: 'SUCCEEDED' });
    const v2 = await b.promote('books');
    const run = await b.machine.start(promotionInput('books', v2)).outcome;
    expect(run).toMatchObject({ status: 'SUCCEEDED', output: { scored: [{ version: v2, servedNow: false }] } });
    expect(await served(b, 'books')).toBe(1);
    expect(await b.registry.getLoad(MODEL, 'books', v2)).toBeDefined();
    expect((await b.registry.getProduction(MODEL, 'books'))?.version).toBe(v3);
    // The promotion of version 3 gets its own run; then version 3 is served.
    expect(await b.machine.start(promotionInput('books', v3)).outcome).toMatchObject({ status: 'SUCCEEDED', output: { scored: [{ version: v3, servedNow: true }] } });
    expect(await served(b, 'books')).toBe(v3);
  });

  test('an execution naming a version scores exactly that version, and refuses one it cannot place', async () => {
    const b = await setUp({ categories: ['books', 'games'], scoring: (c, _a, v) => ({ 'out.jsonl': predictionLines(`${c}-v${v}`, 5) }) });
    await b.promote('books');
    await b.register('books');
    const res = await b.machine.start({ ...input(['books']), version: 2 }).outcome;
    expect(res).toMatchObject({ status: 'SUCCEEDED', output: { scored: [{ category: 'books', version: 2, servedNow: false }] } });
    expect(await b.registry.getLoad(MODEL, 'books', 2)).toBeDefined();
    const missing = await b.machine.start({ ...input(['books']), version: 9 }).outcome;
    expect(missing).toMatchObject({ status: 'FAILED', error: 'BatchInferenceFailed' });
    expect((missing as { cause: string }).cause).toMatch(/version 9 does not exist/);
    await expect(b.machine.start({ ...input(['books', 'games']), version: 2 }).outcome).resolves.toMatchObject({ status: 'FAILED', cause: expect.stringMatching(/name exactly one category when scoring version 2/) });
  });
});
