import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import fc from 'fast-check';
import { TRAINING_STATES as S } from '../../lambda/shared/training/constants';
import { summarize } from '../../lambda/shared/training/summarize';
import { PlanOutput } from '../../lambda/shared/training/types';
import { executionEnded } from '../../lambda/training-execution-ended';
import { worstCaseExecution } from '../../lib/training-pipeline/execution-timeout';
import { GpuBatchCompute } from '../../lib/gpu-batch-compute';
import { TrainingBackend, TrainingImage } from '../../lib/training-pipeline';
import { extractDefinition } from '../../local/asl';
import { testStack } from '../support/cdk';
import { CATEGORIES, DATE, GOOD_ROWS, MODEL, localPipeline, pipelineStack } from './harness';
import { localDeps } from './local-deps';

const input = { executionDate: DATE, hyperparameters: { rmse_books: 0.4, rmse_electronics: 0.3, rmse_toys: 0.2 } };

describe('Summarize cannot stop scoring (issue 17 #10)', () => {
  test('Summarize failing (Lambda error): batch inference still scores every category, then the execution fails with why', async () => {
    const p = await localPipeline({}, {
      batchInference: true,
      wrap: { [S.summarize]: () => async () => { throw Object.assign(new Error('Invalid parameter: TopicArn'), { name: 'InvalidParameterException' }); } },
    });
    for (const c of CATEGORIES) await p.uploadData(c, GOOD_ROWS);

    const res = await p.machine.start(input).outcome;

    expect(p.batchStarts).toEqual([{ model: MODEL, executionDate: DATE, categories: CATEGORIES }]);
    expect(res).toMatchObject({ status: 'FAILED', error: 'TrainingFailed', cause: expect.stringContaining('Invalid parameter: TopicArn') });
    expect((await p.registry.getProduction(MODEL, 'books'))?.version).toBe(1);
  });

  test('an experiment whose summary failed starts no batch inference', async () => {
    const p = await localPipeline({}, {
      batchInference: true,
      wrap: { [S.summarize]: () => async () => { throw new Error('boom'); } },
    });
    await p.uploadData('books', GOOD_ROWS);
    const res = await p.machine.start({ ...input, categories: ['books'], experiment: true }).outcome;
    expect(res).toMatchObject({ status: 'FAILED', error: 'TrainingFailed' });
    expect(p.batchStarts).toEqual([]);
  });

  test('SNS failing while summarizing a partial failure: the summary is still returned, marked not notified', async () => {
    const deps = await localDeps();
    const failing = { ...deps, notifier: { publish: async () => { throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }); } } };
    const planned = { model: MODEL, executionDate: DATE, experiment: false, runs: [{ category: 'books', runId: 'r1' }, { category: 'toys', runId: 'r2' }] } as unknown as PlanOutput;
    const summary = await summarize({ ...planned, results: [{ category: 'books', runId: 'r1', outcome: 'PROMOTED', version: 2, reason: 'better' }, { category: 'toys', runId: 'r2', outcome: 'FAILED', reason: 'exit 1' }] }, failing);
    expect(summary).toMatchObject({ status: 'FAILED', notified: false, scoreCategories: ['books', 'toys'], startBatchInference: true });
    expect(summary.cause).toContain('toys (exit 1)');
  });
});

describe('the execution timeout covers the worst case (issue 17 #10)', () => {
  const batchBackend = (stack: ReturnType<typeof testStack>) => {
    const compute = new GpuBatchCompute(stack, 'Gpu', { maxvCpus: 32 });
    return TrainingBackend.batch({ compute, image: TrainingImage.fromRegistry('123456789012.dkr.ecr.us-east-1.amazonaws.com/demand@sha256:abc'), command: ['python3', 'train.py'] });
  };

  test('Batch defaults: 13 h per job x 3 attempts per wave, for every wave of categories', () => {
    const stack = testStack();
    const categories = Array.from({ length: 9 }, (_, i) => `c${i}`);
    const { template } = pipelineStack({ categories, backend: batchBackend(stack) }, stack);
    const timeout = extractDefinition(template.toJSON()).TimeoutSeconds!;
    const waves = Math.ceil(9 / 4);
    expect(timeout).toBeGreaterThanOrEqual(waves * 3 * 13 * 3600);
  });

  test('whatever the sizes, the timeout is at least every wave running every attempt to its task timeout, and at most a year', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 10 }),
      fc.integer({ min: 3600, max: 29 * 24 * 3600 }), fc.integer({ min: 3600, max: 56 * 24 * 3600 }), fc.option(fc.integer({ min: 60, max: 7 * 24 * 3600 }), { nil: undefined }),
      (categories, maxConcurrency, trainingAttempts, taskTimeout, capacityWait, approval) => {
        const t = worstCaseExecution({
          categories, maxConcurrency, trainingAttempts, taskTimeout: Duration.seconds(taskTimeout), capacityWait: Duration.seconds(capacityWait),
          approvalTimeout: approval === undefined ? undefined : Duration.seconds(approval),
        });
        // Approvals are waited for once, after the Map (they hold up no wave).
        const floor = Math.ceil(categories / maxConcurrency) * (trainingAttempts * taskTimeout + capacityWait) + (approval ?? 0);
        expect(t.toSeconds()).toBeGreaterThanOrEqual(Math.min(floor, 365 * 24 * 3600));
        expect(t.toSeconds()).toBeLessThanOrEqual(365 * 24 * 3600);
      },
    ));
  });
});

describe('an execution that ends without finishing its runs (issue 17 #10)', () => {
  test('TIMED_OUT, ABORTED or FAILED executions are routed to a handler that closes their RUNNING runs', () => {
    const { template } = pipelineStack();
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        'detail': { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [{ Ref: Match.stringLikeRegexp('^Training') }] },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrainingExecutionEndedFunction'), 'Arn'] } })],
    });
  });

  test('an aborted execution leaves no run RUNNING; other executions\' runs are untouched', async () => {
    let allTraining!: () => void;
    const training = new Promise<void>((resolve) => { allTraining = resolve; });
    let jobs = 0;
    const p = await localPipeline({}, {
      // Training never finishes: the execution is stopped while the jobs of all 3 categories run.
      wrap: { [S.train]: () => () => { if (++jobs === CATEGORIES.length) allTraining(); return new Promise(() => undefined); } },
    });
    for (const c of CATEGORIES) await p.uploadData(c, GOOD_ROWS);
    await p.registry.startRun({ runId: 'other-run', model: MODEL, category: 'books', executionArn: 'arn:aws:states:us-east-1:123456789012:execution:local:other' });

    const execution = p.machine.start(input);
    await training;
    execution.abort();
    expect(await execution.outcome).toMatchObject({ status: 'FAILED', error: 'ExecutionAbortedError' });
    const running = async () => (await p.registry.listRuns({ model: MODEL, status: 'RUNNING' })).items.map((r) => r.runId).sort();
    expect((await running()).length).toBe(4);

    const res = await executionEnded({
      'detail-type': 'Step Functions Execution Status Change',
      'detail': { executionArn: execution.executionArn, stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:local', status: 'ABORTED', name: 'x' },
    }, p.deps);

    expect(res.closed).toHaveLength(3);
    expect(await running()).toEqual(['other-run']);
    const failed = (await p.registry.listRuns({ model: MODEL, status: 'FAILED' })).items;
    expect(failed).toHaveLength(3);
    for (const r of failed) expect(r.failureCause).toContain('execution ABORTED');
    // Idempotent: EventBridge delivers at least once.
    expect((await executionEnded({ 'detail-type': 'Step Functions Execution Status Change', 'detail': { executionArn: execution.executionArn, stateMachineArn: 'x', status: 'ABORTED', name: 'x' } }, p.deps)).closed).toEqual([]);
  });
});
