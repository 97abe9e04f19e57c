// The AsyncInference construct (queue, dead-letter queue, jobs table, results bucket, worker,
// alarms), a spec with inference.async synthesizing it with its front end wired, nag, and
// fast-check over generated async specs that they load and synthesize.
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import fc from 'fast-check';
import { ASYNC_ENV } from '../../lambda/shared/predict/async-config';
import { AsyncInference, AsyncInferenceProps, IAsyncModelEndpoint } from '../../lib/async-inference';
import { PATTERN_CHECKS, runPatternChecks } from '../../lib/checks';
import { ModelRegistry } from '../../lib/model-registry/model-registry';
import { asyncLimits } from '../../lib/platform/deploy-async';
import { MlopsPlatform } from '../../lib/platform/mlops-platform';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { ModelSpec } from '../../lib/spec/model-spec';
import { nagFindings, testApp } from '../support/cdk';

const ENV = { account: '123456789012', region: 'eu-west-1' };

const endpoint = (stack: Stack): IAsyncModelEndpoint => ({
  endpointName: 'demand-forecast',
  grantInvoke: (grantee) => iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:InvokeEndpoint'], resourceArns: [stack.formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: 'demand-forecast' })] }),
});

function asyncStack(props: Partial<AsyncInferenceProps> = {}) {
  const stack = new Stack(testApp(), 'Async', { env: ENV });
  const jobs = new AsyncInference(stack, 'Async', {
    modelName: 'demand-forecast', endpoint: endpoint(stack), registry: new ModelRegistry(stack, 'Registry'),
    alarmAction: new cloudwatchActions.SnsAction(new sns.Topic(stack, 'Alarms')), ...props,
  });
  return { stack, jobs, get t() { return Template.fromStack(stack); } };
}

const ref = (pattern: string) => ({ Ref: Match.stringLikeRegexp(pattern) });
const arnOf = (pattern: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(pattern), 'Arn'] });

test('the job queue is KMS-encrypted, redrives to an encrypted dead-letter queue after maxAttempts, and stays invisible six worker timeouts', () => {
  const { t } = asyncStack({ timeout: Duration.seconds(45), maxAttempts: 4 });
  t.hasResourceProperties('AWS::SQS::Queue', {
    KmsMasterKeyId: arnOf('AsyncKey'),
    VisibilityTimeout: (45 + 30) * 6,
    RedrivePolicy: { deadLetterTargetArn: arnOf('AsyncDeadLetterQueue'), maxReceiveCount: 4 },
  });
  t.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: arnOf('AsyncKey'), MessageRetentionPeriod: 14 * 86_400, RedrivePolicy: Match.absent() });
  t.hasResourceProperties('AWS::SQS::QueuePolicy', { PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] } });
  t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
});

test('the worker takes one job per invocation, reports partial batch failures, and is capped at maxConcurrency', () => {
  const { t } = asyncStack({ maxConcurrency: 25, timeout: Duration.seconds(20) });
  t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 25 }, EventSourceArn: arnOf('AsyncQueue'),
  });
  t.hasResourceProperties('AWS::Lambda::Function', {
    Timeout: 50, Architectures: ['arm64'],
    Environment: { Variables: Match.objectLike({ [ASYNC_ENV.worker]: Match.anyValue(), MLOPS_REGISTRY_TABLE: ref('Registry') }) },
  });
});

test('jobs live in a KMS-encrypted table with TTL and PITR; results in a KMS-encrypted, TLS-only bucket expiring after the retention, in whole days', () => {
  const { t } = asyncStack({ resultRetention: Duration.hours(36) });
  t.hasResourceProperties('AWS::DynamoDB::Table', {
    KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }], TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: arnOf('AsyncKey') }, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
  });
  t.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
  t.hasResourceProperties('AWS::S3::Bucket', {
    BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arnOf('AsyncKey') }, BucketKeyEnabled: true }] },
    LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 2, NoncurrentVersionExpiration: { NoncurrentDays: 1 } })] },
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    VersioningConfiguration: { Status: 'Enabled' },
  });
});

test('alarms with an action: the oldest queued job older than the poll window, any dead letter, and a dead letter near its deletion', () => {
  const { t, jobs } = asyncStack({ pollWindow: Duration.minutes(20) });
  expect(jobs.alarms).toHaveLength(3);
  t.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 1200, ComparisonOperator: 'GreaterThanThreshold',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('AsyncQueue'), 'QueueName'] } }], AlarmActions: [ref('Alarms')],
  });
  t.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('AsyncDeadLetterQueue'), 'QueueName'] } }], AlarmActions: [ref('Alarms')],
  });
  t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 7 * 86_400, AlarmActions: [ref('Alarms')] });
});

test('least privilege: the worker updates job items, writes its model\'s results and invokes its endpoint; the front end sends, writes and reads jobs and reads results', () => {
  const { stack, jobs } = asyncStack();
  const frontEnd = new iam.Role(stack, 'FrontEnd', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  jobs.grantSubmit(frontEnd);
  const t = Template.fromStack(stack);
  const statements = (role: string) => {
    const policy = Object.values(t.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p.Properties.Roles).includes(role)) as { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } } };
    return policy.Properties.PolicyDocument.Statement.map((s) => ({ actions: [s.Action].flat(), resource: JSON.stringify(s.Resource) }));
  };
  const worker = statements('AsyncWorkerServiceRole');
  expect(worker.find((s) => s.actions.includes('dynamodb:UpdateItem'))).toEqual({ actions: ['dynamodb:UpdateItem'], resource: expect.stringMatching(/AsyncJobs/) });
  expect(worker.find((s) => s.actions.some((a) => a.startsWith('s3:')))).toEqual({ actions: ['s3:PutObject'], resource: expect.stringMatching(/AsyncResults.*\/results\/demand-forecast\/\*/) });
  expect(worker.find((s) => s.actions.includes('sagemaker:InvokeEndpoint'))?.resource).toMatch(/endpoint\/demand-forecast/);
  expect(worker.flatMap((s) => s.actions)).not.toContain('dynamodb:PutItem');
  const front = statements('FrontEnd');
  expect(front.find((s) => s.actions.includes('dynamodb:PutItem'))?.actions.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
  expect(front.find((s) => s.actions.includes('sqs:SendMessage'))?.resource).toMatch(/AsyncQueue/);
  expect(front.find((s) => s.actions.includes('s3:GetObject'))).toEqual({ actions: ['s3:GetObject'], resource: expect.stringMatching(/AsyncResults.*\/results\/demand-forecast\/\*/) });
  expect(front.find((s) => s.actions.includes('kms:Decrypt'))?.actions).toEqual(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']);
  expect(front.flatMap((s) => s.actions)).not.toContain('s3:PutObject');
});

test.each([
  [{ timeout: Duration.minutes(15) }, /timeout must be between 1 and 840 seconds .* but 900 was provided/],
  [{ maxConcurrency: 1 }, /maxConcurrency.*1/],
  [{ maxPayloadBytes: 70_000 }, /maxPayloadBytes.*70000/],
  [{ resultRetention: Duration.minutes(30) }, /resultRetention must be at least 1 hour, but 30 minutes was provided/],
])('validation names the prop and the value: %p', (props, message) => {
  expect(() => asyncStack(props)).toThrow(message);
});

function spec(name: string, inference: Record<string, unknown>): ModelSpec {
  const { spec: s, problems } = parseModelSpecObject({
    name, description: `${name} model`, owner: 'ds@example.com', categories: ['books'],
    training: { image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand:1' }, evaluation: { metric: 'rmse' },
    inference: { rules: { fallback: [{ name: 'default', prediction: 0 }] }, ...inference },
  }, { file: `models/${name}/model.yaml` });
  if (!s) throw new Error(JSON.stringify(problems));
  return s;
}

describe('a spec with inference.async', () => {
  test.each([['service', 'AWS::ECS::TaskDefinition'], ['api', 'AWS::Lambda::Function']])('front end %s: gets MLOPS_ASYNC_JOBS and the grants; the worker calls the model endpoint', (serving) => {
    const stack = new Stack(testApp(), 'Platform', { env: ENV });
    const platform = new MlopsPlatform(stack, 'Platform', { models: [spec('slow-model', { mode: 'both', serving, async: { timeout: '50s', pollWindow: '2h', resultRetention: '3d', maxAttempts: 2 } })] });
    const t = Template.fromStack(stack);
    const text = JSON.stringify(t.toJSON());
    expect(text).toContain(ASYNC_ENV.jobs);
    const jobsEnv = JSON.stringify(serving === 'service'
      ? (Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0] as any).Properties.ContainerDefinitions[0].Environment.find((e: any) => e.Name === ASYNC_ENV.jobs).Value
      : (Object.values(t.findResources('AWS::Lambda::Function')).find((f: any) => f.Properties.Environment?.Variables?.[ASYNC_ENV.jobs]) as any).Properties.Environment.Variables[ASYNC_ENV.jobs]);
    expect(jobsEnv).toMatch(/slow-model.*maxPayloadBytes\\":65536,\\"retentionSeconds\\":259200/);
    const worker = (Object.values(t.findResources('AWS::Lambda::Function')).find((f: any) => f.Properties.Environment?.Variables?.[ASYNC_ENV.worker]) as any).Properties.Environment.Variables[ASYNC_ENV.worker];
    expect(JSON.stringify(worker)).toMatch(/sageMakerEndpoint\\":\\"slow-model\\",\\"timeoutMs\\":50000,\\"maxAttempts\\":2/);
    t.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: Match.objectLike({ maxReceiveCount: 2 }) });
    expect(platform.node.findAll().filter((c) => c instanceof AsyncInference)).toHaveLength(1);
  });

  test('a model without inference.async gets no queue', () => {
    const stack = new Stack(testApp(), 'Platform', { env: ENV });
    new MlopsPlatform(stack, 'Platform', { models: [spec('online-model', { mode: 'online', serving: 'api' })] });
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain(ASYNC_ENV.jobs);
  });

  test('synthesizes with no cdk-nag finding (service and api front ends)', () => {
    expect(nagFindings((app) => { new MlopsPlatformStacks(app, { models: [spec('slow-model', { mode: 'online', serving: 'service', async: {} }), spec('slow-api', { mode: 'both', serving: 'api', async: {} })], stackProps: { env: ENV } }); })).toEqual([]);
  });
});

test('fast-check: every async spec the loader accepts passes the pattern checks and synthesizes with its limits', () => {
  const seconds = (s: number) => `${s}s`;
  const arb = fc.record({
    timeout: fc.integer({ min: 1, max: 60 }),
    maxPayloadBytes: fc.integer({ min: 1, max: 65_536 }),
    pollWindow: fc.integer({ min: 60, max: 30 * 86_400 }),
    extraRetention: fc.integer({ min: 0, max: 30 * 86_400 }),
    maxAttempts: fc.integer({ min: 1, max: 10 }),
    maxConcurrency: fc.integer({ min: 2, max: 1000 }),
    mode: fc.constantFrom('online', 'both'),
  }).map((g) => ({ ...g, resultRetention: Math.min(30 * 86_400, Math.max(3600, g.pollWindow + g.extraRetention)) }))
    .filter((g) => g.resultRetention >= g.pollWindow);
  fc.assert(fc.property(arb, (g) => {
    const s = spec('gen-model', {
      mode: g.mode, serving: 'api',
      async: { timeout: seconds(g.timeout), maxPayloadBytes: g.maxPayloadBytes, pollWindow: seconds(g.pollWindow), resultRetention: seconds(g.resultRetention), maxAttempts: g.maxAttempts, maxConcurrency: g.maxConcurrency },
    });
    expect(runPatternChecks([s], PATTERN_CHECKS.filter((c) => c.id === 'MLOPS-AsyncResultOutlivesPolling'))).toEqual([]);
    const { t } = asyncStack(asyncLimits(s.inference.async!));
    t.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: (g.timeout + 30) * 6, RedrivePolicy: Match.objectLike({ maxReceiveCount: g.maxAttempts }) });
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: g.maxConcurrency } });
    t.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: Math.ceil(g.resultRetention / 86_400) })] } });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: g.pollWindow });
  }), { numRuns: 25 });
});
