import fc from 'fast-check';
import { classifyTrainingFailure } from '../../lambda/shared/training/runs';
import { PipelineConfig, RunItem, StepError } from '../../lambda/shared/training/types';
import { TRAINING_STATES as S } from '../../lambda/shared/training/constants';
import { CATEGORIES, DATE, GOOD_ROWS, MODEL, localPipeline } from './harness';

type Classified = ReturnType<typeof classifyTrainingFailure>;
const depsWith = (capacityWaitSeconds: number, trainingAttempts = 3) => ({ config: { trainingAttempts, capacityWaitSeconds } as PipelineConfig }) as never;
const item = { attempt: 1 } as RunItem;
const sm = (code: string, message: string): StepError => ({ Error: 'SageMaker.AmazonSageMakerException', Cause: `${message} (Service: AmazonSageMaker; Status Code: 400; Error Code: ${code}; Request ID: 1)` });

/** Feeds the same failure until the classifier gives up; returns every decision. */
function until(failure: StepError, capacityWaitSeconds: number): Classified[] {
  const out: Classified[] = [];
  let current: RunItem = item;
  for (let i = 0; i < 10_000; i++) {
    const c = classifyTrainingFailure({ ...current, failure }, depsWith(capacityWaitSeconds));
    out.push(c);
    if (!c.retryTraining) return out;
    current = c;
  }
  throw new Error('the classifier never gave up');
}

describe('SageMaker quota and capacity errors (issue 17 #1)', () => {
  test('the classifier knows ResourceLimitExceeded: retried at minute scale, with the same job name (no job was created)', () => {
    const [first, second] = until(sm('ResourceLimitExceeded', 'The account-level service limit for ml.g5.xlarge for spot training job usage is 0 Instances'), 8 * 3600);
    expect(first).toMatchObject({ retryTraining: true, attempt: 1, waitSeconds: 60 });
    expect(second).toMatchObject({ retryTraining: true, attempt: 1, waitSeconds: 120 });
  });

  test.each([
    ['ValidationException', sm('ValidationException', 'Invalid instance type ml.g5.huge')],
    ['a job name that is not unique', sm('ValidationException', 'Training job names must be unique within an AWS account and region, and a training job with this name already exists')],
    ['access denied', { Error: 'SageMaker.AmazonSageMakerException', Cause: 'AccessDeniedException: not authorized to perform iam:PassRole; capacity' }],
  ])('%s is never retried, even under an error name that also carries quota errors', (_name, failure) => {
    expect(classifyTrainingFailure({ ...item, failure }, depsWith(8 * 3600))).toMatchObject({ retryTraining: false, waitSeconds: 0 });
  });

  test('quota, throttling and capacity errors are retried at minute scale up to the capacity wait, whatever that wait is', () => {
    const failures = fc.constantFrom(
      sm('ResourceLimitExceeded', 'limit is 0 Instances'),
      { Error: 'SageMaker.ResourceLimitExceededException', Cause: 'quota' },
      { Error: 'SageMaker.ThrottlingException', Cause: 'Rate exceeded' },
      { Error: 'States.TaskFailed', Cause: JSON.stringify({ FailureReason: 'CapacityError: Unable to provision requested ML compute capacity' }) },
    );
    fc.assert(fc.property(failures, fc.integer({ min: 3600, max: 56 * 24 * 3600 }), (failure, capacityWait) => {
      const decisions = until(failure, capacityWait);
      const waits = decisions.filter((d) => d.retryTraining).map((d) => d.waitSeconds);
      const total = waits.reduce((a, b) => a + b, 0);
      expect(waits.every((w) => w >= 60 && w <= 900)).toBe(true);
      expect(total).toBeLessThanOrEqual(capacityWait);
      expect(total).toBeGreaterThan(capacityWait - 900); // the whole budget is used
      expect(decisions[decisions.length - 1].capacityWaitedSeconds).toBe(total);
    }));
  });

  test('capacity retries do not use up the training attempts of Spot interruptions', () => {
    const capacity = classifyTrainingFailure({ ...item, failure: { Error: 'States.TaskFailed', Cause: 'CapacityError: no capacity' } }, depsWith(3600, 2));
    expect(capacity).toMatchObject({ retryTraining: true, attempt: 2 });
    const spot = classifyTrainingFailure({ ...capacity, failure: { Error: 'States.TaskFailed', Cause: 'Spot interruption' } }, depsWith(3600, 2));
    expect(spot).toMatchObject({ retryTraining: true, attempt: 3 });
  });
});

describe('the training pipeline run locally against quota errors', () => {
  const run = async (failure: StepError, failures: number) => {
    let failed = 0;
    const p = await localPipeline({}, {
      trainWrapper: (train) => async (req) => {
        if (failed < failures) {
          failed++;
          p.trainCalls.push(req.TrainingJobName);
          throw Object.assign(new Error(failure.Cause), { name: failure.Error });
        }
        return train(req);
      },
    });
    for (const c of CATEGORIES) await p.uploadData(c, GOOD_ROWS);
    const res = await p.machine.start({ executionDate: DATE, categories: ['books'], hyperparameters: { rmse_books: 0.4 } }).outcome;
    return { p, res };
  };

  test('an instance quota of 0 for a while: the category waits for it instead of failing', async () => {
    const { p, res } = await run(sm('ResourceLimitExceeded', 'The account-level service limit for ml.g5.xlarge for spot training job usage is 0 Instances'), 6);
    expect(res.status).toBe('SUCCEEDED');
    expect(p.trainCalls).toHaveLength(7);
    expect(new Set(p.trainCalls).size).toBe(1); // CreateTrainingJob was refused: the name is still free
    expect((await p.registry.getProduction(MODEL, 'books'))?.version).toBe(1);
  });

  test('a validation error fails the category at once, with its cause recorded', async () => {
    const { p, res } = await run(sm('ValidationException', 'Training job names must be unique within an AWS account and region'), 99);
    expect(res.status).toBe('FAILED');
    expect(p.trainCalls).toHaveLength(1);
    expect((await p.registry.listRuns({ model: MODEL, status: 'FAILED' })).items[0].failureCause).toContain('must be unique');
  });
});

test('the Train state retries no SageMaker error by name: the classifier, which reads the cause, decides', async () => {
  const { definition } = await localPipeline();
  const train = JSON.stringify(definition).match(new RegExp(`"${S.train}":\\{.*?"Catch"`))?.[0] ?? '';
  expect(train).not.toContain('AmazonSageMakerException');
  expect(train).not.toContain('ResourceLimitExceeded');
});
