// A deploy must not reset a scaled-out service (issue 20 §2, aws-cdk issue 13130): no template
// renders a desired count, so CloudFormation keeps the running count on update and the scalable
// target's minimum brings a new service up to its minimum. Checked on the standalone construct,
// on the platform stacks and on generated specs served by ALB + Fargate.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import fc from 'fast-check';
import { modelCopies } from '../../bench/synth/model-copies';
import { ModelRegistry } from '../../lib/model-registry';
import { PredictionApi } from '../../lib/prediction-api';
import { PredictionService } from '../../lib/prediction-service';
import { PredictionStore } from '../../lib/prediction-store';
import { MlopsPlatform } from '../../lib/platform/mlops-platform';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { ServingFrontEnd } from '../../lib/spec/model-spec';
import { acceptedSpec, rawSpec } from '../platform/spec-arbitrary';
import { testApp } from '../support/cdk';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const models = [{ model: 'demand-forecast' }];

/** The services of every stack of the app, and those that render a desired count (`stack/logicalId`). */
function services(app: App): { all: string[]; withDesiredCount: string[] } {
  const all: string[] = [];
  const withDesiredCount: string[] = [];
  for (const stack of app.synth().stacks) {
    for (const [id, r] of Object.entries<any>(stack.template.Resources ?? {})) {
      if (r.Type !== 'AWS::ECS::Service') continue;
      all.push(`${stack.stackName}/${id}`);
      if (r.Properties && 'DesiredCount' in r.Properties) withDesiredCount.push(`${stack.stackName}/${id}`);
    }
  }
  return { all, withDesiredCount };
}

describe('no template renders a desired count', () => {
  test('the standalone service: no DesiredCount, and the scalable target holds the minimum', () => {
    const stack = new Stack(testApp(), 'S');
    const deps = { registry: new ModelRegistry(stack, 'Registry'), predictionStore: new PredictionStore(stack, 'Predictions') };
    new PredictionService(stack, 'Service', { ...deps, models, minTps: 700, avgTps: 900, maxTps: 1200 });
    const t = Template.fromStack(stack);
    const services = Object.values(t.findResources('AWS::ECS::Service'));
    expect(services).toHaveLength(1);
    expect(services[0].Properties).not.toHaveProperty('DesiredCount');
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3, ScalableDimension: 'ecs:service:DesiredCount' });
  });

  test('the Lambda API with peak windows: provisioned concurrency is left to the scheduled actions, not rendered on the alias', () => {
    const stack = new Stack(testApp(), 'S');
    const deps = { registry: new ModelRegistry(stack, 'Registry'), predictionStore: new PredictionStore(stack, 'Predictions') };
    new PredictionApi(stack, 'Api', { ...deps, models, provisionedConcurrency: 5, peakWindows: [{ startHour: 18, endHour: 21 }] });
    const t = Template.fromStack(stack);
    for (const alias of Object.values(t.findResources('AWS::Lambda::Alias'))) expect(alias.Properties).not.toHaveProperty('ProvisionedConcurrencyConfig');
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0, MaxCapacity: 5, ScalableDimension: 'lambda:function:ProvisionedConcurrency' });
  });

  test('the platform stacks (every model shape)', () => {
    const app = testApp();
    new MlopsPlatformStacks(app, { models: modelCopies(4) });
    const { all, withDesiredCount } = services(app);
    expect(all.length).toBeGreaterThan(0);
    expect(withDesiredCount).toEqual([]);
  });

  test('generated specs served by ALB + Fargate', () => {
    const served = rawSpec('gen').map((raw) => ({ ...raw, inference: { ...raw.inference, mode: 'online', serving: 'service' } }));
    // One synth of a platform is about 20 s on these machines: two generated models per run.
    fc.assert(fc.property(served, served, (a, b) => {
      const app = testApp();
      const specs = [acceptedSpec({ ...a, name: 'gen-a' }), acceptedSpec({ ...b, name: 'gen-b' })];
      expect(specs.every((s) => s.inference.serving === ServingFrontEnd.SERVICE)).toBe(true);
      new MlopsPlatform(new Stack(app, 'Gen', { env: ENV }), 'Platform', { models: specs });
      const { all, withDesiredCount } = services(app);
      expect(all).toHaveLength(2);
      expect(withDesiredCount).toEqual([]);
    }), { numRuns: 2 });
  }, 5 * 60_000);
});
