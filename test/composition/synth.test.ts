// Serial and parallel specs synthesize: the image steps' SageMaker endpoints (consecutive image
// steps as one inference pipeline model), the front end's rights to call every step, and the
// composition the front end executes, which the runtime's own parser accepts.
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import fc from 'fast-check';
import { PREDICT_ENV } from '../../lambda/shared/predict/constants';
import { parseModelEndpoints } from '../../lambda/shared/predict/invoke-config';
import { MlopsPlatform } from '../../lib/platform/mlops-platform';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { ModelSpec } from '../../lib/spec/model-spec';
import { nagFindings, testApp } from '../support/cdk';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const IMAGE = (n: string) => `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${n}:1.0`;

function spec(name: string, composition?: unknown, inference: Record<string, unknown> = {}): ModelSpec {
  const { spec: s, problems } = parseModelSpecObject({
    name, description: 'd', owner: 'ds@example.com', training: { image: IMAGE('demand') }, evaluation: { metric: 'rmse' },
    inference: { mode: 'online', serving: 'service', rules: { fallback: [{ name: 'default', prediction: 0 }] }, ...(composition ? { composition } : {}), ...inference },
  }, { file: `models/${name}/model.yaml` });
  expect(problems).toEqual([]);
  return s!;
}

function synth(...models: ModelSpec[]) {
  const stack = new Stack(testApp(), 'Platform', { env: ENV });
  new MlopsPlatform(stack, 'Platform', { models });
  const t = Template.fromStack(stack);
  const values = (Object.values(t.findResources('AWS::ECS::TaskDefinition')) as Array<{ Properties: { ContainerDefinitions: Array<{ Environment: Array<{ Name: string; Value: unknown }> }> } }>)
    .flatMap((d) => d.Properties.ContainerDefinitions[0].Environment.filter((e) => e.Name === PREDICT_ENV.modelEndpoints).map((e) => e.Value as string));
  const raw = values.find((v) => v.startsWith(`{"models":{"${models[0].name}"`))!;
  return { t, endpoints: parseModelEndpoints(raw) };
}

const serial = {
  serial: [
    { name: 'clean', image: IMAGE('clean'), latency: '3ms' },
    { name: 'features', image: IMAGE('features'), latency: '5ms' },
    { name: 'model' },
    { name: 'calibrate', function: 'demand-calibrate', latency: '4ms' },
  ],
};

test('serial: consecutive image steps are one inference pipeline endpoint; the front end chains it, the model and the function', () => {
  const { t, endpoints } = synth(spec('demand', serial));
  expect(endpoints.models.demand.composition).toEqual({
    kind: 'serial',
    steps: [
      { name: 'clean+features', target: { sageMakerEndpoint: 'demand-clean' } },
      { name: 'model', target: { sageMakerEndpoint: 'demand' } },
      { name: 'calibrate', target: { function: 'demand-calibrate' } },
    ],
  });
  t.resourceCountIs('AWS::SageMaker::Endpoint', 1);
  t.hasResourceProperties('AWS::SageMaker::Model', {
    Containers: [
      { Image: IMAGE('clean'), Environment: { MLOPS_MODE: 'serve', MLOPS_MODEL: 'demand' } },
      { Image: IMAGE('features'), Environment: { MLOPS_MODE: 'serve', MLOPS_MODEL: 'demand' } },
    ],
    InferenceExecutionConfig: { Mode: 'Serial' },
    EnableNetworkIsolation: true,
  });
  // The steps scale with the model's traffic, as its endpoint does.
  t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { ResourceId: 'endpoint/demand-clean/variant/AllTraffic', MinCapacity: 2, MaxCapacity: 4 });
  t.hasResourceProperties('AWS::SageMaker::EndpointConfig', { KmsKeyId: Match.anyValue(), ProductionVariants: [Match.objectLike({ InstanceType: 'ml.c5.large', InitialInstanceCount: 2 })] });
  t.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([
      { Action: 'sagemaker:InvokeEndpoint', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:eu-west-1:123456789012:endpoint/demand-clean']] } },
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:eu-west-1:123456789012:function:demand-calibrate']] } },
    ]) },
    Roles: [{ Ref: Match.stringLikeRegexp('ServiceTaskDefinitionTaskRole') }],
  });
  // The step endpoint pulls its images from their repositories only.
  t.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      Resource: ['arn:aws:ecr:eu-west-1:123456789012:repository/clean', 'arn:aws:ecr:eu-west-1:123456789012:repository/features'],
    })]) },
  });
});

test('parallel: this model, another model of the platform (declared after it) and an image, with weights and timeouts', () => {
  const parallel = {
    parallel: {
      combine: 'weighted-mean', quorum: 2,
      branches: [
        { name: 'own', model: 'demand', weight: 2 },
        { name: 'seasonal', model: 'seasonal', timeout: '120ms' },
        { name: 'gbm', image: IMAGE('gbm'), latency: '40ms', timeout: '150ms' },
      ],
    },
  };
  const { t, endpoints } = synth(spec('demand', parallel), spec('seasonal'));
  expect(endpoints.models.demand.composition).toEqual({
    kind: 'parallel', combine: 'weighted-mean', quorum: 2,
    steps: [
      { name: 'own', target: { sageMakerEndpoint: 'demand' }, weight: 2 },
      { name: 'seasonal', target: { sageMakerEndpoint: 'seasonal' }, weight: 1, timeoutMs: 120 },
      { name: 'gbm', target: { sageMakerEndpoint: 'demand-gbm' }, weight: 1, timeoutMs: 150 },
    ],
  });
  t.hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: { Image: IMAGE('gbm'), Environment: Match.anyValue() }, EnableNetworkIsolation: true });
  t.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([
      { Action: 'sagemaker:InvokeEndpoint', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:eu-west-1:123456789012:endpoint/seasonal']] } },
    ]) },
    Roles: [{ Ref: Match.stringLikeRegexp('ServiceTaskDefinitionTaskRole') }],
  });
});

test('a serial composition synthesizes with no cdk-nag finding', () => {
  expect(nagFindings((app) => { new MlopsPlatformStacks(app, { models: [spec('demand', serial)], stackProps: { env: ENV } }); })).toEqual([]);
});

describe('generated compositions', () => {
  const image = (n: string) => fc.constant({ image: IMAGE(n), latency: '5ms' });
  const fn = fc.constantFrom({ function: 'demand-prep', latency: '2ms' }, { function: 'arn:aws:lambda:eu-west-1:123456789012:function:demand-post:live', latency: '2ms' });
  const around = fc.array(fc.oneof(image('prep'), fn), { maxLength: 2 });
  const serialSpec = fc.tuple(around, around).map(([before, after]) => ({
    serial: [...before.map((s, i) => ({ name: `pre-${i}`, ...s })), { name: 'model' }, ...after.map((s, i) => ({ name: `post-${i}`, ...s }))],
  })).filter((c) => c.serial.length >= 2);
  const branchTarget = fc.oneof(fc.constant({ model: 'demand' }), fc.constant({ model: 'seasonal' }), image('gbm'));
  // Timeouts above every branch's declared latency (50 ms): MLOPS-CompositionFitsSlo refuses shorter ones.
  const parallelSpec = fc.record({
    combine: fc.constantFrom('mean', 'weighted-mean', 'vote', 'first'),
    branches: fc.array(fc.record({ target: branchTarget, weight: fc.integer({ min: 1, max: 5 }), timeout: fc.option(fc.integer({ min: 60, max: 400 }), { nil: undefined }) }), { minLength: 2, maxLength: 4 }),
  }).map(({ combine, branches }) => ({
    parallel: { combine, branches: branches.map((b, i) => ({ name: `b-${i}`, ...b.target, weight: b.weight, ...(b.timeout ? { timeout: `${b.timeout}ms` } : {}) })) },
  }));

  test('every generated spec loads, synthesizes, and its front end configuration parses', () => {
    fc.assert(fc.property(fc.oneof(serialSpec, parallelSpec), (composition) => {
      const { t, endpoints } = synth(spec('demand', composition), spec('seasonal'));
      const config = endpoints.models.demand.composition!;
      const images = 'serial' in composition
        ? composition.serial.filter((s, i, all) => 'image' in s && !(i > 0 && 'image' in all[i - 1])).length
        : composition.parallel.branches.filter((b) => 'image' in b).length;
      t.resourceCountIs('AWS::SageMaker::Endpoint', images);
      expect(config.kind).toBe('serial' in composition ? 'serial' : 'parallel');
    }), { numRuns: 4 });
  });
});
