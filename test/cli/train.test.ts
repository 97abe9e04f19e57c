import { DescribeExecutionCommand, GetExecutionHistoryCommand, HistoryEvent, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { EXIT } from '../../cli/errors';
import { run } from './support';

const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:demand-training';
const EXEC = 'arn:aws:states:eu-west-1:123456789012:execution:demand-training:manual-1';

/** A stubbed Step Functions client: records commands; history grows by one batch per poll. */
function stubSfn(batches: HistoryEvent[][], final: { status: string; error?: string; cause?: string }) {
  const sent: Array<{ name: string; input: Record<string, unknown> }> = [];
  let polls = 0;
  const client = {
    async send(cmd: { constructor: { name: string }; input: Record<string, unknown> }) {
      sent.push({ name: cmd.constructor.name, input: cmd.input });
      if (cmd instanceof StartExecutionCommand) return { executionArn: EXEC, startDate: new Date('2026-11-20T10:00:00Z') };
      if (cmd instanceof GetExecutionHistoryCommand) {
        const visible = batches.slice(0, polls + 1).flat();
        return { events: [...visible].reverse() };
      }
      if (cmd instanceof DescribeExecutionCommand) {
        polls++;
        return polls >= batches.length ? final : { status: 'RUNNING' };
      }
      throw new Error(`unexpected ${cmd.constructor.name}`);
    },
  };
  return { client: client as unknown as SFNClient, sent };
}

const ev = (id: number, type: string, extra: Partial<HistoryEvent>): HistoryEvent => ({ id, type, timestamp: new Date(Date.UTC(2026, 10, 20, 10, 0, id)), ...extra } as HistoryEvent);
const noSleep = async () => {};
const env = { MLOPS_TRAINING_STATE_MACHINE_ARN: ARN };

test('train starts the pipeline with the manual-run input: categories, hyperparameter overrides, experiment', async () => {
  const { client, sent } = stubSfn([[]], { status: 'SUCCEEDED' });
  const r = await run(['train', 'demand', '--set', 'window=14', '--set', 'level_weight=0.3', '--category', 'books', '--category', 'toys', '--experiment', '--date', '2026-11-19'],
    { sfn: client, env, now: () => new Date('2026-11-20T10:00:00Z') });
  expect(r.code).toBe(0);
  expect(sent).toHaveLength(1);
  expect(sent[0].input.stateMachineArn).toBe(ARN);
  expect(sent[0].input.name).toMatch(/^manual-20261120T100000-[0-9a-f]{6}$/);
  expect(JSON.parse(sent[0].input.input as string)).toEqual({
    executionDate: '2026-11-19', categories: ['books', 'toys'], hyperparameters: { window: '14', level_weight: '0.3' }, experiment: true, trigger: 'manual',
  });
  expect(r.out).toMatch(/Started training of demand \(experiment\): arn:aws:states/);
  expect(r.out).toMatch(/https:\/\/eu-west-1.console.aws.amazon.com\/states/);
});

test('train finds the state machine through the platform SSM parameter', async () => {
  const { client, sent } = stubSfn([[]], { status: 'SUCCEEDED' });
  const names: string[] = [];
  const ssm = { send: async (c: { input: { Name: string } }) => { names.push(c.input.Name); return { Parameter: { Value: ARN } }; } };
  const r = await run(['train', 'demand', '--json'], { sfn: client, ssm: ssm as never, env: { MLOPS_PLATFORM: 'prod' } });
  expect(r.code).toBe(0);
  expect(names).toEqual(['/cdk-mlops/prod/models/demand/training-state-machine-arn']);
  expect(JSON.parse(r.out)).toMatchObject({ executionArn: EXEC, input: { experiment: false, trigger: 'manual' } });
  expect(JSON.parse(sent[0].input.input as string)).toEqual({ experiment: false, trigger: 'manual' });
});

test('--watch prints each state as it starts and ends, then succeeds', async () => {
  const { client } = stubSfn([
    [ev(1, 'ExecutionStarted', {}), ev(2, 'TaskStateEntered', { stateEnteredEventDetails: { name: 'Plan' } })],
    [ev(3, 'TaskStateExited', { stateExitedEventDetails: { name: 'Plan' } }), ev(4, 'MapStateEntered', { stateEnteredEventDetails: { name: 'Categories' } })],
    [ev(5, 'MapStateExited', { stateExitedEventDetails: { name: 'Categories' } }), ev(6, 'ExecutionSucceeded', {})],
  ], { status: 'SUCCEEDED' });
  const r = await run(['train', 'demand', '--watch'], { sfn: client, env, sleep: noSleep });
  expect(r.code).toBe(0);
  const progress = r.out.split('\n').filter((l) => /started|finished/.test(l) && !l.startsWith('Started')).map((l) => l.slice(10).replace(/\s+/g, ' '));
  expect(progress).toEqual(['started Plan', 'finished Plan', 'started Categories', 'finished Categories']);
  expect(r.out).toMatch(/Execution SUCCEEDED\.$/);
});

test('--watch exits 4 with the failure and what to do when the execution fails', async () => {
  const { client } = stubSfn([
    [ev(1, 'TaskStateEntered', { stateEnteredEventDetails: { name: 'Train' } })],
    [ev(2, 'TaskFailed', { taskFailedEventDetails: { resourceType: 'sagemaker', resource: 'createTrainingJob.sync', error: 'AlgorithmError', cause: 'no CSV file' } })],
  ], { status: 'FAILED', error: 'States.TaskFailed', cause: 'Train failed' });
  const r = await run(['train', 'demand', '--watch'], { sfn: client, env, sleep: noSleep });
  expect(r.code).toBe(EXIT.other);
  expect(r.out).toMatch(/FAILED\s+TaskFailed: AlgorithmError \(no CSV file\)/);
  expect(r.out).toMatch(/Execution FAILED: States.TaskFailed \(Train failed\)/);
  expect(r.err).toMatch(/fix: see the failed run with `mlops runs demand --status FAILED --since 1d`/);
});

test('bad --set, --date and a missing pipeline are reported with the fix', async () => {
  const { client, sent } = stubSfn([[]], { status: 'SUCCEEDED' });
  expect((await run(['train', 'demand', '--set', 'window'], { sfn: client, env })).err).toMatch(/--set window is not key=value.*\nfix: write e.g. --set window=14/);
  expect((await run(['train', 'demand', '--date', '20/11/2026'], { sfn: client, env })).code).toBe(EXIT.usage);
  expect(sent).toHaveLength(0);
  const missing = { send: async () => { throw Object.assign(new Error('State Machine Does Not Exist'), { name: 'StateMachineDoesNotExist' }); } };
  const r = await run(['train', 'demand'], { sfn: missing as never, env });
  expect(r.code).toBe(EXIT.notFound);
  expect(r.err).toMatch(/training pipeline of model "demand" does not exist/);
});
