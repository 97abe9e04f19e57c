// `mlops logs` and `mlops stop` (issue 11 §3) with the real Step Functions, SageMaker, Batch and
// CloudWatch Logs clients against the loopback AWS stub (MLOPS_ENDPOINT_*), and the registry in
// DynamoDB Local. Executions, their histories, jobs and log streams are what the services would hold.
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { EXIT } from '../../cli/errors';
import { AwsStub, StubExecution } from '../support/aws-stub-server';
import { createLocalTable, localDoc } from '../support/dynamo';
import { run } from './support';

const MODEL = 'demand';
const T0 = Date.parse('2026-11-24T05:00:00Z');
const ARN = (name: string) => `arn:aws:states:us-east-1:123456789012:execution:demand-training:${name}`;
const SM = ARN('manual-sagemaker');
const BATCH = ARN('manual-batch');
const BOOKS = 'demand-books-20261124-aaaaaa';
const TOYS = 'demand-toys-20261124-bbbbbb';
const GAMES = 'demand-games-20261124-cccccc';
const REJECTED = 'demand-garden-20261124-dddddd';
const SM_LOGS = '/aws/sagemaker/TrainingJobs';

let stub: AwsStub;
let registry: ModelRegistryClient;
let env: Record<string, string>;
const cli = (...argv: string[]) => run(argv, { registry, env });

/** History events as Step Functions returns them (JSON 1.0: times in epoch seconds). */
function history(events: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return [{ type: 'ExecutionStarted' }, ...events].map((e, i) => ({ id: i + 1, previousEventId: i, timestamp: (T0 + i * 1000) / 1000, ...e }));
}
const sageMakerScheduled = (job: string) => ({
  type: 'TaskScheduled',
  taskScheduledEventDetails: { resourceType: 'sagemaker', resource: 'createTrainingJob.sync', region: 'us-east-1', parameters: JSON.stringify({ TrainingJobName: job, RoleArn: 'r' }) },
});
const batchSubmitted = (job: string, id: string) => ({
  type: 'TaskSubmitted',
  taskSubmittedEventDetails: { resourceType: 'batch', resource: 'submitJob.sync', output: JSON.stringify({ JobArn: `arn:aws:batch:us-east-1:123456789012:job/${id}`, JobId: id, JobName: job }) },
});
const execution = (name: string, events: Array<Record<string, unknown>>): StubExecution =>
  ({ status: 'RUNNING', stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:demand-training', name, startDate: T0, history: history(events) });
const lines = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ timestamp: T0 + i * 1000, message: `${prefix} line ${i + 1}` }));

beforeAll(async () => {
  stub = await AwsStub.start();
  env = { MLOPS_ENDPOINT_SFN: stub.url, MLOPS_ENDPOINT_SAGEMAKER: stub.url, MLOPS_ENDPOINT_BATCH: stub.url, MLOPS_ENDPOINT_LOGS: stub.url };
  registry = new ModelRegistryClient({ tableName: await createLocalTable('cli-logs', REGISTRY_SCHEMA), doc: localDoc(), now: () => new Date(T0) });
  for (const [runId, category, executionArn] of [[BOOKS, 'books', SM], [TOYS, 'toys', SM], [REJECTED, 'garden', SM], [GAMES, 'games', BATCH]]) {
    await registry.startRun({ runId, model: MODEL, category, executionArn, trigger: 'manual' });
  }
  await registry.finishRun({ runId: REJECTED, status: 'FAILED', failureCause: 'data validation: DataValidationFailed: 0 rows under demand/garden/2026-11-24/' });
  await registry.startRun({ runId: 'other-model-run', model: 'churn', category: 'books' });

  // SageMaker execution: books failed for capacity on attempt 1 and trains as attempt 2; toys trains.
  stub.executions.set(SM, execution('manual-sagemaker', [sageMakerScheduled(`${BOOKS}-1`), sageMakerScheduled(`${TOYS}-1`), sageMakerScheduled(`${BOOKS}-2`)]));
  stub.trainingJobs.set(`${BOOKS}-1`, { TrainingJobName: `${BOOKS}-1`, TrainingJobStatus: 'Failed', FailureReason: 'CapacityError: Unable to provision requested ML compute capacity' });
  stub.trainingJobs.set(`${BOOKS}-2`, { TrainingJobName: `${BOOKS}-2`, TrainingJobStatus: 'InProgress' });
  stub.trainingJobs.set(`${TOYS}-1`, { TrainingJobName: `${TOYS}-1`, TrainingJobStatus: 'InProgress' });
  stub.putLogEvents(SM_LOGS, `${BOOKS}-1/algo-1-1764046800`, lines(3, 'books attempt 1'));
  stub.putLogEvents(SM_LOGS, `${BOOKS}-2/algo-1-1764047400`, lines(80, 'books attempt 2'));
  stub.putLogEvents(SM_LOGS, `${TOYS}-1/algo-1-1764047000`, lines(4, 'toys'));

  // Batch execution: games runs as job-games.
  stub.executions.set(BATCH, execution('manual-batch', [batchSubmitted(`${GAMES}-1`, 'job-games')]));
  stub.batchJobs.set('job-games', {
    jobId: 'job-games', jobName: `${GAMES}-1`, jobQueue: 'q', jobDefinition: 'd', status: 'RUNNING', createdAt: T0,
    container: { image: 'i', logStreamName: 'demand/default/games-task', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/mlops/demand/training' } } },
  });
  stub.putLogEvents('/mlops/demand/training', 'demand/default/games-task', lines(3, 'games'));
});
afterAll(() => stub.close());

describe('mlops logs', () => {
  test('prints the tail of the run\'s latest job log (SageMaker: its first instance\'s stream), newest last', async () => {
    const r = await cli('logs', MODEL, '--run', BOOKS, '--lines', '3');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe([
      `==> ${BOOKS}: job ${BOOKS}-2 (sagemaker), ${SM_LOGS} ${BOOKS}-2/algo-1-1764047400, last 3 line(s) <==`,
      '2026-11-24 05:01:17  books attempt 2 line 78',
      '2026-11-24 05:01:18  books attempt 2 line 79',
      '2026-11-24 05:01:19  books attempt 2 line 80',
    ].join('\n'));
    expect(stub.callsOf('Logs_20140328.GetLogEvents').at(-1)).toEqual({ logGroupName: SM_LOGS, logStreamName: `${BOOKS}-2/algo-1-1764047400`, limit: 3, startFromHead: false });
    // 50 lines by default.
    expect((await cli('logs', MODEL, '--run', BOOKS)).out.split('\n')).toHaveLength(51);
  });

  test('an execution name picks the run by --category; a Batch job\'s stream comes from DescribeJobs', async () => {
    const ambiguous = await cli('logs', MODEL, '--run', 'manual-sagemaker');
    expect(ambiguous.code).toBe(EXIT.usage);
    expect(ambiguous.err).toMatch(/execution manual-sagemaker trained 3 categories \(books, garden, toys\); say which one\nfix: add --category, e.g. `mlops logs demand --run manual-sagemaker --category books`/);
    expect((await cli('logs', MODEL, '--run', 'manual-sagemaker', '--category', 'toys')).out).toMatch(new RegExp(`job ${TOYS}-1 \\(sagemaker\\)[\\s\\S]*toys line 4$`));

    const batch = await cli('logs', MODEL, '--run', BATCH, '--json');
    expect(batch.code).toBe(0);
    expect(JSON.parse(batch.out)).toEqual({
      runId: GAMES, job: `${GAMES}-1`, engine: 'batch', logGroup: '/mlops/demand/training', logStream: 'demand/default/games-task',
      events: [1, 2, 3].map((i) => ({ timestamp: new Date(T0 + (i - 1) * 1000).toISOString(), message: `games line ${i}` })),
    });
    expect(stub.callsOf('batch.DescribeJobs')).toContainEqual({ jobs: ['job-games'] });
  });

  test('not found (exit 2): an unknown run, another model\'s run, a run that never trained, a job with no log yet', async () => {
    const unknown = await cli('logs', MODEL, '--run', 'no-such-run');
    expect(unknown).toMatchObject({ code: EXIT.notFound, err: expect.stringMatching(/no run or execution "no-such-run" of model "demand"\nfix: list the runs with `mlops runs demand`/) });
    expect((await cli('logs', MODEL, '--run', 'other-model-run')).err).toMatch(/run other-model-run is a run of model "churn", not "demand"/);
    const rejected = await cli('logs', MODEL, '--run', REJECTED);
    expect(rejected).toMatchObject({ code: EXIT.notFound, err: expect.stringMatching(/run .* has no training job: it ended before training \(data validation: DataValidationFailed: 0 rows/) });

    stub.executions.get(SM)!.history.push({ id: 99, timestamp: T0 / 1000, ...sageMakerScheduled(`${TOYS}-2`) });
    const starting = await cli('logs', MODEL, '--run', TOYS);
    expect(starting).toMatchObject({ code: EXIT.notFound, err: expect.stringMatching(new RegExp(`job ${TOYS}-2 of run ${TOYS} has not written a log yet\\nfix: its instance is starting`)) });
    stub.executions.get(SM)!.history.pop();
  });

  test('refuses a --lines outside 1-10000, and a missing --run', async () => {
    expect((await cli('logs', MODEL, '--run', BOOKS, '--lines', '0')).err).toMatch(/--lines 0 is not a number from 1 to 10000/);
    expect((await cli('logs', MODEL)).err).toMatch(/--run is required\nfix: add --run <run-id>/);
  });

  test('is listed in the help', async () => {
    expect((await cli('--help')).out).toMatch(/\n {2}logs {2,}Print the tail of a run's training job log/);
    expect((await cli('logs', '--help')).out).toMatch(/^mlops logs <model> --run <run-id> \[--category <category>\] \[--lines <n>\]/);
  });
});

describe('mlops stop', () => {
  test('stops the execution, then each of its jobs still running; a second stop is a conflict (exit 3)', async () => {
    const r = await run(['stop', MODEL, '--run', BOOKS, '--reason', 'wrong data', '--actor', 'alice'], { registry, env });
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(stub.callsOf('AWSStepFunctions.StopExecution')).toEqual([{ executionArn: SM, error: 'StoppedByUser', cause: 'alice: wrong data' }]);
    expect(stub.executions.get(SM)).toMatchObject({ status: 'ABORTED', cause: 'alice: wrong data' });
    // The job that had already failed is left alone.
    expect(stub.callsOf('SageMaker.StopTrainingJob')).toEqual([{ TrainingJobName: `${TOYS}-1` }, { TrainingJobName: `${BOOKS}-2` }]);
    expect(stub.trainingJobs.get(`${BOOKS}-2`)?.TrainingJobStatus).toBe('Stopping');
    expect(r.out).toBe([
      `Stopped execution ${SM} (alice: wrong data).`,
      `Stopped jobs: ${TOYS}-1 (sagemaker), ${BOOKS}-2 (sagemaker).`,
      'Its RUNNING runs are closed as FAILED once the pipeline sees the execution end: `mlops runs demand --since 1d`.',
    ].join('\n'));

    const again = await cli('stop', MODEL, '--run', BOOKS);
    expect(again.code).toBe(EXIT.conflict);
    expect(again.err).toMatch(/execution .*manual-sagemaker already ended \(ABORTED\); nothing to stop/);
    expect(stub.callsOf('AWSStepFunctions.StopExecution')).toHaveLength(1);
  });

  test('Batch: terminates the running job of an execution named by its ARN', async () => {
    const r = await run(['stop', MODEL, '--run', BATCH, '--json'], { registry, env: { ...env, MLOPS_ACTOR: 'bob' } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ executionArn: BATCH, stopped: [{ engine: 'batch', name: `${GAMES}-1`, id: 'job-games' }], alreadyEnded: [], failed: [] });
    expect(stub.callsOf('batch.TerminateJob')).toEqual([{ jobId: 'job-games', reason: 'bob: stopped with mlops stop' }]);
    expect(stub.batchJobs.get('job-games')).toMatchObject({ status: 'FAILED', statusReason: 'bob: stopped with mlops stop' });
  });

  test('not found (exit 2): an unknown run, a run whose execution no longer exists', async () => {
    expect((await cli('stop', MODEL, '--run', 'no-such-run')).code).toBe(EXIT.notFound);
    await registry.startRun({ runId: 'demand-books-20260801-eeeeee', model: MODEL, category: 'books', executionArn: ARN('expired') });
    const gone = await cli('stop', MODEL, '--run', 'demand-books-20260801-eeeeee');
    expect(gone).toMatchObject({ code: EXIT.notFound, err: expect.stringMatching(/execution .*:expired does not exist/) });
  });
});
