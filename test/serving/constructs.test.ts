import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { ModelRegistry } from '../../lib/model-registry';
import { PredictionApi } from '../../lib/prediction-api';
import { PredictionService, PredictionServiceProps, deriveCapacity } from '../../lib/prediction-service';
import { PredictionStore } from '../../lib/prediction-store';
import { nagFindings, testApp } from '../support/cdk';

function setup(stack: Stack) {
  return { registry: new ModelRegistry(stack, 'Registry'), predictionStore: new PredictionStore(stack, 'Predictions') };
}
const models = [{ model: 'demand-forecast', categories: ['all'], rules: { fallback: [{ name: 'average', prediction: 12.5 }] } }];

function serviceTemplate(extra: Partial<PredictionServiceProps> = {}) {
  const stack = new Stack(testApp(), 'S');
  const service = new PredictionService(stack, 'Service', { ...setup(stack), models, ...extra });
  return { template: Template.fromStack(stack), service, stack };
}

describe('PredictionStore', () => {
  test('on-demand, customer key, PITR, TTL on expiresAt, retained', () => {
    const stack = new Stack(testApp(), 'S');
    new PredictionStore(stack, 'Predictions');
    const t = Template.fromStack(stack);
    t.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() }),
        DeletionProtectionEnabled: true,
      }),
    });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });
});

describe('PredictionService', () => {
  test('task counts follow the declared traffic: 2 minimum, peak for maxTps, 20% headroom', () => {
    expect(deriveCapacity({ minTps: 100, avgTps: 300, maxTps: 1000, tpsPerTask: 300 })).toEqual({ minTasks: 2, avgTasks: 2, peakTasks: 4, maxTasks: 4 });
    expect(deriveCapacity({ minTps: 1000, avgTps: 2000, maxTps: 5000, tpsPerTask: 250 })).toEqual({ minTasks: 4, avgTasks: 8, peakTasks: 20, maxTasks: 24 });
  });

  test('scalable target with request-count and CPU target tracking', () => {
    const { template } = serviceTemplate();
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 4, ScalableDimension: 'ecs:service:DesiredCount' });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: 18000,
        PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }),
      }),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } }),
    });
  });

  test('scales out 15 minutes before a declared peak window and back after it', () => {
    const { template } = serviceTemplate({ peakWindows: [{ startHour: 8, endHour: 10, daysOfWeek: 'MON-FRI', timeZone: 'Europe/Paris' }] });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScheduledActions: Match.arrayWith([
        Match.objectLike({ Schedule: 'cron(45 7 ? * MON-FRI *)', ScalableTargetAction: { MinCapacity: 4 }, Timezone: 'Europe/Paris' }),
        Match.objectLike({ Schedule: 'cron(0 10 ? * MON-FRI *)', ScalableTargetAction: { MinCapacity: 2 }, Timezone: 'Europe/Paris' }),
      ]),
    });
  });

  test('deployment circuit breaker with rollback, arm64 tasks, no public IPs', () => {
    const { template } = serviceTemplate();
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100 }),
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' } });
  });

  test('the container runs as non-root with a read-only root filesystem and a health check', () => {
    const { template } = serviceTemplate();
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        ReadonlyRootFilesystem: true,
        User: '1000:1000',
        HealthCheck: Match.objectLike({ Command: ['CMD', 'node', '/app/healthcheck.js'] }),
        Environment: Match.arrayWith([{ Name: 'MLOPS_SERVING_CONFIG', Value: Match.stringLikeRegexp('"average"') }]),
      })],
    });
  });

  test('the answer cache is capped at a quarter of the task memory', () => {
    const { template } = serviceTemplate({ memoryLimitMiB: 2048 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Memory: '2048',
      ContainerDefinitions: [Match.objectLike({ Environment: Match.arrayWith([{ Name: 'MLOPS_CACHE_MAX_BYTES', Value: String(512 * 1024 * 1024) }]) })],
    });
  });

  test('the load balancer drops invalid headers, logs access and checks /health', () => {
    const { template } = serviceTemplate();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/health', Port: 8080 });
  });

  test('no NAT gateway: gateway endpoints for DynamoDB and S3, isolated task subnets', () => {
    const { template } = serviceTemplate();
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('dynamodb')])]) }) });
  });

  test('TLS with the recommended policy when a certificate is given, HTTP redirected', () => {
    const stack = new Stack(testApp(), 'S');
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/abc');
    new PredictionService(stack, 'Service', { ...setup(stack), models, certificate });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, DefaultActions: [Match.objectLike({ Type: 'redirect' })] });
  });

  test('a Fargate Spot share keeps the minimum on On-Demand', () => {
    const { template } = serviceTemplate({ spotWeight: 1 });
    template.hasResourceProperties('AWS::ECS::Service', {
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Base: 2, Weight: 1 }, { CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
    });
  });

  test('the image is a Docker asset staged at synth, built for arm64 (synth needs no Docker)', () => {
    const { stack } = serviceTemplate();
    const assembly = (stack.node.root as import('aws-cdk-lib').App).synth();
    const manifest = JSON.parse(readFileSync(join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8'));
    const images = Object.values(manifest.dockerImages) as Array<{ source: { directory: string; platform: string } }>;
    expect(images.map((i) => i.source.platform)).toEqual(['linux/arm64']);
    const staged = join(assembly.directory, images[0].source.directory);
    expect(existsSync(join(staged, 'Dockerfile')) && existsSync(join(staged, 'server.js'))).toBe(true);
  });

  test.each([
    [{ minTps: 500, avgTps: 300 }, /minTps <= avgTps <= maxTps, but 500 \/ 300 \/ 1000 was provided/],
    [{ tpsPerTask: 0 }, /tpsPerTask must be a positive number of requests per second, but 0 was provided/],
    [{ peakWindows: [{ startHour: 9, endHour: 9 }] }, /peakWindows\[0\].endHour must be a whole hour after startHour \(9\)/],
    [{ spotWeight: 11 }, /spotWeight must be a whole number between 0 and 10, but 11 was provided/],
    [{ models: [{ model: 'demand-forecast', rules: { fallback: [{ name: 'x', when: { prediction: { gt: 1 } }, prediction: 1 }] } }] }, /invalid serving configuration: .*only override rules can test the prediction/],
    [{ models: [] }, /models must list at least one served model/],
  ])('rejects %j', (extra, message) => {
    expect(() => serviceTemplate(extra as Partial<PredictionServiceProps>)).toThrow(message);
  });

  test('cdk-nag clean (acknowledged findings carry reasons)', () => {
    expect(nagFindings((app) => {
      const stack = new Stack(app, 'S');
      new PredictionService(stack, 'Service', { ...setup(stack), models, peakWindows: [{ startHour: 8, endHour: 10 }] });
    })).toEqual([]);
  });
});

describe('PredictionApi', () => {
  test('HTTP API with IAM authorization, stage throttling from maxTps and access logs', () => {
    const stack = new Stack(testApp(), 'S');
    new PredictionApi(stack, 'Api', { ...setup(stack), models, maxTps: 50 });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    t.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /v1/{proxy+}', AuthorizationType: 'AWS_IAM' });
    t.hasResourceProperties('AWS::Lambda::Function', { Architectures: ['arm64'], Environment: { Variables: Match.objectLike({ MLOPS_SERVING_CONFIG: Match.stringLikeRegexp('demand-forecast') }) } });
  });

  test('provisioned concurrency scheduled on the alias for peak windows', () => {
    const stack = new Stack(testApp(), 'S');
    new PredictionApi(stack, 'Api', { ...setup(stack), models, provisionedConcurrency: 5, peakWindows: [{ startHour: 18, endHour: 21 }] });
    Template.fromStack(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScalableDimension: 'lambda:function:ProvisionedConcurrency',
      ScheduledActions: [
        Match.objectLike({ Schedule: 'cron(45 17 ? * * *)', ScalableTargetAction: { MinCapacity: 5, MaxCapacity: 5 } }),
        Match.objectLike({ Schedule: 'cron(0 21 ? * * *)', ScalableTargetAction: { MinCapacity: 0, MaxCapacity: 0 } }),
      ],
    });
  });

  test('a REST API with a usage plan when API keys are required, and a WAF association when a web ACL is given', () => {
    const stack = new Stack(testApp(), 'S');
    new PredictionApi(stack, 'Api', { ...setup(stack), models, apiKeyRequired: true, webAclArn: 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/x/y' });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    t.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', ApiKeyRequired: true, AuthorizationType: 'AWS_IAM' });
    t.resourceCountIs('AWS::ApiGateway::UsagePlan', 1);
    t.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  test.each([
    [{ peakWindows: [{ startHour: 8, endHour: 9 }] }, /peakWindows only schedule provisioned concurrency on the API, but provisionedConcurrency is 0/],
    [{ provisionedConcurrency: -1 }, /provisionedConcurrency must be a whole number >= 0, but -1 was provided/],
  ])('rejects %j', (extra, message) => {
    const stack = new Stack(testApp(), 'S');
    expect(() => new PredictionApi(stack, 'Api', { ...setup(stack), models, ...extra })).toThrow(message);
  });

  test('cdk-nag clean for the HTTP and the REST variants', () => {
    expect(nagFindings((app) => {
      const stack = new Stack(app, 'S');
      const deps = setup(stack);
      new PredictionApi(stack, 'Api', { ...deps, models });
      new PredictionApi(stack, 'Rest', { ...deps, models, apiKeyRequired: true, provisionedConcurrency: 2, peakWindows: [{ startHour: 8, endHour: 9 }] });
    })).toEqual([]);
  });
});
