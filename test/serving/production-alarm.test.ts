import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MlopsMonitoring } from '../../lib/monitoring';
import { testApp } from '../support/cdk';
import * as f from '../monitoring/fixtures';

describe('alarm on failed production version reads', () => {
  test.each([
    ['the service', (m: MlopsMonitoring, s: Stack) => m.monitorPredictionService({ model: 'demand', targetGroup: f.targetGroup(s) })],
    ['the API', (m: MlopsMonitoring, s: Stack) => m.monitorPredictionApi({ model: 'demand', predictFunction: f.predictFunction(s) })],
  ])('%s warns after five failing minutes in a row', (_name, monitor) => {
    const stack = new Stack(testApp(), 'S', { env: f.env });
    const monitoring = new MlopsMonitoring(stack, 'Monitoring', { alarmNamePrefix: 'mlops' });
    monitor(monitoring, stack);
    const alarm = f.alarmNamed(Template.fromStack(stack), 'mlops-demand-ProductionVersionReadFailures');
    expect(f.metricOf(alarm)).toEqual({ namespace: 'CdkMlops', name: 'ProductionVersionReadFailures', stat: 'Sum', period: 60, dimensions: { Model: 'demand' } });
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 5, DatapointsToAlarm: 5, TreatMissingData: 'notBreaching' });
    expect(alarm.AlarmDescription).toMatch(/^\[WARNING\] demand: The servers could not read the production version/);
    expect(alarm.AlarmActions).toHaveLength(1);
  });
});
