import { Readable } from 'node:stream';
import { csvRecords } from '../../lambda/shared/training/data-checks';
import { compareWithChampion } from '../../lambda/shared/training/gate';
import { dateInZone, plan, plannedRuns, runItem } from '../../lambda/shared/training/plan';
import { makeRunId } from '../../lambda/shared/training/run-id';
import { classifyTrainingFailure } from '../../lambda/shared/training/runs';
import { PipelineConfig } from '../../lambda/shared/training/types';

const config = {
  model: 'demand-forecast', categories: ['books', 'toys'], hyperparameters: { lr: '0.1' }, timeZone: 'Europe/Paris', trainingAttempts: 3,
} as unknown as PipelineConfig;
const ctx = { config, datasetsBucket: 'ds', artifactsBucket: 'art', executionId: 'arn:aws:states:us-east-1:1:execution:x:abc', startTime: '2026-11-24T10:00:00Z' };

describe('plan', () => {
  test('the scheduled time read in the pipeline time zone is the execution date', () => {
    // 23:30 UTC on the 23rd is 00:30 on the 24th in Paris.
    expect(plan({ scheduledTime: '2026-11-23T23:30:00Z' }, ctx)).toMatchObject({ executionDate: '2026-11-24', trigger: 'schedule' });
    expect(dateInZone('2026-11-23T23:30:00Z', 'Etc/UTC')).toBe('2026-11-23');
  });

  test('one run per category with deterministic ids, inputs by date and outputs by run', () => {
    const p = plan({ executionDate: '2026-11-20', hyperparameters: { lr: 0.2, depth: 3 } }, ctx);
    expect(p.runs.map((r) => r.category)).toEqual(['books', 'toys']);
    const items = plannedRuns(p).map((r) => runItem(r, { datasetsBucket: 'ds', artifactsBucket: 'art' }));
    expect(items[0]).toMatchObject({
      datasetUri: 's3://ds/demand-forecast/books/2026-11-20/',
      outputUri: `s3://art/runs/demand-forecast/${p.runs[0].runId}/`,
      checkpointUri: `s3://art/runs/demand-forecast/${p.runs[0].runId}/checkpoints/`,
      hyperparameters: { lr: '0.2', depth: '3' },
      attempt: 1,
    });
    expect(plan({ executionDate: '2026-11-20' }, ctx).runs[0].runId).toBe(p.runs[0].runId);
  });

  test('a data-arrival marker trains its category for its date; unknown categories are refused with the declared ones', () => {
    expect(plan({ objectKey: 'demand-forecast/toys/2026-11-21/_SUCCESS' }, ctx)).toMatchObject({ executionDate: '2026-11-21', trigger: 'data-arrival', runs: [{ category: 'toys' }] });
    expect(() => plan({ categories: ['garden'] }, ctx)).toThrow(/garden is not declared; use some of books, toys/);
  });

  test('run ids are valid training job names (with the attempt suffix) whatever the names', () => {
    const id = makeRunId('a-very-long-model-name-for-forecasting', 'Home_and.Garden-extra-long', '2026-11-24', 'arn:x', false);
    expect(`${id}-10`.length).toBeLessThanOrEqual(63);
    expect(`${id}-10`).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
  });
});

describe('compareWithChampion', () => {
  const min = { metric: 'rmse', direction: 'minimize' as const, minImprovement: 0.05 };
  test.each([
    [0.40, 0.50, min, true],
    [0.47, 0.50, min, false],
    [0.50, 0.50, { ...min, minImprovement: 0 }, false],
    [0.40, undefined, min, true],
    [0.40, undefined, { ...min, threshold: 0.3 }, false],
    [0.91, 0.90, { metric: 'auc', direction: 'maximize' as const, minImprovement: 0 }, true],
  ])('challenger %p vs champion %p', (challenger, champion, policy, better) => {
    expect(compareWithChampion(challenger, champion, policy).better).toBe(better);
  });
});

describe('classifyTrainingFailure', () => {
  const item = { attempt: 1 } as never;
  const deps = { config } as never;
  test('capacity and Spot failures are retried with backoff up to the attempts; code failures are not', () => {
    expect(classifyTrainingFailure({ ...(item as object), failure: { Error: 'States.TaskFailed', Cause: 'CapacityError: Unable to provision' } } as never, deps)).toMatchObject({ retryTraining: true, attempt: 2, waitSeconds: 60 });
    expect(classifyTrainingFailure({ attempt: 3, failure: { Error: 'States.TaskFailed', Cause: 'Host EC2 (instance i-1) terminated.' } } as never, deps)).toMatchObject({ retryTraining: false, attempt: 3 });
    expect(classifyTrainingFailure({ attempt: 1, failure: { Error: 'States.TaskFailed', Cause: 'AlgorithmError: KeyError' } } as never, deps)).toMatchObject({ retryTraining: false });
  });
});

test('CSV records honour quotes, escaped quotes and newlines inside quotes across chunks', async () => {
  const body = Readable.from(['a,b\n"x, ""y""",2\n"multi', '\nline",3\r\n']);
  const out: string[][] = [];
  for await (const r of csvRecords(body)) out.push(r);
  expect(out).toEqual([['a', 'b'], ['x, "y"', '2'], ['multi\nline', '3']]);
});
