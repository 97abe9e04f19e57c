// The synthesized batch inference state machine in the local ASL runner (see local-batch.ts):
// what happens per category when scoring, extracting or loading fails, and what reaches the table.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { CATEGORY_STATUS } from '../../lib/batch-inference';
import { localDoc } from '../support/dynamo';
import { LocalBatch, localBatch, predictionLines } from './local-batch';

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
      { category: 'books', version: 1, status: CATEGORY_STATUS.succeeded, parts: 2, predictions: 150, invalid: 0 },
      { category: 'games', version: 1, status: CATEGORY_STATUS.succeeded, parts: 2, predictions: 150, invalid: 0 },
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
