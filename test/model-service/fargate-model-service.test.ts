// `inference.hosting: fargate`: the spec rules (CPU only, a serve command, the in-VPC front end),
// the FargateModelService construct, and a platform synthesizing it with the front end's
// `:invoke` pointed at it, AwsSolutions-clean.
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { MODEL_SERVICE_ENV, MODEL_SERVICE_SETTINGS_ENV } from '../../lambda/shared/model-service/settings';
import { PREDICT_ENV } from '../../lambda/shared/predict/constants';
import { DataLake } from '../../lib/data-lake/data-lake';
import { FargateModelService, FargateModelServiceProps } from '../../lib/model-service';
import { ModelRegistry } from '../../lib/model-registry/model-registry';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { ModelSpec } from '../../lib/spec/model-spec';
import { TrainingImage } from '../../lib/training-pipeline/training-image';
import { nagFindings, testApp } from '../support/cdk';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand:1';
const SERVE = ['python3', '/opt/program/serve.py'];

function parse(inference: Record<string, unknown>) {
  return parseModelSpecObject({
    name: 'online-model', description: 'online model', owner: 'ds@example.com', categories: ['books'],
    training: { image: IMAGE }, evaluation: { metric: 'rmse' },
    inference: { rules: { fallback: [{ name: 'default', prediction: 0 }] }, ...inference },
  }, { file: 'models/online-model/model.yaml' });
}
function spec(inference: Record<string, unknown>): ModelSpec {
  const { spec: s, problems } = parse(inference);
  if (!s || problems.length) throw new Error(JSON.stringify(problems));
  return s;
}

describe('the spec', () => {
  test('defaults: 2 to 4 tasks of 1 vCPU and 2 GiB, and the service front end chosen for it', () => {
    const s = spec({ mode: 'online', hosting: 'fargate', fargate: { command: SERVE }, tps: { min: 1, avg: 2, max: 5 } });
    expect(s.inference.fargate).toEqual({ cpu: 1024, memoryMiB: 2048, taskCount: 2, maxTaskCount: 4, tpsPerTask: 100, command: SERVE });
    // At 2 TPS the cost model alone would choose the Lambda front end, which cannot reach the VPC.
    expect(s.inference.serving).toBe('service');
    expect(s.inference.servingReason).toMatch(/chosen for hosting fargate/);
  });

  test.each([
    ['a GPU instance type', { endpoint: { instanceType: 'ml.g5.xlarge' } }, 'inference.endpoint.instanceType', 'ml.g5.xlarge', /no GPU instance type with hosting fargate/, /use hosting: sagemaker for a GPU endpoint/],
    ['SageMaker endpoint settings', { endpoint: { instanceCount: 3 } }, 'inference.endpoint', expect.objectContaining({ instanceCount: 3 }), /no SageMaker endpoint settings with hosting fargate/, /size the tasks in inference.fargate/],
    ['no serve command', { fargate: { cpu: 2048, memoryMiB: 4096 } }, 'inference.fargate.command', [], /the image's serve command/, /command: \["python3"/],
    ['the Lambda front end', { serving: 'api' }, 'inference.serving', 'api', /serving "service" with hosting fargate/, /set serving: service/],
    ['a CPU size Fargate does not have', { fargate: { command: SERVE, cpu: 3000 } }, 'inference.fargate.cpu', '3000', /cpu must be one of Fargate's sizes/, /use e.g. 1024 \(1 vCPU\), or SageMaker hosting for a GPU/],
    ['memory outside the CPU size\'s range', { fargate: { command: SERVE, cpu: 256, memoryMiB: 4096 } }, 'inference.fargate.memoryMiB', '4096', /between 512 and 2048 in steps of 512 with cpu 256/, /./],
    ['fewer most tasks than tasks', { fargate: { command: SERVE, tasks: 5, maxTasks: 3 } }, 'inference.fargate.maxTasks', '3', /at least minTaskCount \(5\)/, /./],
  ])('%s is a spec problem naming the field, the value and the fix', (_what, extra, path, value, expected, fix) => {
    const { problems } = parse({ mode: 'online', hosting: 'fargate', fargate: { command: SERVE }, ...extra });
    expect(problems).toEqual([expect.objectContaining({ path, value, expected: expect.stringMatching(expected), fix: expect.stringMatching(fix) })]);
  });

  test('Fargate settings with SageMaker hosting are a problem at inference.fargate', () => {
    const { problems } = parse({ mode: 'online', fargate: { command: SERVE } });
    expect(problems).toEqual([expect.objectContaining({ path: 'inference.fargate', expected: expect.stringMatching(/no Fargate settings with hosting sagemaker/) })]);
  });
});

describe('FargateModelService', () => {
  function serviceStack(props: Partial<FargateModelServiceProps> = {}, build?: (stack: Stack, s: FargateModelService) => void) {
    const stack = new Stack(testApp(), 'ModelService', { env: ENV });
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const s = new FargateModelService(stack, 'Model', {
      modelName: 'demand', image: TrainingImage.fromRegistry(IMAGE), command: SERVE,
      dataLake: new DataLake(stack, 'DataLake'), registry: new ModelRegistry(stack, 'Registry'), categories: ['books'], vpc, ...props,
    });
    build?.(stack, s);
    return { stack, s, t: Template.fromStack(stack) };
  }

  test('runs the image CPU-only on x86_64, staging the version before the serve command, read-only, with circuit-breaker rollback', () => {
    const { t } = serviceStack();
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '1024', Memory: '2048', RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      Volumes: [{ Name: 'model' }, { Name: 'tmp' }],
      ContainerDefinitions: [
        Match.objectLike({ Name: 'Permissions', Essential: false, User: '0', ReadonlyRootFilesystem: true, PortMappings: Match.absent() }),
        Match.objectLike({
          Name: 'Model', Essential: true, ReadonlyRootFilesystem: true, User: Match.absent(),
          EntryPoint: ['python3', '-c', Match.stringLikeRegexp(MODEL_SERVICE_ENV.serveStager)],
          DependsOn: [{ ContainerName: 'Permissions', Condition: 'SUCCESS' }],
          PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp' }],
          Environment: Match.arrayWith([{ Name: 'MLOPS_MODE', Value: 'serve' }, { Name: MODEL_SERVICE_ENV.command, Value: JSON.stringify(SERVE) }]),
          MountPoints: [{ SourceVolume: 'model', ContainerPath: '/opt/ml/model', ReadOnly: false }, { SourceVolume: 'tmp', ContainerPath: '/tmp', ReadOnly: false }],
        }),
      ],
    });
    // The deploy's revision pins no version: the first promotion does.
    const task = Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0];
    expect(JSON.stringify(task)).not.toContain(MODEL_SERVICE_ENV.modelDataUrl);
    t.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100, MaximumPercent: 200 },
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
    });
  });

  test('behind an internal load balancer with a /ping health check that admits only the clients given', () => {
    const { t } = serviceStack({}, (stack, s) => s.allowFrom(new ec2.SecurityGroup(stack, 'FrontEnd', { vpc: s.loadBalancer.vpc! })));
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8080, HealthCheckPath: '/ping', TargetType: 'ip' });
    const toLoadBalancer = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) => JSON.stringify(r.Properties.GroupId).includes('LoadBalancerSecurityGroup'));
    expect(toLoadBalancer.map((r) => [r.Properties.FromPort, r.Properties.ToPort, r.Properties.SourceSecurityGroupId])).toEqual([[80, 80, { 'Fn::GetAtt': [expect.stringMatching(/^FrontEnd/), 'GroupId'] }]]);
    // Nothing else reaches the load balancer: no CIDR ingress on its security group.
    t.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: 'model service load balancer of demand', SecurityGroupIngress: Match.absent() });
  });

  test('scales like the prediction service: request count per task, CPU, and the peak windows 15 minutes ahead', () => {
    const { t } = serviceStack({ minTaskCount: 2, maxTaskCount: 6, peakTaskCount: 5, tpsPerTask: 50, peakWindows: [{ startHour: 8, duration: Duration.hours(2) }] });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2, MaxCapacity: 6,
      ScheduledActions: [
        { Schedule: 'cron(45 7 ? * * *)', ScalableTargetAction: { MinCapacity: 5 }, ScheduledActionName: Match.anyValue() },
        { Schedule: 'cron(0 10 ? * * *)', ScalableTargetAction: { MinCapacity: 2 }, ScheduledActionName: Match.anyValue() },
      ],
    });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', { TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 3000, PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }) }) });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', { TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } }) });
  });

  test('the update function may update only this service and pass only its roles, on promotions of its model and the service\'s deployments', () => {
    const { t } = serviceStack();
    const fn = Object.values(t.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment?.Variables?.[MODEL_SERVICE_SETTINGS_ENV]);
    expect(JSON.stringify(fn)).toMatch(/\\"containerName\\":\\"Model\\"/);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: ['ecs:DescribeServices', 'ecs:UpdateService'], Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('ModelService') } },
          Match.objectLike({ Action: 'iam:PassRole', Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'source': ['cdk-mlops.registry'], 'detail-type': ['Model Promoted'], 'detail': { model: ['demand'] } } });
    t.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'source': ['aws.ecs'], 'detail-type': ['ECS Deployment State Change'], 'resources': [{ Ref: Match.stringLikeRegexp('ModelService') }] } });
  });

  test.each([
    [{ cpu: 3000 }, /cpu must be one of Fargate's sizes \(256, 512, 1024, 2048, 4096, 8192, 16384 CPU units; Fargate has no GPUs\), but 3000 was provided/],
    [{ cpu: 512, memoryLimitMiB: 512 }, /memoryLimitMiB must be between 1024 and 4096 in steps of 1024 with cpu 512 \(Fargate's sizes\), but 512 was provided/],
    [{ command: [] }, /command must be the image's serve command, but an empty command was provided/],
    [{ minTaskCount: 3, maxTaskCount: 2 }, /maxTaskCount must be at least minTaskCount \(3\), but 2 was provided/],
  ])('rejects %j with the prop, the value and the fix', (props, message) => {
    expect(() => serviceStack(props as Partial<FargateModelServiceProps>)).toThrow(message);
  });
});

describe('a platform with a fargate-hosted model', () => {
  const online = () => spec({ mode: 'both', hosting: 'fargate', fargate: { command: SERVE, cpu: 512, memoryMiB: 1024 }, slo: { p95: '200ms', p99: '400ms' } });

  test('points the front end\'s :invoke at the model service over HTTP within the SLO budget, and lets only the front end in', () => {
    const app = testApp();
    const stacks = new MlopsPlatformStacks(app, { models: [online()], stackProps: { env: ENV } });
    const t = Template.fromStack(stacks.modelStacks[0]);
    t.resourceCountIs('AWS::SageMaker::Endpoint', 0);
    // The model's load balancer logs into the front end's access-log bucket.
    t.resourceCountIs('AWS::S3::Bucket', 1);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal', LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.prefix', Value: 'model-service/online-model' }]),
    });
    const tasks = Object.values(t.findResources('AWS::ECS::TaskDefinition')) as Array<{ Properties: { ContainerDefinitions: Array<{ Name: string; Environment?: Array<{ Name: string; Value: unknown }> }> } }>;
    const server = tasks.flatMap((d) => d.Properties.ContainerDefinitions).find((c) => c.Name === 'Server')!;
    const endpoints = server.Environment!.find((e) => e.Name === PREDICT_ENV.modelEndpoints)!.Value;
    // 400 ms p99 minus the Fargate front end's 15 ms, to http://<the internal load balancer>.
    expect(JSON.stringify(endpoints)).toMatch(/\{\\"models\\":\{\\"online-model\\":\{\\"mode\\":\\"both\\",\\"url\\":\\"http:\/\/.*\\"budgetMs\\":385\}\}\}/);
    t.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '512', Memory: '1024', RuntimePlatform: { CpuArchitecture: 'X86_64' } });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 80, ToPort: 80, GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ModelServiceLoadBalancerSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ServiceServiceSecurityGroup'), 'GroupId'] },
    });
  });

  test('passes AwsSolutions with no unacknowledged finding', () => {
    expect(nagFindings((app) => new MlopsPlatformStacks(app, { models: [online()], stackProps: { env: ENV } }))).toEqual([]);
  });
});
