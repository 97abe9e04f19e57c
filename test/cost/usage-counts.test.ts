// The cost model's counts of what the stacks create (alarm metrics, task size) are checked
// against synthesized templates, so a change to the constructs fails here until usage.ts follows.
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { USAGE } from '../../lib/cost/usage';
import { MlopsPlatformStack } from '../../lib/platform/mlops-platform-stack';
import { ModelSpec, ServingFrontEnd } from '../../lib/spec';
import { loadModelSpec } from '../../lib/spec/load-model-spec';
import { testApp } from '../support/cdk';

const example = loadModelSpec(join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml'));

function variant(name: string, serving: ServingFrontEnd): ModelSpec {
  // API serving takes no peak windows without provisioned concurrency; they only matter to the service.
  const peakWindows = serving === ServingFrontEnd.SERVICE ? example.inference.peakWindows : [];
  return { ...example, name, data: { ...example.data, location: `${name}/` }, inference: { ...example.inference, serving, serviceName: name, peakWindows } };
}

/** Metrics read by the alarms of a platform: a metric-math alarm pays for each metric in it. */
function alarmMetrics(models: ModelSpec[]): number {
  const template = Template.fromStack(new MlopsPlatformStack(testApp(), 'Counted', { models })).toJSON();
  return Object.values(template.Resources as Record<string, { Type: string; Properties: { Metrics?: Array<{ MetricStat?: unknown }> } }>)
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .reduce((n, a) => n + (a.Properties.Metrics ? a.Properties.Metrics.filter((m) => m.MetricStat).length : 1), 0);
}

describe.each([ServingFrontEnd.SERVICE, ServingFrontEnd.API, ServingFrontEnd.NONE])('alarm metrics with serving %s', (serving) => {
  test('per model and for the platform, as usage.ts counts them', () => {
    const one = alarmMetrics([variant('m-one', serving)]);
    const two = alarmMetrics([variant('m-one', serving), variant('m-two', serving)]);
    expect({ perModel: two - one, platform: 2 * one - two }).toEqual({ perModel: USAGE.alarmMetricsPerModel[serving], platform: USAGE.alarmMetricsPlatform });
  });
});
