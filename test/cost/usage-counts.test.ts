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
  // Without the example's ingestion: its alarms are counted apart (ingestion-cost.test.ts).
  return { ...example, name, data: { ...example.data, location: `${name}/`, ingestion: undefined }, inference: { ...example.inference, serving, serviceName: name, peakWindows } };
}

/** Metrics read by the alarms of a platform (a metric-math alarm pays for each metric in it), and its composite alarms. */
function alarms(models: ModelSpec[]): { metrics: number; composites: number } {
  const template = Template.fromStack(new MlopsPlatformStack(testApp(), 'Counted', { models })).toJSON();
  const resources = Object.values(template.Resources as Record<string, { Type: string; Properties: { Metrics?: Array<{ MetricStat?: unknown }> } }>);
  return {
    metrics: resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .reduce((n, a) => n + (a.Properties.Metrics ? a.Properties.Metrics.filter((m) => m.MetricStat).length : 1), 0),
    composites: resources.filter((r) => r.Type === 'AWS::CloudWatch::CompositeAlarm').length,
  };
}

describe.each([ServingFrontEnd.SERVICE, ServingFrontEnd.API, ServingFrontEnd.NONE])('alarms with serving %s', (serving) => {
  test('per model and for the platform, as usage.ts counts them', () => {
    const one = alarms([variant('m-one', serving)]);
    const two = alarms([variant('m-one', serving), variant('m-two', serving)]);
    expect({
      metricsPerModel: two.metrics - one.metrics, metricsPlatform: 2 * one.metrics - two.metrics,
      compositesPerModel: two.composites - one.composites, compositesPlatform: 2 * one.composites - two.composites,
    }).toEqual({
      metricsPerModel: USAGE.alarmMetricsPerModel[serving], metricsPlatform: USAGE.alarmMetricsPlatform,
      compositesPerModel: USAGE.compositeAlarmsPerModel[serving], compositesPlatform: USAGE.compositeAlarmsPlatform,
    });
  });
});
