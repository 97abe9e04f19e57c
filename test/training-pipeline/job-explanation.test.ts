// Ended training jobs are explained on their runs (issue 11 §3): the execution-ended handler
// describes the job with the real SageMaker and Batch clients against the loopback AWS stub,
// reads the staging wrapper's failure file from the S3 emulator and records it in DynamoDB Local;
// `mlops runs` then shows it. The construct routes exactly these events and grants exactly these reads.
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { BatchClient } from '@aws-sdk/client-batch';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { layout } from '../../lambda/shared/contract';
import { TrainingDeps } from '../../lambda/shared/training/deps';
import { JobClients } from '../../lambda/shared/training/job-ended';
import { executionEnded } from '../../lambda/training-execution-ended';
import { GpuBatchCompute } from '../../lib/gpu-batch-compute';
import { TrainingBackend, TrainingImage } from '../../lib/training-pipeline';
import { run as cli } from '../cli/support';
import { AwsStub } from '../support/aws-stub-server';
import { nagFindings } from '../support/cdk';
import { MODEL, pipelineStack } from './harness';
import { localDeps } from './local-deps';

const REGION = 'eu-west-1';
const T0 = Date.parse('2026-11-24T05:00:00Z');
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:demand-forecast-training:manual-1';
let stub: AwsStub;
let clients: JobClients;
let n = 0;

beforeAll(async () => {
  stub = await AwsStub.start();
  const options = { endpoint: stub.url, region: REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  clients = { sageMaker: new SageMakerClient(options), batch: new BatchClient(options) };
});
afterAll(() => stub.close());

/** Handler deps on a fresh registry and artifacts bucket, with one run of MODEL (books) started, and FAILED unless asked otherwise. */
async function setup(runId: string, status: 'RUNNING' | 'FAILED' = 'FAILED'): Promise<TrainingDeps> {
  const base = await localDeps();
  const deps = { ...base, artifactsBucket: `artifacts-explain-${process.pid}-${n++}` };
  await deps.s3.send(new CreateBucketCommand({ Bucket: deps.artifactsBucket }));
  await deps.registry.startRun({ runId, model: MODEL, category: 'books', executionArn: EXECUTION, trigger: 'schedule' });
  if (status === 'FAILED') await deps.registry.finishRun({ runId, status, failureCause: 'Train: States.TaskFailed: see the job' });
  return deps;
}

const sageMakerEvent = (name: string, status = 'Failed') =>
  ({ 'detail-type': 'SageMaker Training Job State Change' as const, 'detail': { TrainingJobName: name, TrainingJobStatus: status } });

function failedSageMakerJob(name: string): Record<string, unknown> {
  const s = (m: number) => (T0 + m * 60_000) / 1000;
  return {
    TrainingJobName: name, TrainingJobArn: `arn:aws:sagemaker:${REGION}:123456789012:training-job/${name}`,
    TrainingJobStatus: 'Failed', SecondaryStatus: 'Failed',
    FailureReason: 'AlgorithmError: ExecuteUserScriptError: ValueError: column "sales" has 3 empty values, exit code: 1',
    SecondaryStatusTransitions: [
      { Status: 'Starting', StartTime: s(0), EndTime: s(2), StatusMessage: 'Preparing the instances for training' },
      { Status: 'Downloading', StartTime: s(2), EndTime: s(3), StatusMessage: 'Downloading input data' },
      { Status: 'Training', StartTime: s(3), EndTime: s(9), StatusMessage: 'Training image download completed. Training in progress.' },
      { Status: 'Failed', StartTime: s(9), EndTime: s(9), StatusMessage: 'Training job failed' },
    ],
    BillableTimeInSeconds: 412, CreationTime: s(0),
  };
}

describe('a failed SageMaker job', () => {
  test('its failure reason, status history, billable seconds and log link are recorded on the run, and `mlops runs` shows them', async () => {
    const runId = `${MODEL}-books-20261124-a1b2c3`;
    const deps = await setup(runId);
    stub.trainingJobs.set(`${runId}-2`, failedSageMakerJob(`${runId}-2`));

    const res = await executionEnded(sageMakerEvent(`${runId}-2`), deps, clients);

    expect(res).toMatchObject({ runId, recorded: true });
    expect(stub.callsOf('SageMaker.DescribeTrainingJob')).toContainEqual({ TrainingJobName: `${runId}-2` });
    const run = (await deps.registry.getRun(runId))!;
    expect(run.job).toEqual({
      engine: 'sagemaker', name: `${runId}-2`, attempt: 2, status: 'Failed',
      failureReason: 'AlgorithmError: ExecuteUserScriptError: ValueError: column "sales" has 3 empty values, exit code: 1',
      statusHistory: [
        { status: 'Starting', at: '2026-11-24T05:00:00.000Z', until: '2026-11-24T05:02:00.000Z', message: 'Preparing the instances for training' },
        { status: 'Downloading', at: '2026-11-24T05:02:00.000Z', until: '2026-11-24T05:03:00.000Z', message: 'Downloading input data' },
        { status: 'Training', at: '2026-11-24T05:03:00.000Z', until: '2026-11-24T05:09:00.000Z', message: 'Training image download completed. Training in progress.' },
        { status: 'Failed', at: '2026-11-24T05:09:00.000Z', until: '2026-11-24T05:09:00.000Z', message: 'Training job failed' },
      ],
      billableSeconds: 412,
      consoleUrl: `https://${REGION}.console.aws.amazon.com/sagemaker/home?region=${REGION}#/jobs/${runId}-2`,
      logGroup: '/aws/sagemaker/TrainingJobs',
      logStream: `${runId}-2/algo-1-`,
    });
    expect(run.logUrl).toBe(`https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#logsV2:log-groups/log-group/$252Faws$252Fsagemaker$252FTrainingJobs$3FlogStreamNameFilter$3D${runId}-2$252Falgo-1-`);
    // The run's status and cause are the branch's to set; the job record adds to them.
    expect(run).toMatchObject({ status: 'FAILED', failureCause: 'Train: States.TaskFailed: see the job' });

    const shown = await cli(['runs', MODEL, '--status', 'FAILED'], { registry: deps.registry, now: () => new Date(T0 + 3_600_000) });
    expect(shown.code).toBe(0);
    expect(shown.out).toContain([
      `Latest failure (${runId}): Train: States.TaskFailed: see the job`,
      `Job ${runId}-2 (sagemaker, Failed, 412 billable seconds): AlgorithmError: ExecuteUserScriptError: ValueError: column "sales" has 3 empty values, exit code: 1`,
      '  2026-11-24 05:00  Starting     Preparing the instances for training',
      '  2026-11-24 05:02  Downloading  Downloading input data',
      '  2026-11-24 05:03  Training     Training image download completed. Training in progress.',
      '  2026-11-24 05:09  Failed       Training job failed',
      `Console: https://${REGION}.console.aws.amazon.com/sagemaker/home?region=${REGION}#/jobs/${runId}-2`,
      `Logs: ${run.logUrl}`,
      `Tail: mlops logs ${MODEL} --run ${runId}`,
    ].join('\n'));
    expect(JSON.parse((await cli(['runs', MODEL, '--json'], { registry: deps.registry })).out)[0]).toMatchObject({ runId, logUrl: run.logUrl, job: { billableSeconds: 412 } });
  });

  test('a late event of an earlier attempt does not replace the later one; a redelivered event is a no-op', async () => {
    const runId = `${MODEL}-books-20261124-d4e5f6`;
    const deps = await setup(runId);
    stub.trainingJobs.set(`${runId}-1`, { ...failedSageMakerJob(`${runId}-1`), FailureReason: 'CapacityError: Unable to provision requested ML compute capacity' });
    stub.trainingJobs.set(`${runId}-2`, failedSageMakerJob(`${runId}-2`));
    await executionEnded(sageMakerEvent(`${runId}-2`), deps, clients);
    expect(await executionEnded(sageMakerEvent(`${runId}-1`), deps, clients)).toMatchObject({ recorded: false });
    expect(await executionEnded(sageMakerEvent(`${runId}-2`), deps, clients)).toMatchObject({ recorded: true });
    expect((await deps.registry.getRun(runId))?.job).toMatchObject({ attempt: 2, failureReason: expect.stringMatching(/^AlgorithmError/) });
  });

  test('jobs of another model sharing the name prefix, and jobs of unknown runs, are skipped without a describe', async () => {
    const deps = await setup(`${MODEL}-books-20261124-0a0b0c`);
    const before = stub.callsOf('SageMaker.DescribeTrainingJob').length;
    expect(await executionEnded(sageMakerEvent(`${MODEL}-books-20261124-ffffff-1`), deps, clients)).toMatchObject({ recorded: false, skipped: expect.stringMatching(/^no run/) });
    expect(await executionEnded(sageMakerEvent('score-20261124-1'), deps, clients)).toMatchObject({ recorded: false });
    await deps.registry.startRun({ runId: 'demand-forecast-x-books-20261124-abcdef', model: 'demand-forecast-x', category: 'books' });
    expect(await executionEnded(sageMakerEvent('demand-forecast-x-books-20261124-abcdef-1'), deps, clients)).toMatchObject({ recorded: false });
    expect(stub.callsOf('SageMaker.DescribeTrainingJob')).toHaveLength(before);
  });

  test('a succeeded job fills the run\'s logUrl, with no failure reason; the evaluation finishing the run later keeps it', async () => {
    const runId = `${MODEL}-books-20261124-123456`;
    // The job's event usually arrives while the branch still evaluates: the run is RUNNING.
    const deps = await setup(runId, 'RUNNING');
    stub.trainingJobs.set(`${runId}-1`, {
      ...failedSageMakerJob(`${runId}-1`), TrainingJobStatus: 'Completed', SecondaryStatus: 'Completed', FailureReason: undefined, BillableTimeInSeconds: 95,
    });
    await executionEnded(sageMakerEvent(`${runId}-1`, 'Completed'), deps, clients);
    await deps.registry.finishRun({ runId, status: 'SUCCEEDED', metrics: { rmse: 0.4 }, version: 1 });
    const run = (await deps.registry.getRun(runId))!;
    expect(run).toMatchObject({ status: 'SUCCEEDED', version: 1, logUrl: expect.stringContaining(`$3FlogStreamNameFilter$3D${runId}-1$252Falgo-1-`), job: { status: 'Completed', billableSeconds: 95 } });
    expect(run.job?.failureReason).toBeUndefined();
  });
});

describe('a failed Batch job', () => {
  test('the reason joins the status reason, the container\'s reason and the staging wrapper\'s failure file', async () => {
    const runId = `${MODEL}-toys-20261124-abc123`;
    const deps = await setup(runId);
    const stream = 'demand-forecast/default/0f1e2d3c4b5a';
    stub.batchJobs.set('job-0001', {
      jobId: 'job-0001', jobName: `${runId}-1`, jobArn: `arn:aws:batch:${REGION}:123456789012:job/job-0001`, jobQueue: 'q', jobDefinition: 'd',
      status: 'FAILED', statusReason: 'Essential container in task exited', createdAt: T0, startedAt: T0 + 60_000, stoppedAt: T0 + 300_000,
      container: {
        image: 'i', exitCode: 1, reason: 'OutOfMemoryError: Container killed due to memory usage', logStreamName: stream,
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/mlops/demand-forecast/training' } },
      },
      attempts: [
        { container: { exitCode: 137, logStreamName: 'old', reason: 'Host EC2 (instance i-1) terminated.' }, startedAt: T0, stoppedAt: T0 + 30_000, statusReason: 'Spot instance reclaimed' },
        { container: { exitCode: 1, logStreamName: stream }, startedAt: T0 + 60_000, stoppedAt: T0 + 300_000, statusReason: 'Essential container in task exited' },
      ],
    });
    const key = `${layout.runPrefix(MODEL, runId, false)}${runId}-1/output/failure`;
    await deps.s3.send(new PutObjectCommand({ Bucket: deps.artifactsBucket, Key: key, Body: 'training command ["python3", "/app/train.py"] exited with 1\n' }));

    await executionEnded({ 'detail-type': 'Batch Job State Change', 'detail': { jobName: `${runId}-1`, jobId: 'job-0001', status: 'FAILED' } }, deps, clients);

    expect(stub.callsOf('batch.DescribeJobs')).toContainEqual({ jobs: ['job-0001'] });
    const run = (await deps.registry.getRun(runId))!;
    expect(run.job).toEqual({
      engine: 'batch', name: `${runId}-1`, id: 'job-0001', attempt: 1, status: 'FAILED',
      failureReason: 'Essential container in task exited; OutOfMemoryError: Container killed due to memory usage; training command ["python3", "/app/train.py"] exited with 1',
      statusHistory: [
        { status: 'attempt 1: exit 137', at: '2026-11-24T05:00:00.000Z', until: '2026-11-24T05:00:30.000Z', message: 'Spot instance reclaimed; Host EC2 (instance i-1) terminated.' },
        { status: 'attempt 2: exit 1', at: '2026-11-24T05:01:00.000Z', until: '2026-11-24T05:05:00.000Z', message: 'Essential container in task exited' },
      ],
      billableSeconds: 270,
      consoleUrl: `https://${REGION}.console.aws.amazon.com/batch/home?region=${REGION}#jobs/detail/job-0001`,
      logGroup: '/mlops/demand-forecast/training',
      logStream: stream,
    });
    expect(run.logUrl).toBe(`https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#logsV2:log-groups/log-group/$252Fmlops$252Fdemand-forecast$252Ftraining/log-events/demand-forecast$252Fdefault$252F0f1e2d3c4b5a`);
  });

  test('without a failure file (the wrapper never ran), the reason is what Batch says', async () => {
    const runId = `${MODEL}-toys-20261124-fed987`;
    const deps = await setup(runId);
    stub.batchJobs.set('job-0002', {
      jobId: 'job-0002', jobName: `${runId}-1`, jobArn: `arn:aws:batch:${REGION}:123456789012:job/job-0002`, jobQueue: 'q', jobDefinition: 'd',
      status: 'FAILED', statusReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)', createdAt: T0, attempts: [], container: { image: 'i' },
    });
    await executionEnded({ 'detail-type': 'Batch Job State Change', 'detail': { jobName: `${runId}-1`, jobId: 'job-0002', status: 'FAILED' } }, deps, clients);
    const run = (await deps.registry.getRun(runId))!;
    expect(run.job).toMatchObject({ failureReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)', logGroup: '/aws/batch/job', logStream: '', statusHistory: [] });
    expect(run.logUrl).toBe(`https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#logsV2:log-groups/log-group/$252Faws$252Fbatch$252Fjob`);
  });
});

describe('the construct', () => {
  const image = TrainingImage.fromRegistry('123456789012.dkr.ecr.us-east-1.amazonaws.com/demand@sha256:abc');
  // The training step functions share one role (TrainingPipeline.functionRole): the handler's grants land there.
  const endedPolicy = (template: ReturnType<typeof pipelineStack>['template']) => {
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^TrainingFunctionRole') }] } });
    return JSON.stringify(Object.values(policies).map((p) => p.Properties.PolicyDocument.Statement));
  };

  test('SageMaker: job end events of the model\'s jobs reach the handler, which may describe only those jobs', () => {
    const { template } = pipelineStack();
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.sagemaker'], 'detail-type': ['SageMaker Training Job State Change'],
        'detail': { TrainingJobStatus: ['Completed', 'Failed', 'Stopped'], TrainingJobName: [{ prefix: `${MODEL}-` }] },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrainingExecutionEndedFunction'), 'Arn'] } })],
    });
    const policy = endedPolicy(template);
    expect(policy).toContain('"Action":"sagemaker:DescribeTrainingJob"');
    expect(policy).toContain(`:training-job/${MODEL}-*"`);
    expect(policy).not.toMatch(/batch:|sagemaker:(Stop|Create|List)/);
  });

  test('Batch: job end events reach the handler, which may describe jobs and read only the failure files', () => {
    const stack = new Stack();
    const { template } = pipelineStack({ backend: TrainingBackend.batch({ compute: new GpuBatchCompute(stack, 'Gpu'), image, command: ['python3', 'train.py'] }) }, stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.batch'], 'detail-type': ['Batch Job State Change'], 'detail': { status: ['SUCCEEDED', 'FAILED'], jobName: [{ prefix: `${MODEL}-` }] } },
    });
    const policy = endedPolicy(template);
    expect(policy).toContain('{"Action":"batch:DescribeJobs","Effect":"Allow","Resource":"*"}');
    expect(policy).toContain(`/runs/${MODEL}/*/output/failure"`);
    expect(policy).toContain(`/experiments/${MODEL}/*/output/failure"`);
    expect(policy).toContain('"Action":"kms:Decrypt"');
    expect(policy).not.toMatch(/sagemaker:|batch:TerminateJob/);
  });

  test('cdk-nag stays clean on both engines', () => {
    expect(nagFindings((app) => {
      pipelineStack({}, new Stack(app, 'SageMaker'));
      const s = new Stack(app, 'Batch', { env: { account: '111111111111', region: 'eu-west-1' } });
      pipelineStack({ backend: TrainingBackend.batch({ compute: new GpuBatchCompute(s, 'Gpu'), image, command: ['python3', 'train.py'] }) }, s);
    })).toEqual([]);
  });
});
