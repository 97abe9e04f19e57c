// The SageMaker real-time endpoint construct, and a spec with mode online/both synthesizing it
// with the front end's `:invoke` wired to it.
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PREDICT_ENV } from '../../lambda/shared/predict/constants';
import { ENDPOINT_SETTINGS_ENV } from '../../lambda/shared/serving-endpoint/settings';
import { DataLake } from '../../lib/data-lake/data-lake';
import { EndpointShift, ModelEndpoint, ModelEndpointProps, acceptsVolumeKmsKey } from '../../lib/model-endpoint';
import { ModelRegistry } from '../../lib/model-registry/model-registry';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { MlopsPlatform } from '../../lib/platform/mlops-platform';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { ModelSpec } from '../../lib/spec/model-spec';
import { TrainingImage } from '../../lib/training-pipeline/training-image';
import { nagFindings, testApp } from '../support/cdk';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const INITIAL = 'runs/demand-forecast/run-1/model.tar.gz';
const base = (stack: Stack) => ({ dataLake: new DataLake(stack, 'DataLake'), registry: new ModelRegistry(stack, 'Registry'), categories: ['books'] });

function endpointStack(props: Partial<ModelEndpointProps> = {}, build?: (stack: Stack, e: ModelEndpoint) => void) {
  const stack = new Stack(testApp(), 'Endpoint', { env: ENV });
  const e = new ModelEndpoint(stack, 'Endpoint', { modelName: 'demand-forecast', image: TrainingImage.fromRegistry('123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand:1'), ...base(stack), initialModelDataKey: INITIAL, ...props });
  build?.(stack, e);
  return { stack, t: Template.fromStack(stack), e };
}

test('serves the model image in serve mode from the artifact, network-isolated, with KMS on the volume', () => {
  const { t } = endpointStack();
  t.hasResourceProperties('AWS::SageMaker::Model', {
    PrimaryContainer: {
      Image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand:1',
      ModelDataUrl: { 'Fn::Join': ['', ['s3://', { Ref: Match.anyValue() }, `/${INITIAL}`]] },
      Environment: { MLOPS_MODE: 'serve', MLOPS_MODEL: 'demand-forecast' },
    },
    EnableNetworkIsolation: true,
  });
  t.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
    ProductionVariants: [{ VariantName: 'AllTraffic', InstanceType: 'ml.c5.large', InitialInstanceCount: 2, InitialVariantWeight: 1, ModelName: Match.anyValue() }],
    KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('DataLake'), 'Arn'] },
    DataCaptureConfig: Match.absent(),
  });
  t.resourceCountIs('AWS::SageMaker::Endpoint', 1);
  t.hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointName: 'demand-forecast' });
  // Least privilege: no AWS-managed policy at all on the endpoint's role.
  t.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })] }), ManagedPolicyArns: Match.absent() });
});

test('an instance type with local NVMe storage gets no volume key (SageMaker rejects one); GPU types are allowed', () => {
  expect(['ml.g5.xlarge', 'ml.g4dn.xlarge', 'ml.c5d.large', 'ml.m5d.large', 'ml.p4d.24xlarge'].filter(acceptsVolumeKmsKey)).toEqual([]);
  expect(['ml.c5.large', 'ml.m5.xlarge', 'ml.g4.xlarge', 'ml.r5.large', 'ml.c6i.large'].every(acceptsVolumeKmsKey)).toBe(true);
  const { t } = endpointStack({ instanceType: 'ml.g5.xlarge' });
  t.hasResourceProperties('AWS::SageMaker::EndpointConfig', { ProductionVariants: [Match.objectLike({ InstanceType: 'ml.g5.xlarge' })], KmsKeyId: Match.absent() });
});

test('captures requests and responses with the data lake key when asked', () => {
  const { t } = endpointStack({ dataCapturePercent: 20 });
  t.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
    DataCaptureConfig: {
      EnableCapture: true, InitialSamplingPercentage: 20,
      DestinationS3Uri: { 'Fn::Join': ['', ['s3://', { Ref: Match.anyValue() }, '/data-capture/demand-forecast/']] },
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('DataLake'), 'Arn'] },
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
    },
  });
});

test('runs in the VPC\'s isolated subnets with the security group every SageMaker workload gets (outbound reaches only the VPC\'s endpoints: no NAT)', () => {
  const { t } = endpointStack({}, () => undefined);
  t.hasResourceProperties('AWS::SageMaker::Model', { VpcConfig: Match.absent() });
  const stack = new Stack(testApp(), 'Vpc', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  new ModelEndpoint(stack, 'Endpoint', { modelName: 'demand-forecast', image: TrainingImage.fromRegistry('public.ecr.aws/x/y:1'), ...base(stack), initialModelDataKey: INITIAL, vpc });
  const tv = Template.fromStack(stack);
  tv.hasResourceProperties('AWS::SageMaker::Model', { VpcConfig: { SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('EndpointSecurityGroup'), 'GroupId'] }], Subnets: Match.arrayWith([{ Ref: Match.stringLikeRegexp('isolated') }]) } });
  // The model artifact comes from S3 through the VPC's gateway endpoint.
  tv.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: 'SageMaker real-time endpoint of demand-forecast', SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0' })], SecurityGroupIngress: Match.absent() });
});

test('scales on invocations per instance, and ahead of declared peak windows', () => {
  const { t } = endpointStack({ minInstanceCount: 2, maxInstanceCount: 6, peakInstanceCount: 5, tpsPerInstance: 150, peakWindows: [{ startHour: 8, endHour: 10, timeZone: 'Europe/Paris' }, { startHour: 0, endHour: 1, daysOfWeek: 'MON-FRI', timeZone: 'Europe/Paris' }] });
  t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
    ServiceNamespace: 'sagemaker', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount', MinCapacity: 2, MaxCapacity: 6,
    ResourceId: 'endpoint/demand-forecast/variant/AllTraffic',
    // The shared peak schedule (lib/prediction-service/peak-schedule.ts): 15 minutes ahead, a
    // midnight start's lead on the previous weekdays.
    ScheduledActions: Match.arrayWith([ // starts first, then ends, each by time of day
      Match.objectLike({ Schedule: 'cron(45 7 ? * * *)', Timezone: 'Europe/Paris', ScalableTargetAction: { MinCapacity: 5 } }),
      Match.objectLike({ Schedule: 'cron(45 23 ? * SUN-THU *)', Timezone: 'Europe/Paris', ScalableTargetAction: { MinCapacity: 5 } }),
      Match.objectLike({ Schedule: 'cron(0 1 ? * MON-FRI *)', Timezone: 'Europe/Paris', ScalableTargetAction: { MinCapacity: 2 } }),
      Match.objectLike({ Schedule: 'cron(0 10 ? * * *)', Timezone: 'Europe/Paris', ScalableTargetAction: { MinCapacity: 2 } }),
    ]),
  });
  t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' }, TargetValue: 9000 },
  });
});

test('an endpoint left to the first promotion gets the same autoscaling from the update function: target, tracking and the same scheduled actions', () => {
  const props = { minInstanceCount: 2, maxInstanceCount: 6, peakInstanceCount: 5, tpsPerInstance: 150, peakWindows: [{ startHour: 8, endHour: 10, timeZone: 'Europe/Paris' }] };
  const settingsOf = (t: Template) => {
    const fn = Object.values(t.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment?.Variables?.[ENDPOINT_SETTINGS_ENV]) as { Properties: { Environment: { Variables: Record<string, any> } } };
    const raw = fn.Properties.Environment.Variables[ENDPOINT_SETTINGS_ENV];
    return JSON.parse(typeof raw === 'string' ? raw : raw['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : 'token')).join(''));
  };
  const deployed = endpointStack(props);
  expect(settingsOf(deployed.t).autoscaling).toBeUndefined();
  const promoted = endpointStack({ ...props, initialModelDataKey: undefined });
  promoted.t.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
  const cfnActions = (deployed.t.findResources('AWS::ApplicationAutoScaling::ScalableTarget') as Record<string, any>);
  const expected = (Object.values(cfnActions)[0].Properties.ScheduledActions as any[])
    .map((a) => ({ name: a.ScheduledActionName, schedule: a.Schedule, timeZone: a.Timezone, minCapacity: a.ScalableTargetAction.MinCapacity }));
  expect(settingsOf(promoted.t).autoscaling).toEqual({
    minCapacity: 2, maxCapacity: 6, invocationsPerInstance: 9000, scaleInCooldownSeconds: 300, scaleOutCooldownSeconds: 60,
    scheduledActions: expected.map((a) => expect.objectContaining({ ...a, name: expect.stringMatching(new RegExp(`^${a.name.replace(/.*(Peak(Start|End)\d+).*/, '$1')}$`)) })),
  });
  const policy = JSON.stringify(promoted.t.findResources('AWS::IAM::Policy'));
  expect(policy).toContain('application-autoscaling:RegisterScalableTarget');
  expect(policy).toContain('AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint');
});

test('grantInvoke allows InvokeEndpoint on this endpoint only', () => {
  const { t } = endpointStack({}, (stack, e) => e.grantInvoke(new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') })));
  t.hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: Match.stringLikeRegexp('Caller') }],
    PolicyDocument: { Statement: [{ Action: 'sagemaker:InvokeEndpoint', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:eu-west-1:123456789012:endpoint/demand-forecast']] } }] },
  });
});

test.each([
  [{ instanceType: 'c5.large' }, /instanceType must be a SageMaker hosting instance type such as "ml.c5.large", but "c5.large" was provided/],
  [{ minInstanceCount: 0 }, /minInstanceCount must be a whole number >= 1, but 0 was provided/],
  [{ minInstanceCount: 3, maxInstanceCount: 2 }, /maxInstanceCount must be at least minInstanceCount \(3\), but 2 was provided/],
  [{ maxInstanceCount: 4, peakInstanceCount: 5 }, /peakInstanceCount must be between minInstanceCount \(2\) and maxInstanceCount \(4\), but 5 was provided/],
  [{ dataCapturePercent: 101 }, /dataCapturePercent must be a whole number between 0 and 100, but 101 was provided/],
  [{ errorAlarmThreshold: 0 }, /errorAlarmThreshold must be a whole number >= 1, but 0 was provided/],
  [{ initialModelDataKey: 'serving/demand-forecast/model.tar.gz' }, /initialModelDataKey must be under "runs\/demand-forecast\/" of the artifacts bucket .* but "serving\/demand-forecast\/model.tar.gz" was provided/],
])('refuses %j', (props, message) => {
  expect(() => endpointStack(props as Partial<ModelEndpointProps>)).toThrow(message);
});

test('has no cdk-nag finding, with and without VPC and data capture', () => {
  expect(nagFindings((app) => {
    const stack = new Stack(app, 'Nag', { env: ENV });
    const b = base(stack);
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    new ModelEndpoint(stack, 'Plain', { modelName: 'plain', image: TrainingImage.fromRegistry('public.ecr.aws/x/y:1'), ...b });
    new ModelEndpoint(stack, 'Full', { modelName: 'full', image: TrainingImage.fromRegistry('public.ecr.aws/x/y:1'), ...b, initialModelDataKey: 'runs/full/r/model.tar.gz', vpc, dataCapturePercent: 10, instanceType: 'ml.g5.xlarge' });
  }).filter((f) => !/\/Vpc\//.test(f.path))).toEqual([]);
});

describe('a spec with mode online or both', () => {
  function spec(name: string, inference: Record<string, unknown>): ModelSpec {
    const { spec: s, problems } = parseModelSpecObject({
      name, description: `${name} model`, owner: 'ds@example.com', categories: ['books'],
      training: { image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand:1' }, evaluation: { metric: 'rmse' },
      inference: { rules: { fallback: [{ name: 'default', prediction: 0 }] }, ...inference },
    }, { file: `models/${name}/model.yaml` });
    if (!s) throw new Error(JSON.stringify(problems));
    return s;
  }

  test('defaults: SageMaker hosting on 2 x ml.c5.large, up to 4', () => {
    const s = spec('online-model', { mode: 'online' });
    expect(s.inference.hosting).toBe('sagemaker');
    expect(s.inference.endpoint).toEqual({ instanceType: 'ml.c5.large', instanceCount: 2, maxInstanceCount: 4, tpsPerInstance: 100, dataCapturePercent: 0 });
  });

  test('a maximum below the instance count is a spec problem at the field', () => {
    const { problems } = parseModelSpecObject({
      name: 'online-model', description: 'd', owner: 'ds@example.com', training: { image: 'public.ecr.aws/x/y:1' }, evaluation: { metric: 'rmse' },
      inference: { mode: 'online', endpoint: { instanceCount: 6 }, rules: { fallback: [{ name: 'default', prediction: 0 }] } },
    }, { file: 'models/online-model/model.yaml' });
    expect(problems).toEqual([expect.objectContaining({ path: 'inference.endpoint.maxInstanceCount', value: 4, expected: 'at least instanceCount (6)', fix: 'raise maxInstanceCount to 6 or more, or lower instanceCount' })]);
  });

  test('synthesizes the endpoint\'s update function, which the first promotion creates it with, and the Fargate front end calls it within the SLO budget', () => {
    const stack = new Stack(testApp(), 'Platform', { env: ENV });
    new MlopsPlatform(stack, 'Platform', { models: [spec('online-model', { mode: 'online', serving: 'service', endpoint: { instanceType: 'ml.m5.large', instanceCount: 1, maxInstanceCount: 3 }, slo: { p95: '200ms', p99: '400ms' } })] });
    const t = Template.fromStack(stack);
    // No artifact exists at the first deploy: the first promotion creates the endpoint.
    t.resourceCountIs('AWS::SageMaker::Endpoint', 0);
    const fn = Object.values(t.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment?.Variables?.[ENDPOINT_SETTINGS_ENV]) as { Properties: { Environment: { Variables: Record<string, unknown> } } };
    const settings = JSON.stringify(fn.Properties.Environment.Variables[ENDPOINT_SETTINGS_ENV]);
    expect(settings).toMatch(/\\"endpointName\\":\\"online-model\\"/);
    expect(settings).toMatch(/\\"instanceType\\":\\"ml.m5.large\\",\\"initialInstanceCount\\":1/);
    // 400 ms p99 minus the Fargate front end's 15 ms.
    const task = Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0] as { Properties: { ContainerDefinitions: Array<{ Environment: Array<{ Name: string; Value: unknown }> }> } };
    const env = task.Properties.ContainerDefinitions[0].Environment.find((e) => e.Name === PREDICT_ENV.modelEndpoints);
    expect(env?.Value).toBe('{"models":{"online-model":{"mode":"online","sageMakerEndpoint":"online-model","budgetMs":385}}}');
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'sagemaker:InvokeEndpoint', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:eu-west-1:123456789012:endpoint/online-model']] } }]) },
      Roles: [{ Ref: Match.stringLikeRegexp('ServiceTaskDefinitionTaskRole') }],
    });
  });

  test('mode both on the Lambda front end: the function calls the endpoint; a batch spec gets none', () => {
    const stack = new Stack(testApp(), 'Platform', { env: ENV });
    new MlopsPlatform(stack, 'Platform', { models: [spec('both-model', { mode: 'both', serving: 'api' }), spec('batch-model', { mode: 'batch', serving: 'api' })] });
    const t = Template.fromStack(stack);
    const fns = Object.values(t.findResources('AWS::Lambda::Function')) as Array<{ Properties: { Environment?: { Variables?: Record<string, unknown> } } }>;
    expect(fns.filter((f) => f.Properties.Environment?.Variables?.[ENDPOINT_SETTINGS_ENV] !== undefined)).toHaveLength(1);
    const withEndpoints = fns.filter((f) => f.Properties.Environment?.Variables?.[PREDICT_ENV.modelEndpoints] !== undefined);
    expect(withEndpoints).toHaveLength(1);
    // 500 ms p99 minus the Lambda front end's 50 ms.
    expect(JSON.stringify(withEndpoints[0].Properties.Environment!.Variables![PREDICT_ENV.modelEndpoints])).toMatch(/both-model.*\\"mode\\":\\"both\\".*\\"budgetMs\\":450/);
  });

  test('synthesizes with no cdk-nag finding', () => {
    expect(nagFindings((app) => { new MlopsPlatformStacks(app, { models: [spec('online-model', { mode: 'online', serving: 'service' })], stackProps: { env: ENV } }); })).toEqual([]);
  });
});

describe('promotion without a deploy: the update function', () => {
  const arn = (path: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:sagemaker:eu-west-1:123456789012:${path}`]] });
  const settingsOf = (t: Template) => {
    const fn = Object.values(t.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment?.Variables?.[ENDPOINT_SETTINGS_ENV]);
    return JSON.stringify(fn?.Properties.Environment.Variables[ENDPOINT_SETTINGS_ENV]);
  };

  test('runs on the model\'s Model Promoted events and on its endpoint\'s state changes', () => {
    const { t } = endpointStack();
    t.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'source': ['cdk-mlops.registry'], 'detail-type': ['Model Promoted'], 'detail': { model: ['demand-forecast'] } } });
    t.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'source': ['aws.sagemaker'], 'detail-type': ['SageMaker Endpoint State Change'], 'detail': { EndpointName: ['demand-forecast'] } } });
  });

  test('may create only this model\'s models and configs, update and describe only this endpoint, and pass only the endpoint\'s role', () => {
    const { t } = endpointStack();
    const policy = Object.values(t.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p).includes('sagemaker:UpdateEndpoint')) as { Properties: { PolicyDocument: { Statement: unknown[] } } };
    expect(policy.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([
      // Only isolated models, only configs with the data lake key on the volume (the one SageMaker builder's conditions).
      { Action: 'sagemaker:CreateModel', Effect: 'Allow', Resource: arn('model/demand-forecast-v*'), Condition: { Bool: { 'sagemaker:NetworkIsolation': 'true' } } },
      { Action: 'sagemaker:CreateEndpointConfig', Effect: 'Allow', Resource: arn('endpoint-config/demand-forecast-v*'), Condition: { ArnEquals: { 'sagemaker:VolumeKmsKey': { 'Fn::GetAtt': [expect.stringMatching(/^DataLake/), 'Arn'] } } } },
      { Action: ['sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint'], Effect: 'Allow', Resource: [arn('endpoint/demand-forecast'), arn('endpoint-config/demand-forecast-v*')] },
      { Action: 'sagemaker:DescribeEndpoint', Effect: 'Allow', Resource: arn('endpoint/demand-forecast') },
      { Action: 'iam:PassRole', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^EndpointRole/), 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } } },
    ]));
    const passRoles = policy.Properties.PolicyDocument.Statement.filter((s) => JSON.stringify(s).includes('iam:PassRole'));
    expect(passRoles).toHaveLength(1);
  });

  test('latency and error alarms notify, and roll a shift back: the function names them with the canary settings', () => {
    const { t } = endpointStack({ shift: EndpointShift.linear(20, Duration.minutes(2)), latencyAlarmThreshold: Duration.millis(300), errorAlarmThreshold: 3 },
    );
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SageMaker', MetricName: 'ModelLatency', ExtendedStatistic: 'p99', Threshold: 300_000, Period: 60,
      Dimensions: Match.arrayWith([{ Name: 'EndpointName', Value: 'demand-forecast' }, { Name: 'VariantName', Value: 'AllTraffic' }]),
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Invocation5XXErrors', Statistic: 'Sum', Threshold: 3, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    const settings = settingsOf(t);
    expect(settings).toContain('\\"shift\\":{\\"type\\":\\"LINEAR\\",\\"percent\\":20,\\"waitSeconds\\":120}');
    expect(settings).toMatch(/\\"rollbackAlarms\\":\[\\"",\{"Ref":"EndpointLatencyAlarm[0-9A-F]+"\},"\\",\\"",\{"Ref":"EndpointErrorAlarm[0-9A-F]+"\}/);
  });

  test('without an initial artifact there is no endpoint, no autoscaling, and the default shift is a 10% canary for 5 minutes', () => {
    const { t, e } = endpointStack({ initialModelDataKey: undefined });
    t.resourceCountIs('AWS::SageMaker::Endpoint', 0);
    t.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    expect(e.scaling).toBeUndefined();
    expect(settingsOf(t)).toContain('\\"shift\\":{\\"type\\":\\"CANARY\\",\\"percent\\":10,\\"waitSeconds\\":300}');
  });

  test.each([
    [() => EndpointShift.canary(0, Duration.minutes(1)), /EndpointShift.canary percent must be a whole number between 1 and 50, but 0 was provided/],
    [() => EndpointShift.linear(10, Duration.hours(2)), /EndpointShift.linear wait must be between 0 seconds and 1 hour \(SageMaker's limit\), but 7200 seconds was provided/],
  ])('refuses a shift out of range (%#)', (make, message) => {
    expect(make).toThrow(message);
  });
});
