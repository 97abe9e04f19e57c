// The SageMaker real-time endpoint construct, and a spec with mode online/both synthesizing it
// with the front end's `:invoke` wired to it.
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PREDICT_ENV } from '../../lambda/shared/predict/constants';
import { DataLake } from '../../lib/data-lake/data-lake';
import { ModelEndpoint, ModelEndpointProps, acceptsVolumeKmsKey } from '../../lib/model-endpoint';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { MlopsPlatform } from '../../lib/platform/mlops-platform';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { ModelSpec } from '../../lib/spec/model-spec';
import { TrainingImage } from '../../lib/training-pipeline/training-image';
import { nagFindings, testApp } from '../support/cdk';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function endpointStack(props: Partial<ModelEndpointProps> = {}, build?: (stack: Stack, e: ModelEndpoint) => void) {
  const stack = new Stack(testApp(), 'Endpoint', { env: ENV });
  const dataLake = new DataLake(stack, 'DataLake');
  const e = new ModelEndpoint(stack, 'Endpoint', { modelName: 'demand-forecast', image: TrainingImage.fromRegistry('123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand:1'), dataLake, ...props });
  build?.(stack, e);
  return { stack, t: Template.fromStack(stack), e };
}

test('serves the model image in serve mode from the artifact, network-isolated, with KMS on the volume', () => {
  const { t } = endpointStack();
  t.hasResourceProperties('AWS::SageMaker::Model', {
    PrimaryContainer: {
      Image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand:1',
      ModelDataUrl: { 'Fn::Join': ['', ['s3://', { Ref: Match.anyValue() }, '/serving/demand-forecast/model.tar.gz']] },
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

test('runs in the VPC\'s isolated subnets with a security group that opens nothing outbound', () => {
  const { t } = endpointStack({}, () => undefined);
  t.hasResourceProperties('AWS::SageMaker::Model', { VpcConfig: Match.absent() });
  const stack = new Stack(testApp(), 'Vpc', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  new ModelEndpoint(stack, 'Endpoint', { modelName: 'demand-forecast', image: TrainingImage.fromRegistry('public.ecr.aws/x/y:1'), dataLake: new DataLake(stack, 'DataLake'), vpc });
  const tv = Template.fromStack(stack);
  tv.hasResourceProperties('AWS::SageMaker::Model', { VpcConfig: { SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('EndpointSecurityGroup'), 'GroupId'] }], Subnets: Match.arrayWith([{ Ref: Match.stringLikeRegexp('isolated') }]) } });
  tv.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: 'SageMaker endpoint of demand-forecast', SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })] });
});

test('scales on invocations per instance, and ahead of declared peak windows', () => {
  const { t } = endpointStack({ minInstanceCount: 2, maxInstanceCount: 6, peakInstanceCount: 5, tpsPerInstance: 150, peakWindows: [{ startHour: 8, endHour: 10, timeZone: 'Europe/Paris' }, { startHour: 0, endHour: 1, daysOfWeek: 'MON-FRI', timeZone: 'Europe/Paris' }] });
  t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
    ServiceNamespace: 'sagemaker', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount', MinCapacity: 2, MaxCapacity: 6,
    ResourceId: { 'Fn::Join': ['', ['endpoint/', { 'Fn::GetAtt': [Match.stringLikeRegexp('Endpoint'), 'EndpointName'] }, '/variant/AllTraffic']] },
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

test('grantInvoke allows InvokeEndpoint on this endpoint only', () => {
  const { t } = endpointStack({}, (stack, e) => e.grantInvoke(new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') })));
  t.hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: Match.stringLikeRegexp('Caller') }],
    PolicyDocument: { Statement: [{ Action: 'sagemaker:InvokeEndpoint', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('Endpoint') } }] },
  });
});

test.each([
  [{ instanceType: 'c5.large' }, /instanceType must be a SageMaker hosting instance type such as "ml.c5.large", but "c5.large" was provided/],
  [{ minInstanceCount: 0 }, /minInstanceCount must be a whole number >= 1, but 0 was provided/],
  [{ minInstanceCount: 3, maxInstanceCount: 2 }, /maxInstanceCount must be at least minInstanceCount \(3\), but 2 was provided/],
  [{ maxInstanceCount: 4, peakInstanceCount: 5 }, /peakInstanceCount must be between minInstanceCount \(2\) and maxInstanceCount \(4\), but 5 was provided/],
  [{ dataCapturePercent: 101 }, /dataCapturePercent must be a whole number between 0 and 100, but 101 was provided/],
])('refuses %j', (props, message) => {
  expect(() => endpointStack(props as Partial<ModelEndpointProps>)).toThrow(message);
});

test('has no cdk-nag finding, with and without VPC and data capture', () => {
  expect(nagFindings((app) => {
    const stack = new Stack(app, 'Nag', { env: ENV });
    const dataLake = new DataLake(stack, 'DataLake');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    new ModelEndpoint(stack, 'Plain', { modelName: 'plain', image: TrainingImage.fromRegistry('public.ecr.aws/x/y:1'), dataLake });
    new ModelEndpoint(stack, 'Full', { modelName: 'full', image: TrainingImage.fromRegistry('public.ecr.aws/x/y:1'), dataLake, vpc, dataCapturePercent: 10, instanceType: 'ml.g5.xlarge' });
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

  test('synthesizes a real-time endpoint that the Fargate front end calls within the SLO budget', () => {
    const stack = new Stack(testApp(), 'Platform', { env: ENV });
    new MlopsPlatform(stack, 'Platform', { models: [spec('online-model', { mode: 'online', serving: 'service', endpoint: { instanceType: 'ml.m5.large', instanceCount: 1, maxInstanceCount: 3 }, slo: { p95: '200ms', p99: '400ms' } })] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SageMaker::EndpointConfig', { ProductionVariants: [Match.objectLike({ InstanceType: 'ml.m5.large', InitialInstanceCount: 1 })] });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { ServiceNamespace: 'sagemaker', MinCapacity: 1, MaxCapacity: 3 });
    // 400 ms p99 minus the Fargate front end's 15 ms.
    const task = Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0] as { Properties: { ContainerDefinitions: Array<{ Environment: Array<{ Name: string; Value: unknown }> }> } };
    const env = task.Properties.ContainerDefinitions[0].Environment.find((e) => e.Name === PREDICT_ENV.modelEndpoints);
    expect(JSON.stringify(env?.Value)).toMatch(/\{\\"models\\":\{\\"online-model\\":\{\\"mode\\":\\"online\\",\\"sageMakerEndpoint\\":\\"",\{"Fn::GetAtt":\["[A-Za-z0-9]+","EndpointName"\]\},"\\",\\"budgetMs\\":385\}\}\}/);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'sagemaker:InvokeEndpoint', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('onlinemodelEndpoint') } }]) },
      Roles: [{ Ref: Match.stringLikeRegexp('ServiceTaskDefinitionTaskRole') }],
    });
  });

  test('mode both on the Lambda front end: the function calls the endpoint; a batch spec gets none', () => {
    const stack = new Stack(testApp(), 'Platform', { env: ENV });
    new MlopsPlatform(stack, 'Platform', { models: [spec('both-model', { mode: 'both', serving: 'api' }), spec('batch-model', { mode: 'batch', serving: 'api' })] });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SageMaker::Endpoint', 1);
    const fns = Object.values(t.findResources('AWS::Lambda::Function')) as Array<{ Properties: { Environment?: { Variables?: Record<string, unknown> } } }>;
    const withEndpoints = fns.filter((f) => f.Properties.Environment?.Variables?.[PREDICT_ENV.modelEndpoints] !== undefined);
    expect(withEndpoints).toHaveLength(1);
    // 500 ms p99 minus the Lambda front end's 50 ms.
    expect(JSON.stringify(withEndpoints[0].Properties.Environment!.Variables![PREDICT_ENV.modelEndpoints])).toMatch(/both-model.*\\"mode\\":\\"both\\".*\\"budgetMs\\":450/);
  });

  test('synthesizes with no cdk-nag finding', () => {
    expect(nagFindings((app) => { new MlopsPlatformStacks(app, { models: [spec('online-model', { mode: 'online', serving: 'service' })], stackProps: { env: ENV } }); })).toEqual([]);
  });
});
