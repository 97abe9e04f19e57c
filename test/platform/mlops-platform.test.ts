import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { MlopsPlatform } from '../../lib/platform/mlops-platform';
import { MlopsPlatformStack } from '../../lib/platform/mlops-platform-stack';
import { ModelSpec } from '../../lib/spec/model-spec';
import { loadModelSpec, parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { nagFindings, testApp } from '../support/cdk';

const EXAMPLE = join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml');

/** A spec like the example's, renamed and changed where a test needs it. */
function specOf(name: string, inference: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): ModelSpec {
  const raw = {
    name, description: `${name} model`, owner: 'ds@example.com', categories: ['a', 'b'],
    training: { image: 'public.ecr.aws/docker/library/python:3.12-slim' },
    evaluation: { metric: 'rmse' },
    inference: { mode: 'batch', rules: { fallback: [{ name: 'default', prediction: 0 }] }, ...inference },
    ...extra,
  };
  const { spec, problems } = parseModelSpecObject(raw, { file: `models/${name}/model.yaml` });
  if (!spec) throw new Error(JSON.stringify(problems));
  return spec;
}

describe('MlopsPlatformStack (the default app)', () => {
  const app = testApp();
  const stack = new MlopsPlatformStack(app, 'Default', { models: [loadModelSpec(EXAMPLE)] });
  const template = Template.fromStack(stack);

  test('composes storage, registry, predictions, monitoring and the example model, with its daily ingestion', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    // Training, batch inference, ingestion.
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 3);
    template.resourceCountIs('AWS::ECS::Service', 1);
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    // The example trains on each delivered day (triggersTraining), so its cron schedule is created disabled.
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 2 * * ? *)', ScheduleExpressionTimezone: 'Europe/Paris', State: 'DISABLED' });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 day)', State: 'ENABLED' });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  test('publishes what clients need under one SSM prefix, and as outputs', () => {
    for (const name of [
      '/cdk-mlops/default/registry/table-name', '/cdk-mlops/default/predictions/table-name',
      '/cdk-mlops/default/data/datasets-bucket', '/cdk-mlops/default/models/demand-forecast/training-state-machine-arn',
      '/cdk-mlops/default/models/demand-forecast/batch-inference-state-machine-arn', '/cdk-mlops/default/models/demand-forecast/endpoint',
    ]) {
      template.hasResourceProperties('AWS::SSM::Parameter', { Name: name, Type: 'String' });
    }
    expect(Object.keys(template.findOutputs('*'))).toEqual(expect.arrayContaining([
      expect.stringMatching(/^PlatformRegistryTable/), expect.stringMatching(/^PlatformDemandForecastTrainingStateMachine/), expect.stringMatching(/^PlatformDemandForecastEndpoint/),
    ]));
  });

  test('states the serving choice made from the expected traffic in the synth output', () => {
    Annotations.fromStack(stack).hasInfo('*', Match.stringLikeRegexp('demand-forecast: serving front end "service" .*avg 300 TPS'));
  });

  test('has no unacknowledged cdk-nag findings', () => {
    expect(nagFindings((a) => { new MlopsPlatformStack(a, 'Nag', { models: [loadModelSpec(EXAMPLE)] }); })).toEqual([]);
  });
});

describe('MlopsPlatform composition', () => {
  test('addModel adds a model without touching the resources of the others', () => {
    const one = new Stack(testApp(), 'One');
    new MlopsPlatform(one, 'Platform', { models: [specOf('first', { serving: 'api' })] });
    const before = Template.fromStack(one).toJSON().Resources as Record<string, unknown>;

    const two = new Stack(testApp(), 'One');
    const platform = new MlopsPlatform(two, 'Platform', { models: [specOf('first', { serving: 'api' })] });
    platform.addModel(specOf('second', { serving: 'api' }));
    const after = Template.fromStack(two).toJSON().Resources as Record<string, unknown>;

    const changed = Object.keys(before).filter((id) => JSON.stringify(before[id]) !== JSON.stringify(after[id]));
    // Only shared dashboards/parameters may change; nothing of the first model's own resources.
    expect(changed.filter((id) => /Modelfirst/i.test(id))).toEqual([]);
    expect(Object.keys(after).filter((id) => /Modelsecond/i.test(id)).length).toBeGreaterThan(10);
    expect(platform.models.map((m) => m.spec.name)).toEqual(['first', 'second']);
  });

  test('every online model gets its own serving service', () => {
    const stack = new Stack(testApp(), 'S');
    new MlopsPlatform(stack, 'Platform', { models: [specOf('alpha', { serving: 'service' }), specOf('beta', { serving: 'service' })] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ECS::Service', 2);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 2);
  });

  test('two models declaring one service name fail the all-in-one check at synth', () => {
    const stack = new Stack(testApp(), 'S');
    const platform = new MlopsPlatform(stack, 'Platform', { models: [specOf('alpha', { serving: 'service', serviceName: 'shared' })] });
    expect(() => platform.addModel(specOf('beta', { serving: 'service', serviceName: 'shared' }))).toThrow(/MLOPS-OneModelPerService/);
  });

  test('low traffic is served by the Lambda API, and a batch-only model by no front end', () => {
    const stack = new Stack(testApp(), 'S');
    new MlopsPlatform(stack, 'Platform', { models: [specOf('quiet', { tps: { min: 1, avg: 5, max: 20 } }), specOf('offline', { serving: 'none' })] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.resourceCountIs('AWS::ECS::Service', 0);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 4);
  });

  test('a model name can only be added once, and bad platform names are refused', () => {
    const platform = new MlopsPlatform(new Stack(testApp(), 'S'), 'Platform', { models: [specOf('alpha', { serving: 'none' })] });
    expect(() => platform.addModel(specOf('alpha', { serving: 'none' }))).toThrow(/model "alpha" \(models\/alpha\/model.yaml\) is already part of the platform/);
    expect(() => new MlopsPlatform(new Stack(testApp(), 'T'), 'Platform', { platformName: 'Prod Env' }))
      .toThrow(/platformName must be 1-40 lowercase letters, digits or hyphens, but "Prod Env" was provided/);
  });

  test('a data location the pipeline cannot read is a problem of the spec, found at load', () => {
    expect(() => specOf('alpha', { serving: 'none' }, { data: { location: 's3://elsewhere/data/' } })).toThrow(/"path":"data.location".*training reads s3:\/\/<datasets bucket>\/alpha\//);
  });

  test('alarms follow the spec: the SLO of the model becomes the latency alarm threshold', () => {
    const stack = new Stack(testApp(), 'S');
    new MlopsPlatform(stack, 'Platform', { models: [specOf('alpha', { serving: 'service', slo: { p95: '200ms', p99: '400ms' } })] });
    const template = Template.fromStack(stack);
    const latency = (stat: string, threshold: number) => ({
      Threshold: threshold,
      // The platform topic, and the owner's topic of the model.
      AlarmActions: Match.arrayWith([{ Ref: Match.stringLikeRegexp('PlatformMonitoringTopic') }]),
      Metrics: Match.arrayWith([Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'TargetResponseTime' }), Stat: stat }) })]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', latency('p95', 0.2));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', latency('p99', 0.4));
  });
});

describe('MlopsPlatform with a Batch-trained model', () => {
  test('creates the model\'s own GPU compute with its vCPU cap and passes cdk-nag', () => {
    const batchSpec = () => specOf('gpu', { serving: 'none' }, {
      training: { image: 'public.ecr.aws/docker/library/python:3.12-slim', backend: 'batch', instanceType: 'g5.xlarge', maxVcpus: 32, command: ['python3', '/opt/program/train.py'] },
    });
    const stack = new Stack(testApp(), 'S');
    new MlopsPlatform(stack, 'Platform', { models: [batchSpec()] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', { ComputeResources: Match.objectLike({ MaxvCpus: 32, MinvCpus: 0, Type: 'SPOT' }) });
    expect(nagFindings((a) => { new MlopsPlatform(new Stack(a, 'Nag'), 'Platform', { models: [batchSpec()] }); })).toEqual([]);
  });
});
