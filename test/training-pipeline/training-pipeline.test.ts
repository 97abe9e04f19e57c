import { Duration, Stack, TimeZone, Token } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { TRAINING_ENV, TRAINING_STATES as S } from '../../lambda/shared/training/constants';
import { BatchInference } from '../../lib/batch-inference/batch-inference';
import { DataLake } from '../../lib/data-lake';
import { GpuBatchCompute } from '../../lib/gpu-batch-compute';
import { MetricDirection, PromotionMode, TrainingBackend, TrainingImage } from '../../lib/training-pipeline';
import { AslDefinition, extractDefinition, resolveIntrinsics, validateDefinition } from '../../local/asl';
import { nagFindings, testStack } from '../support/cdk';
import { CATEGORIES, MODEL, pipelineStack } from './harness';

const image = TrainingImage.fromRegistry('123456789012.dkr.ecr.us-east-1.amazonaws.com/demand@sha256:abc');

function states(def: AslDefinition): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const out: Record<string, any> = {}; // eslint-disable-line @typescript-eslint/no-explicit-any
  const walk = (d: AslDefinition) => {
    for (const [n, s] of Object.entries(d.States)) {
      out[n] = s;
      if (s.ItemProcessor) walk(s.ItemProcessor as AslDefinition);
    }
  };
  walk(def);
  return out;
}

function batchStack() {
  const stack = testStack();
  const compute = new GpuBatchCompute(stack, 'Gpu', { maxvCpus: 32 });
  return { compute, ...pipelineStack({ backend: TrainingBackend.batch({ compute, image, command: ['python3', '/app/train.py'], vcpus: 8, gpus: 1, memoryMiB: 30000 }) }, stack) };
}


describe('TrainingPipeline state machine', () => {
  const { template } = pipelineStack();
  const json = template.toJSON();
  const def = extractDefinition(json);
  const all = states(def);

  test('is a valid JSONPath definition (asl-validator) with every Task bounded by a timeout', () => {
    expect(() => validateDefinition(def)).not.toThrow();
    expect(JSON.stringify(def)).not.toContain('JSONata');
    const tasks = Object.entries(all).filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThanOrEqual(10);
    for (const [name, s] of tasks) expect([name, typeof s.TimeoutSeconds]).toEqual([name, 'number']);
  });

  test('is a Standard state machine logging ALL to a log group with retention, traced, with an execution timeout', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
    // The worst case of 3 categories in 1 wave: 3 attempts x (8 h maxWait + 1 h) + 8 h capacity wait + 3 min backoff + 2 h of steps, + 1 h.
    expect(def.TimeoutSeconds).toBe(3 * 9 * 3600 + 8 * 3600 + 180 + 2 * 3600 + 3600);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('fans out over the categories with the configured concurrency, catching every failure per category', () => {
    expect(all[S.map]).toMatchObject({ Type: 'Map', ItemsPath: '$.runs', MaxConcurrency: 4, ResultPath: '$.results' });
    for (const name of [S.startRun, S.train, S.evaluate, S.gate, S.promote]) {
      expect(all[name].Catch).toEqual(expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['States.ALL'] })]));
    }
    expect(all[S.recordFailure].Catch[0].Next).toBe(S.failureNotRecorded);
  });

  test('retries Lambda service errors and throttling with backoff', () => {
    for (const name of [S.plan, S.validateData, S.evaluate, S.gate, S.summarize]) {
      expect(all[name].Retry[0]).toMatchObject({
        ErrorEquals: expect.arrayContaining(['Lambda.ServiceException', 'Lambda.TooManyRequestsException']),
        BackoffRate: 2, MaxAttempts: 6, JitterStrategy: 'FULL',
      });
    }
  });

  test('trains with managed Spot, checkpointing, KMS on volumes and outputs and network isolation', () => {
    const train = all[S.train];
    expect(train.Resource).toBe('arn:aws:states:::sagemaker:createTrainingJob.sync');
    expect(train.Parameters).toMatchObject({
      'EnableManagedSpotTraining': true,
      'StoppingCondition': { MaxRuntimeInSeconds: 4 * 3600, MaxWaitTimeInSeconds: 8 * 3600 },
      'CheckpointConfig': { 'S3Uri.$': '$.checkpointUri', 'LocalPath': '/opt/ml/checkpoints' },
      'EnableNetworkIsolation': true,
      'EnableInterContainerTrafficEncryption': false,
      'OutputDataConfig': { 'KmsKeyId': expect.stringMatching(/^arn:aws:kms:/), 'CompressionType': 'NONE', 'S3OutputPath.$': '$.outputUri' },
      'ResourceConfig': { InstanceType: 'ml.g5.xlarge', InstanceCount: 1 },
      'Environment': { 'MLOPS_MODEL.$': '$.model', 'MLOPS_CATEGORY.$': '$.category', 'MLOPS_RUN_ID.$': '$.runId', 'MLOPS_EXECUTION_DATE.$': '$.executionDate' },
      'TrainingJobName.$': '$.job.name',
    });
    // g5 has local NVMe storage, encrypted by the instance; SageMaker rejects a volume key for it.
    expect(train.Parameters.ResourceConfig.VolumeKmsKeyId).toBeUndefined();
    expect(train.TimeoutSeconds).toBe(8 * 3600 + 3600);
  });

  test('encrypts the volume with KMS and the traffic between instances for multi-instance jobs without local storage', () => {
    const { template: t } = pipelineStack({ backend: TrainingBackend.sageMaker({ image, instanceType: 'ml.m5.2xlarge', instanceCount: 2, spot: false }) });
    const train = states(extractDefinition(t.toJSON()))[S.train];
    expect(train.Parameters.ResourceConfig.VolumeKmsKeyId).toMatch(/^arn:aws:kms:/);
    expect(train.Parameters.EnableInterContainerTrafficEncryption).toBe(true);
    expect(train.Parameters.EnableManagedSpotTraining).toBe(false);
    expect(train.Parameters.CheckpointConfig).toBeUndefined();
  });

  test('state machine IAM: training jobs of this model only, PassRole of the training role to SageMaker only', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const sm = Object.entries(policies).find(([id]) => id.startsWith('TrainingRole'))![1] as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const statements = sm.Properties.PolicyDocument.Statement as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    const create = statements.find((s) => [].concat(s.Action).includes('sagemaker:CreateTrainingJob' as never));
    expect(JSON.stringify(create.Resource)).toContain(':training-job/demand-forecast-*');
    const pass = statements.find((s) => s.Action === 'iam:PassRole');
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
    expect(pass.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TrainingBackendTrainingRole/), 'Arn'] });
  });

  test('the training role reads only this model\'s datasets and writes only its runs, and no *FullAccess policy is attached', () => {
    const roles = template.findResources('AWS::IAM::Role');
    expect(JSON.stringify(roles)).not.toMatch(/FullAccess/);
    const policy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('TrainingBackendTrainingRoleDefaultPolicy'))![1];
    const text = JSON.stringify(policy);
    expect(text).toContain(`/${MODEL}/*`);
    expect(text).toContain(`/runs/${MODEL}/*`);
    expect(text).toContain(`/experiments/${MODEL}/*`);
    const statements = (policy as { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } } }).Properties.PolicyDocument.Statement;
    for (const st of statements.filter((x) => [x.Action].flat().some((a) => a.startsWith('s3:')))) expect(st.Resource).not.toBe('*');
  });

  test('the training steps share one role, which reads and writes only this model\'s prefixes: datasets read, manifests read/write, run outputs read/tag', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{ Properties: { Role: unknown } }>;
    expect(functions).toHaveLength(7);
    for (const f of functions) expect(f.Properties.Role).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TrainingFunctionRole/), 'Arn'] });
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('TrainingFunctionRole'));
    expect(policies).toHaveLength(1);
    const statements = (policies[0][1] as { Properties: { PolicyDocument: { Statement: Array<Record<string, any>> } } }).Properties.PolicyDocument.Statement; // eslint-disable-line @typescript-eslint/no-explicit-any
    const bucketOf = (r: unknown) => JSON.stringify(r).match(/DataLake(\w+?)Bucket/)![1];
    const where = (r: unknown): string => (typeof r === 'object' && r !== null && 'Fn::Join' in r
      ? `${bucketOf(r)}/${((r as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1][1] as string).slice(1)}`
      : `${bucketOf(r)} (list)`);
    const s3 = statements.filter((st) => [st.Action].flat().some((a: string) => a.startsWith('s3:')))
      .flatMap((st) => [st.Resource].flat().map((r) => `${[st.Action].flat().join(',')} ${where(r)}${st.Condition ? ` ${st.Condition.StringLike['s3:prefix'].join(',')}` : ''}`));
    expect(s3.sort()).toEqual([
      `s3:GetObject,s3:GetObjectVersion Artifacts/manifests/${MODEL}/*`,
      `s3:GetObject,s3:GetObjectVersion Artifacts/runs/${MODEL}/*`,
      `s3:GetObject,s3:GetObjectVersion Artifacts/experiments/${MODEL}/*`,
      `s3:GetObject,s3:GetObjectVersion Datasets/${MODEL}/*`,
      `s3:GetObjectTagging,s3:PutObjectTagging Artifacts/runs/${MODEL}/*`,
      `s3:GetObjectTagging,s3:PutObjectTagging Artifacts/experiments/${MODEL}/*`,
      `s3:ListBucket Artifacts (list) manifests/${MODEL}/*`,
      `s3:ListBucket Artifacts (list) runs/${MODEL}/*`,
      `s3:ListBucket Artifacts (list) runs/${MODEL}/*,experiments/${MODEL}/*`,
      `s3:ListBucket Artifacts (list) experiments/${MODEL}/*`,
      `s3:ListBucket Datasets (list) ${MODEL}/*`,
      `s3:PutObject,s3:PutObjectTagging,s3:AbortMultipartUpload Artifacts/manifests/${MODEL}/*`,
    ].sort());
  });

  test('handlers get the pipeline configuration (one JSON variable shared with the handler code)', () => {
    const fn = Object.values(json.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.[TRAINING_ENV.config]); // eslint-disable-line @typescript-eslint/no-explicit-any
    const config = JSON.parse(resolveIntrinsics(fn.Properties.Environment.Variables[TRAINING_ENV.config]) as string);
    expect(config).toMatchObject({
      model: MODEL, categories: CATEGORIES, promotion: 'auto', timeZone: 'Etc/UTC', toleratedFailurePercentage: 0, trainingAttempts: 3,
      evaluation: { metric: 'rmse', direction: 'minimize', minImprovement: 0 },
      validation: { format: 'csv', minRows: 3, maxAgeSeconds: 36 * 3600 },
    });
  });
});

describe('TrainingPipeline triggers, approval and batch inference', () => {
  test('a schedule with a time zone passes the scheduled time (the execution date) to each execution', () => {
    const { template } = pipelineStack({ schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '5', timeZone: TimeZone.EUROPE_PARIS }) });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 5 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      Target: Match.objectLike({ Input: Match.stringLikeRegexp('<aws.scheduler.scheduled-time>') }),
    });
  });

  test('the data-arrival trigger starts an execution when a _SUCCESS marker of the model lands', () => {
    const { template } = pipelineStack({ dataArrivalTrigger: true }, testStack(), { datasetsEventBridge: true });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'source': ['aws.s3'], 'detail-type': ['Object Created'], 'detail': Match.objectLike({ object: { key: [{ wildcard: `${MODEL}/*/_SUCCESS` }] } }) }),
    });
    template.hasResourceProperties('AWS::S3::Bucket', { NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } } });
  });

  test('the data-arrival trigger on a DataLake whose datasets bucket sends no events to EventBridge fails synth with the fix', () => {
    expect(() => pipelineStack({ dataArrivalTrigger: true }, testStack(), { datasetsEventBridge: false })).toThrow(
      /^dataArrivalTrigger needs EventBridge notifications on the datasets bucket, but the DataLake 'Test\/DataLake' was created with datasetsEventBridge false: pass datasetsEventBridge: true to that DataLake, or drop dataArrivalTrigger/,
    );
    // The default DataLake sends the events.
    expect(() => pipelineStack({ dataArrivalTrigger: true })).not.toThrow();
    expect(() => pipelineStack({ dataArrivalTrigger: false })).not.toThrow();
  });

  test('the data-arrival trigger on an imported data lake or an existing datasets bucket is not checked (the README says what to enable)', () => {
    const stack = testStack();
    const bucket = (id: string) => s3.Bucket.fromBucketName(stack, id, `legacy-${id.toLowerCase()}`);
    const imported = DataLake.fromDataLakeAttributes(stack, 'Imported', {
      datasetsBucket: bucket('Datasets'), artifactsBucket: bucket('Artifacts'), predictionsBucket: bucket('Predictions'),
      encryptionKey: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/abcd'),
    });
    expect(() => pipelineStack({ dataArrivalTrigger: true, dataLake: imported }, stack)).not.toThrow();
    const other = testStack();
    expect(() => pipelineStack({ dataArrivalTrigger: true }, other, { existingDatasetsBucket: s3.Bucket.fromBucketName(other, 'Ds', 'legacy-ds') })).not.toThrow();
  });

  test('manual promotion waits for a task token with the approval timeout', () => {
    const { template } = pipelineStack({ promotion: PromotionMode.MANUAL, approvalTimeout: Duration.hours(12) });
    const request = states(extractDefinition(template.toJSON()))[S.requestApproval];
    expect(request).toMatchObject({ Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', TimeoutSeconds: 12 * 3600 });
    expect(request.Parameters.Payload['taskToken.$']).toBe('$$.Task.Token');
    expect(request.Catch[0]).toMatchObject({ ErrorEquals: ['States.Timeout'], Next: S.approvalTimedOut });
  });

  test('starts batch inference for every category of the execution when given (predictions expire even when nothing is promoted)', () => {
    const stack = testStack();
    const { template } = pipelineStack({ batchInference: BatchInference.fromBatchInferenceAttributes(stack, 'Scoring', { modelName: 'demand-forecast', stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:scoring' }) }, stack);
    const start = states(extractDefinition(template.toJSON()))[S.startBatchInference];
    expect(start.Resource).toBe('arn:aws:states:::states:startExecution');
    expect(start.Parameters.Input).toMatchObject({ 'categories.$': '$.summary.scoreCategories', 'executionDate.$': '$.executionDate' });
  });
});

describe('TrainingPipeline on AWS Batch', () => {
  const { template } = batchStack();
  const all = states(extractDefinition(template.toJSON()));

  test('submits a job of its own definition to the GPU queue through the .sync integration', () => {
    expect(all[S.train]).toMatchObject({ Resource: 'arn:aws:states:::batch:submitJob.sync', Parameters: { 'JobName.$': '$.job.name' } });
    const env = all[S.train].Parameters.ContainerOverrides.Environment as Array<Record<string, string>>;
    expect(env).toEqual(expect.arrayContaining([
      { 'Name': 'MLOPS_INPUT_URI', 'Value.$': '$.datasetUri' },
      { 'Name': 'MLOPS_HYPERPARAMETERS', 'Value.$': 'States.JsonToString($.hyperparameters)' },
      { 'Name': 'MLOPS_CHECKPOINT_URI', 'Value.$': '$.checkpointUri' },
    ]));
  });

  test('the job definition is unprivileged, read-only root, GPU sized, retried only on Spot reclaim', () => {
    template.hasResourceProperties('AWS::Batch::JobDefinition', {
      ContainerProperties: Match.objectLike({
        Privileged: false,
        ReadonlyRootFilesystem: true,
        Command: ['python3', '-c', Match.stringLikeRegexp('MLOPS_STAGER')],
        ResourceRequirements: Match.arrayWith([{ Type: 'MEMORY', Value: '30000' }, { Type: 'VCPU', Value: '8' }, { Type: 'GPU', Value: '1' }]),
        Volumes: Match.arrayWith([Match.objectLike({ Name: 'opt-ml' })]),
      }),
      RetryStrategy: { Attempts: 3, EvaluateOnExit: [{ Action: 'RETRY', OnStatusReason: 'Host EC2*' }, { Action: 'EXIT', OnExitCode: '*' }] },
      Timeout: { AttemptDurationSeconds: 4 * 3600 },
    });
  });

  test('the state machine may submit to this queue and job definition only', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } } }).Properties.PolicyDocument.Statement);
    const submit = statements.find((st) => st.Action === 'batch:SubmitJob');
    expect(submit?.Resource).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^GpuJobQueue/), 'JobQueueArn'] },
      { Ref: expect.stringMatching(/^TrainingBackendTrainingJobDefinition/) },
    ]);
  });
});

describe('TrainingPipeline validation', () => {
  const base = () => ({ stack: testStack() });
  test.each([
    [{ modelName: 'Demand_Forecast' }, /modelName must be 1-63 characters: lowercase letters.*'Demand_Forecast' was provided/],
    [{ categories: [] }, /categories must list at least one category/],
    [{ categories: ['books', 'books'] }, /categories must be unique, but 'books' was provided twice/],
    [{ categories: ['a/b'] }, /categories must be 1-64 characters: letters.*'a\/b' was provided/],
    [{ maxConcurrency: 0 }, /maxConcurrency must be a whole number between 1 and 40, but 0 was provided/],
    [{ toleratedFailurePercentage: 150 }, /toleratedFailurePercentage must be between 0 and 100, but 150 was provided/],
    [{ approvalTimeout: Duration.hours(2) }, /approvalTimeout was given but promotion is 'auto'/],
    [{ codeRevision: ' ' }, /codeRevision must be 1 to 256 characters \(e.g. a git commit\), but " " was provided/],
    [{ evaluation: { metric: '1bad', direction: MetricDirection.MINIMIZE } }, /evaluation.metric must be a metric name/],
    [{ evaluation: { metric: 'rmse', direction: MetricDirection.MINIMIZE, minImprovement: -1 } }, /evaluation.minImprovement must be 0 or more/],
  ])('rejects %j', (overrides, message) => {
    expect(() => pipelineStack(overrides as never, base().stack)).toThrow(message);
  });

  test('skips validation of unresolved tokens', () => {
    expect(() => pipelineStack({ maxConcurrency: Token.asNumber({ Ref: 'Concurrency' }) }, testStack())).not.toThrow();
  });

  test('backends name the field, the value and the fix', () => {
    expect(() => TrainingBackend.sageMaker({ image, instanceType: 'g5.xlarge' })).toThrow(/instanceType must be a SageMaker instance type such as 'ml.g5.xlarge', but 'g5.xlarge' was provided/);
    expect(() => TrainingBackend.sageMaker({ image, maxRuntime: Duration.hours(4), spotMaxWait: Duration.hours(1) })).toThrow(/spotMaxWait must be at least maxRuntime/);
    expect(() => TrainingBackend.sageMaker({ image, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } })).toThrow(/without vpc/);
    const compute = new GpuBatchCompute(testStack(), 'Gpu', { maxvCpus: 8 });
    expect(() => TrainingBackend.batch({ compute, image, command: ['train'], vcpus: 16 })).toThrow(/vcpus \(16\) is more than the compute environment's maxvCpus \(8\)/);
    expect(() => TrainingBackend.batch({ compute, image, command: [] })).toThrow(/command must list the training command/);
  });
});

describe('TrainingPipeline cdk-nag', () => {
  test('AwsSolutions is clean (acknowledged findings carry reasons) on both backends', () => {
    expect(nagFindings((app) => {
      pipelineStack({ schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '5' }) }, new Stack(app, 'SageMaker'));
      const s = new Stack(app, 'Batch');
      pipelineStack({ promotion: PromotionMode.MANUAL, backend: TrainingBackend.batch({ compute: new GpuBatchCompute(s, 'Gpu'), image, command: ['python3', 'train.py'] }) }, s);
    })).toEqual([]);
  });
});
