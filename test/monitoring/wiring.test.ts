import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DataLake } from '../../lib/data-lake';
import { ModelRegistry } from '../../lib/model-registry';
import { AlarmSeverity, MlopsMonitoring } from '../../lib/monitoring';
import { MetricDirection } from '../../lib/training-pipeline';
import { nagFindings, testApp } from '../support/cdk';
import * as f from './fixtures';

function platform(stack: Stack) {
  const dataLake = new DataLake(stack, 'DataLake');
  const registry = new ModelRegistry(stack, 'Registry');
  const monitoring = new MlopsMonitoring(stack, 'Monitoring', { alarmNamePrefix: 'mlops', drift: { dataLake, registry }, emailSubscriptions: ['ml@example.com'] });
  return { dataLake, registry, monitoring };
}

/** One model wired the way MlopsPlatform is expected to wire it. */
function monitorDemand(stack: Stack, monitoring: MlopsMonitoring) {
  const train = f.pipeline(stack, 'train-demand');
  monitoring.monitorTrainingPipeline({ model: 'demand', stateMachine: train, categories: ['north', 'south'] });
  monitoring.monitorPredictions({ model: 'demand', ttl: Duration.days(3), categories: ['north', 'south'] });
  monitoring.monitorPredictionService({ model: 'demand', targetGroup: f.targetGroup(stack), service: f.service(stack), minRunningTasks: 2, categories: ['north', 'south'] });
  monitoring.monitorTable({ table: f.table(stack, 'predictions'), label: 'predictions', model: 'demand' });
  monitoring.monitorModelQuality({ model: 'demand', metricName: 'rmse', direction: MetricDirection.MINIMIZE, threshold: 12, categories: ['north', 'south'] });
  monitoring.monitorDrift({ model: 'demand', trainingPipeline: train, retrainCooldown: Duration.hours(12), categories: ['north', 'south'], features: ['price'] });
  const pipelineLogs = logs.LogGroup.fromLogGroupName(stack, 'TrainLogs', '/aws/lambda/train-demand');
  const servingLogs = logs.LogGroup.fromLogGroupName(stack, 'ServeLogs', '/ecs/demand-predict');
  monitoring.addLogQueries({ model: 'demand', pipelineLogGroups: [pipelineLogs], servingLogGroups: [servingLogs] });
  return train;
}

describe('paging alarms', () => {
  test('one composite per model and area, fired by that area\'s critical alarms only', () => {
    const stack = new Stack(testApp(), 'Mon', { env: f.env });
    const { monitoring } = platform(stack);
    monitorDemand(stack, monitoring);
    const t = Template.fromStack(stack);
    const composites = Object.values(t.findResources('AWS::CloudWatch::CompositeAlarm')).map((r) => r.Properties);
    expect(composites.map((p) => p.AlarmName).sort()).toEqual(['mlops-demand-Page-predictions', 'mlops-demand-Page-serving']);
    expect(monitoring.pagingAlarms('demand')).toHaveLength(2);
    const logicalId = (name: string) => Object.entries(t.findResources('AWS::CloudWatch::Alarm')).find(([, r]) => r.Properties.AlarmName === name)![0];
    const rule = (name: string) => JSON.stringify(composites.find((p) => p.AlarmName === name)!.AlarmRule);
    const children = (name: string) => (rule(name).match(/GetAtt\":\[\"([^\"]+)\"/g) ?? []).length;
    expect(children('mlops-demand-Page-predictions')).toBe(2);
    for (const c of ['north', 'south']) expect(rule('mlops-demand-Page-predictions')).toContain(logicalId(`mlops-demand-PredictionsStaleCritical-${c}`));
    expect(children('mlops-demand-Page-serving')).toBe(3);
    for (const critical of ['LatencyP99AboveSlo', 'ServerErrorRate', 'RunningTasksBelowMinimum']) {
      expect(rule('mlops-demand-Page-serving')).toContain(logicalId(`mlops-demand-${critical}`));
    }
    for (const p of composites) {
      expect(p.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringTopic/) }]);
      expect(p.OKActions).toEqual(p.AlarmActions);
      expect(p.AlarmDescription).toMatch(/^\[PAGE\] demand: /);
    }
  });

  test('system errors of a shared table page on the shared store composite', () => {
    const stack = new Stack(testApp(), 'Mon', { env: f.env });
    const monitoring = new MlopsMonitoring(stack, 'Monitoring', { alarmNamePrefix: 'mlops' });
    monitoring.monitorTable({ table: f.table(stack, 'registry'), label: 'registry', systemErrorSeverity: AlarmSeverity.CRITICAL });
    monitoring.monitorTable({ table: f.table(stack, 'predictions'), label: 'predictions' });
    const t = Template.fromStack(stack);
    const composites = Object.values(t.findResources('AWS::CloudWatch::CompositeAlarm')).map((r) => r.Properties);
    expect(composites.map((p) => p.AlarmName)).toEqual(['mlops-shared-Page-store']);
    const registryErrors = Object.entries(t.findResources('AWS::CloudWatch::Alarm')).find(([, r]) => r.Properties.AlarmName === 'mlops-shared-registry-SystemErrors')![0];
    expect(JSON.stringify(composites[0].AlarmRule)).toContain(registryErrors);
    // The predictions table's system errors are a warning here: they notify, they do not page.
    expect(JSON.stringify(composites[0].AlarmRule)).not.toContain('predictionsSystemErrors');
  });

  test('a model with warnings only has no paging alarm', () => {
    const stack = new Stack(testApp(), 'Mon', { env: f.env });
    const monitoring = new MlopsMonitoring(stack, 'Monitoring', { alarmNamePrefix: 'mlops' });
    monitoring.monitorModelQuality({ model: 'quiet', metricName: 'auc', direction: MetricDirection.MAXIMIZE, threshold: 0.7 });
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::CompositeAlarm', 0);
    expect(monitoring.pagingAlarms('quiet')).toEqual([]);
  });
});

describe('drift -> retraining', () => {
  test('the drift alarm entering ALARM invokes the retrain function with the model, pipeline and cooldown', () => {
    const stack = new Stack(testApp(), 'Mon', { env: f.env });
    const { monitoring } = platform(stack);
    monitorDemand(stack, monitoring);
    const t = Template.fromStack(stack);
    const driftAlarmId = Object.entries(t.findResources('AWS::CloudWatch::Alarm')).find(([, r]) => r.Properties.AlarmName === 'mlops-demand-PredictionDrift')![0];
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        'resources': [{ 'Fn::GetAtt': [driftAlarmId, 'Arn'] }],
        'detail': { state: { value: ['ALARM'] } },
      },
      Targets: [Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MonitoringDriftRetrainFunction'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 },
        InputTransformer: Match.objectLike({
          InputPathsMap: Match.objectLike({ 'detail-alarmName': '$.detail.alarmName', 'detail-state-value': '$.detail.state.value' }),
          InputTemplate: Match.stringLikeRegexp('"model":"demand".*"stateMachineArn":"arn:aws:states:eu-west-1:111111111111:stateMachine:train-demand".*"cooldownSeconds":43200'),
        }),
      })],
    });
    t.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MonitoringDriftRetrainFunction'), 'Arn'] },
    });
  });

  test('the retrain function may start only the declared pipelines and touch only DRIFT# items', () => {
    const stack = new Stack(testApp(), 'Mon', { env: f.env });
    const { monitoring } = platform(stack);
    monitorDemand(stack, monitoring);
    const t = Template.fromStack(stack);
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles).includes('MonitoringDriftRetrainFunction'));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'states:StartExecution', Resource: 'arn:aws:states:eu-west-1:111111111111:stateMachine:train-demand' }),
      expect.objectContaining({
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DRIFT#*'] } },
      }),
    ]));
    expect(JSON.stringify(statements)).not.toMatch(/dynamodb:\*|states:\*|"\*"\]?,"Effect":"Allow","Resource":"\*"/);
  });

  test('monitorDrift with a pipeline needs the drift loop', () => {
    const stack = new Stack(testApp(), 'Mon', { env: f.env });
    const monitoring = new MlopsMonitoring(stack, 'Monitoring');
    expect(() => monitoring.monitorDrift({ model: 'demand', trainingPipeline: f.pipeline(stack, 't') }))
      .toThrow(/has a trainingPipeline but MlopsMonitoring has no drift loop: pass the drift prop/);
  });

  test('the compute function reads predictions and baselines and the registry, with the names in its environment', () => {
    const stack = new Stack(testApp(), 'Mon', { env: f.env });
    const { monitoring } = platform(stack);
    expect(monitoring.driftComputeFunction).toBeDefined();
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Computes PSI drift'),
      Runtime: 'nodejs22.x',
      Environment: { Variables: Match.objectLike({
        MLOPS_REGISTRY_TABLE: Match.anyValue(), MLOPS_ARTIFACTS_BUCKET: Match.anyValue(), MLOPS_PREDICTIONS_BUCKET: Match.anyValue(),
      }) },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });
});

describe('dashboard and saved queries', () => {
  test('the dashboard shows freshness against the RPO line, latency against the SLO lines and drift against its threshold', () => {
    const stack = new Stack(testApp(), 'Mon', { env: f.env });
    const { monitoring } = platform(stack);
    monitorDemand(stack, monitoring);
    const body = JSON.stringify(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    for (const text of [
      'demand: prediction freshness (hours) vs RPO', 'RPO / TTL', '\\"value\\":72',
      'p95 SLO', '\\"value\\":0.3', 'p99 SLO', '\\"value\\":0.5',
      'demand: pipeline outcomes', 'demand: training duration (minutes)', 'demand: rmse per category',
      'demand: requests per minute', 'demand: fallback answers (%)', 'demand: running tasks',
      'demand: prediction drift (PSI)', 'demand: feature drift (PSI)',
    ]) {
      expect(body).toContain(text);
    }
  });

  test('saved Logs Insights queries filter on the documented log fields', () => {
    const stack = new Stack(testApp(), 'Mon', { env: f.env });
    const { monitoring } = platform(stack);
    monitorDemand(stack, monitoring);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Logs::QueryDefinition', {
      Name: 'mlops/demand/failed-runs',
      LogGroupNames: ['/aws/lambda/train-demand'],
      QueryString: Match.stringLikeRegexp('filter model = "demand"[\\s\\S]*status = "FAILED"'),
    });
    t.hasResourceProperties('AWS::Logs::QueryDefinition', {
      Name: 'mlops/demand/slowest-requests',
      QueryString: Match.stringLikeRegexp('sort latencyMs desc'),
    });
    t.hasResourceProperties('AWS::Logs::QueryDefinition', {
      Name: 'mlops/demand/fallback-answers-by-rule',
      LogGroupNames: ['/ecs/demand-predict'],
      QueryString: Match.stringLikeRegexp('stats count\\(\\*\\) as answers by source, rule, category'),
    });
  });
});

describe('cdk-nag', () => {
  test('MlopsMonitoring has no unacknowledged AwsSolutions findings', () => {
    const findings = nagFindings((app) => {
      const stack = new Stack(app, 'Mon', { env: f.env });
      const { monitoring } = platform(stack);
      monitorDemand(stack, monitoring);
    });
    expect(findings.filter((x) => x.path.includes('/Monitoring/'))).toEqual([]);
  });
});
