import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmSeverity, MlopsMonitoring } from '../../lib/monitoring';
import { PIPELINE_LOG_NAMESPACE, PIPELINE_STEPS_ALLOWANCE, trainingBudget } from '../../lib/monitoring/training-alarms';
import { MetricDirection } from '../../lib/training-pipeline';
import fc from 'fast-check';
import { testApp } from '../support/cdk';
import * as f from './fixtures';

function setup(props: ConstructorParameters<typeof MlopsMonitoring>[2] = {}) {
  const stack = new Stack(testApp(), 'Mon', { env: f.env });
  const monitoring = new MlopsMonitoring(stack, 'Monitoring', { alarmNamePrefix: 'mlops', ...props });
  return { stack, monitoring };
}

describe('notification topic', () => {
  test('is encrypted with a customer key CloudWatch may use, with email subscriptions', () => {
    const { stack } = setup({ emailSubscriptions: ['ml-team@example.com'] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ml-team@example.com' });
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      })]) },
    });
  });

  test('takes an existing topic, but not together with a key', () => {
    const { stack } = setup();
    const topic = sns.Topic.fromTopicArn(stack, 'Existing', 'arn:aws:sns:eu-west-1:111111111111:alarms');
    const key = new kms.Key(stack, 'K');
    expect(() => new MlopsMonitoring(stack, 'Both', { topic, encryptionKey: key })).toThrow(/takes topic or encryptionKey, not both/);
    expect(() => new MlopsMonitoring(stack, 'Bad', { emailSubscriptions: ['nobody'] })).toThrow(/emailSubscriptions must hold email addresses, but "nobody"/);
  });
});

describe('every alarm', () => {
  test('has the topic as action and a description with its meaning and first action', () => {
    const { stack, monitoring } = setup();
    monitoring.monitorTrainingPipeline({ model: 'demand', stateMachine: f.pipeline(stack, 'train-demand') });
    monitoring.monitorPredictions({ model: 'demand', ttl: Duration.days(3), categories: ['a', 'b'] });
    monitoring.monitorPredictionService({ model: 'demand', targetGroup: f.targetGroup(stack), service: f.service(stack) });
    monitoring.monitorTable({ table: f.table(stack, 'predictions'), label: 'predictions', model: 'demand' });
    monitoring.monitorModelQuality({ model: 'demand', metricName: 'rmse', direction: MetricDirection.MINIMIZE, threshold: 0.5 });
    monitoring.monitorDrift({ model: 'demand' });
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map((r: any) => r.Properties);
    expect(alarms.length).toBe(monitoring.alarms.length);
    expect(alarms.length).toBeGreaterThan(15);
    for (const a of alarms) {
      expect(a.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringTopic/) }]);
      expect(a.AlarmDescription).toMatch(/^\[(WARNING|CRITICAL)\] demand: .+ First action: .+/);
      expect(a.TreatMissingData).toMatch(/^(breaching|notBreaching|ignore)$/);
    }
  });
});

describe('training alarms follow the declared schedule', () => {
  test.each([
    { interval: Duration.days(1), grace: Duration.hours(6), hours: 30, budgetMs: 43_200_000 },
    { interval: Duration.hours(12), grace: Duration.hours(2), hours: 14, budgetMs: 21_600_000 },
  ])('interval $interval.amount $interval.unit.label + grace -> $hours hourly periods', ({ interval, grace, hours, budgetMs }) => {
    const { stack, monitoring } = setup();
    monitoring.monitorTrainingPipeline({ model: 'demand', stateMachine: f.pipeline(stack, 'train-demand'), scheduleInterval: interval, grace });
    const t = Template.fromStack(stack);
    const noSuccess = f.alarmNamed(t, 'mlops-demand-NoSuccessfulRun');
    expect(f.metricOf(noSuccess)).toMatchObject({ namespace: 'AWS/States', name: 'ExecutionsSucceeded', stat: 'Sum', period: 3600 });
    expect(noSuccess).toMatchObject({
      EvaluationPeriods: hours, DatapointsToAlarm: hours, Threshold: 1,
      ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching',
    });
    const duration = f.alarmNamed(t, 'mlops-demand-PipelineDurationOverBudget');
    expect(f.metricOf(duration)).toMatchObject({ name: 'ExecutionTime', stat: 'Maximum' });
    expect(duration).toMatchObject({
      Threshold: budgetMs, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
    });
  });

  test('one alarm for failed executions and failed runs, each signal with its own threshold', () => {
    const { stack, monitoring } = setup();
    monitoring.monitorTrainingPipeline({ model: 'demand', stateMachine: f.pipeline(stack, 'train-demand'), categories: ['a', 'b'], failedRunsThreshold: 2, durationBudget: Duration.hours(3) });
    const t = Template.fromStack(stack);
    const failed = f.alarmNamed(t, 'mlops-demand-TrainingFailed');
    expect(f.expressionOf(failed)).toBe('(FILL(executions, 0) >= 1) + (FILL(runs, 0) >= 2)');
    expect(failed).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    expect((failed.Metrics as Array<{ Id: string; Expression?: string }>).find((m) => m.Id === 'executions')!.Expression).toBe('FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)');
    expect(f.metricStat(failed, 'timedOut').Metric.MetricName).toBe('ExecutionsTimedOut');
    // The [Model] series every run publisher emits: one metric whatever the category count.
    expect(f.metricStat(failed, 'runs').Metric).toMatchObject({ Namespace: 'CdkMlops', MetricName: 'TrainingRunsFailed' });
    expect(f.dimensionsOf(f.metricStat(failed, 'runs'))).toEqual({ Model: 'demand' });
    // One period for every signal: an hour.
    expect(new Set((failed.Metrics as Array<{ MetricStat?: { Period: number } }>).filter((m) => m.MetricStat).map((m) => m.MetricStat!.Period))).toEqual(new Set([3600]));
    expect(failed.AlarmDescription).toMatch(/at least 2 training run\(s\) failed/);
    expect(failed.AlarmDescription).toMatch(/mlops runs demand --status FAILED/);
    expect(f.alarmNamed(t, 'mlops-demand-PipelineDurationOverBudget').Threshold).toBe(10_800_000);
  });

  test('the duration budget covers every wave of categories, every attempt and Spot maxWait', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 60, max: 3 * 86400 }),
      (categories, maxConcurrency, attempts, jobSeconds) => {
        const p = { model: 'demand', stateMachine: {} as never, categories: Array.from({ length: categories }, (_, i) => `c${i}`), maxConcurrency, jobAttempts: attempts, jobDuration: Duration.seconds(jobSeconds) };
        const waves = Math.ceil(categories / maxConcurrency);
        const budget = trainingBudget(p).toSeconds();
        // Long enough for the slowest run the declaration allows, and not a whole allowance more.
        expect(budget).toBeGreaterThanOrEqual(waves * attempts * jobSeconds);
        expect(budget).toBe(waves * attempts * jobSeconds + PIPELINE_STEPS_ALLOWANCE.toSeconds());
        // One more category than fits the current waves costs a whole wave.
        const more = trainingBudget({ ...p, categories: Array.from({ length: waves * maxConcurrency + 1 }, (_, i) => `c${i}`) }).toSeconds();
        expect(more - budget).toBe(attempts * jobSeconds);
      },
    ));
    // Without maxConcurrency the TrainingPipeline's default applies: 5 categories at 4 at a time are 2 waves.
    const fiveCategories = { model: 'demand', stateMachine: {} as never, categories: ['a', 'b', 'c', 'd', 'e'], jobDuration: Duration.hours(2), jobAttempts: 2 };
    expect(trainingBudget(fiveCategories).toHours()).toBe(2 * 2 * 2 + 1);
    expect(trainingBudget({ ...fiveCategories, durationBudget: Duration.hours(3) }).toHours()).toBe(3);
  });

  test('failed training jobs are counted from the execution log as a signal of the training failure alarm', () => {
    const { stack, monitoring } = setup();
    const logGroup = logs.LogGroup.fromLogGroupName(stack, 'Logs', '/aws/vendedlogs/states/train-demand');
    monitoring.monitorTrainingPipeline({ model: 'demand', stateMachine: f.pipeline(stack, 'train-demand'), logGroup });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: '/aws/vendedlogs/states/train-demand',
      FilterPattern: '{ ($.type = "TaskFailed" || $.type = "TaskTimedOut") && ($.details.resourceType = "sagemaker" || $.details.resourceType = "batch") }',
      MetricTransformations: [{ MetricNamespace: PIPELINE_LOG_NAMESPACE, MetricName: 'demand-TrainingJobsFailed', MetricValue: '1' }],
    });
    const failed = f.alarmNamed(t, 'mlops-demand-TrainingFailed');
    expect(f.expressionOf(failed)).toBe('(FILL(executions, 0) >= 1) + (FILL(runs, 0) >= 1) + (FILL(jobs, 0) >= 1)');
    expect(f.metricStat(failed, 'jobs')).toMatchObject({ Metric: { Namespace: PIPELINE_LOG_NAMESPACE, MetricName: 'demand-TrainingJobsFailed' }, Stat: 'Sum', Period: 3600 });
    expect(failed.AlarmDescription).toMatch(/training job \(SageMaker or Batch task\) failed/);
  });

  test('a window beyond the 7 days CloudWatch evaluates watches the hours since the last success', () => {
    const { stack, monitoring } = setup();
    monitoring.monitorTrainingPipeline({ model: 'demand', stateMachine: f.pipeline(stack, 'x'), scheduleInterval: Duration.days(7), grace: Duration.hours(6) });
    const alarm = f.alarmNamed(Template.fromStack(stack), 'mlops-demand-NoSuccessfulRun');
    expect(alarm).toMatchObject({
      MetricName: 'HoursSinceTrainingSucceeded', Namespace: 'CdkMlops', Statistic: 'Maximum', Period: 3600, Dimensions: [{ Name: 'Model', Value: 'demand' }],
      Threshold: 174, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 2, TreatMissingData: 'breaching',
    });
  });
});

describe('prediction freshness follows the declared TTL', () => {
  test.each([
    { ttl: Duration.days(3), warning: 30, critical: 48 },
    { ttl: Duration.days(5), warning: 30, critical: 96 },
  ])('ttl $ttl.amount days -> warning $warning h, critical $critical h per category', ({ ttl, warning, critical }) => {
    const { stack, monitoring } = setup();
    monitoring.monitorPredictions({ model: 'demand', ttl, categories: ['north', 'south'] });
    const t = Template.fromStack(stack);
    for (const c of ['north', 'south']) {
      for (const [sev, hours] of [['Warning', warning], ['Critical', critical]] as const) {
        const alarm = f.alarmNamed(t, `mlops-demand-PredictionsStale${sev}-${c}`);
        expect(f.metricOf(alarm)).toEqual({ namespace: 'CdkMlops', name: 'PredictionsGeneratedAt', stat: 'SampleCount', period: 3600, dimensions: { Model: 'demand', Category: c } });
        expect(alarm).toMatchObject({
          EvaluationPeriods: hours, DatapointsToAlarm: hours, Threshold: 1,
          ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching',
        });
      }
    }
  });

  test('a critical age at or beyond the TTL is refused with the fix', () => {
    const { monitoring } = setup();
    expect(() => monitoring.monitorPredictions({ model: 'demand', ttl: Duration.days(2), criticalAge: Duration.days(2) }))
      .toThrow(/criticalAge must be shorter than ttl \(2 days\)/);
    expect(() => monitoring.monitorPredictions({ model: 'demand', ttl: Duration.days(3), criticalAge: Duration.hours(20) }))
      .toThrow(/criticalAge must be longer than warningAge \(1 day 6 hours\)/);
  });

  test('a TTL too short to recover within escalates one hour after the missed-batch warning', () => {
    const { stack, monitoring } = setup();
    monitoring.monitorPredictions({ model: 'demand', ttl: Duration.days(1) });
    const t = Template.fromStack(stack);
    expect(f.alarmNamed(t, 'mlops-demand-PredictionsStaleWarning').EvaluationPeriods).toBe(30);
    expect(f.alarmNamed(t, 'mlops-demand-PredictionsStaleCritical').EvaluationPeriods).toBe(31);
  });

  test('one alarm for failed items, loader errors and failed batch inference executions, each signal with its own threshold', () => {
    const { stack, monitoring } = setup();
    const created = monitoring.monitorPredictions({
      model: 'demand', ttl: Duration.days(3), failedItemsThreshold: 5, categories: ['a', 'b'],
      loaderFunction: f.predictFunction(stack), batchInferenceStateMachine: f.pipeline(stack, 'batch-demand'),
    });
    expect(created.map((a) => a.id)).toEqual(['PredictionsStaleWarning-a', 'PredictionsStaleCritical-a', 'PredictionsStaleWarning-b', 'PredictionsStaleCritical-b', 'BatchInferenceFailed']);
    const t = Template.fromStack(stack);
    const failed = f.alarmNamed(t, 'mlops-demand-BatchInferenceFailed');
    expect(f.expressionOf(failed)).toBe('(FILL(items, 0) >= 5) + (FILL(loader, 0) >= 1) + (FILL(executions, 0) >= 1)');
    expect(failed).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    expect(f.metricStat(failed, 'items')).toMatchObject({ Metric: { Namespace: 'CdkMlops', MetricName: 'PredictionsFailed' }, Stat: 'Sum', Period: 3600 });
    expect(f.dimensionsOf(f.metricStat(failed, 'items'))).toEqual({ Model: 'demand' });
    expect(f.metricStat(failed, 'loader').Metric.MetricName).toBe('Errors');
    expect(f.metricStat(failed, 'timedOut').Metric.MetricName).toBe('ExecutionsTimedOut');
    expect(failed.AlarmDescription).toMatch(/at least 5 prediction item\(s\) failed to load.*the loader function failed.*a batch inference execution failed or timed out/);
  });

  test('without a loader or a state machine the batch failure alarm watches the failed items alone', () => {
    const { stack, monitoring } = setup();
    monitoring.monitorPredictions({ model: 'demand', ttl: Duration.days(3) });
    const failed = f.alarmNamed(Template.fromStack(stack), 'mlops-demand-BatchInferenceFailed');
    expect(f.expressionOf(failed)).toBe('(FILL(items, 0) >= 1)');
    expect(failed.AlarmDescription).not.toMatch(/loader function|execution failed/);
  });
});

describe('serving alarms follow the declared SLO', () => {
  test.each([
    { slo: undefined, p95: 0.3, p99: 0.5 },
    { slo: { p95: Duration.millis(150), p99: Duration.millis(250) }, p95: 0.15, p99: 0.25 },
  ])('ALB target response time: p95 > $p95 s warning, p99 > $p99 s critical', ({ slo, p95, p99 }) => {
    const { stack, monitoring } = setup();
    monitoring.monitorPredictionService({ model: 'demand', slo, targetGroup: f.targetGroup(stack) });
    const t = Template.fromStack(stack);
    const warning = f.alarmNamed(t, 'mlops-demand-LatencyP95AboveSlo');
    expect(f.metricOf(warning)).toMatchObject({ namespace: 'AWS/ApplicationELB', name: 'TargetResponseTime', stat: 'p95', period: 60 });
    expect(warning).toMatchObject({ Threshold: p95, EvaluationPeriods: 5, DatapointsToAlarm: 3, TreatMissingData: 'notBreaching' });
    expect(warning.AlarmDescription).toMatch(/^\[WARNING\]/);
    const critical = f.alarmNamed(t, 'mlops-demand-LatencyP99AboveSlo');
    expect(f.metricOf(critical).stat).toBe('p99');
    expect(critical.Threshold).toBe(p99);
    expect(critical.AlarmDescription).toMatch(/^\[CRITICAL\]/);
  });

  test('HTTP API latency in milliseconds, 5xx rate from the API', () => {
    const { stack, monitoring } = setup();
    monitoring.monitorPredictionApi({ model: 'small', httpApi: f.httpApi(stack), predictFunction: f.predictFunction(stack), errorRatePercent: 2 });
    const t = Template.fromStack(stack);
    const p99 = f.alarmNamed(t, 'mlops-small-LatencyP99AboveSlo');
    expect(f.metricOf(p99)).toMatchObject({ namespace: 'AWS/ApiGateway', name: 'Latency', stat: 'p99', dimensions: { ApiId: 'abc123' } });
    expect(p99.Threshold).toBe(500);
    const errors = f.alarmNamed(t, 'mlops-small-ServerErrorRate');
    expect(errors.Threshold).toBe(2);
    expect(f.expressionOf(errors)).toBe('IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)');
    expect(f.metricStat(errors, 'errors').Metric.MetricName).toBe('5xx');
    expect(f.metricOf(f.alarmNamed(t, 'mlops-small-FunctionThrottles')).name).toBe('Throttles');
  });

  test('Lambda duration when there is no HTTP API; one of the two is required', () => {
    const { stack, monitoring } = setup();
    monitoring.monitorPredictionApi({ model: 'small', predictFunction: f.predictFunction(stack) });
    const p95 = f.alarmNamed(Template.fromStack(stack), 'mlops-small-LatencyP95AboveSlo');
    expect(f.metricOf(p95)).toMatchObject({ namespace: 'AWS/Lambda', name: 'Duration', stat: 'p95' });
    expect(p95.Threshold).toBe(300);
    expect(() => monitoring.monitorPredictionApi({ model: 'other' })).toThrow(/needs httpApi or predictFunction/);
  });

  test('fallback rate from the predict core counters, and running tasks below the minimum', () => {
    const { stack, monitoring } = setup();
    monitoring.monitorPredictionService({
      model: 'demand', targetGroup: f.targetGroup(stack), loadBalancer: f.loadBalancer(stack), service: f.service(stack),
      minRunningTasks: 2, fallbackRatePercent: 10, categories: ['north', 'south'],
    });
    const t = Template.fromStack(stack);
    const fallback = f.alarmNamed(t, 'mlops-demand-FallbackRate');
    expect(fallback.Threshold).toBe(10);
    expect(f.expressionOf(fallback)).toBe('IF(answers >= 20, 100 * FILL(fallbacks, 0) / answers, 0)');
    expect(f.metricStat(fallback, 'fb1').Metric.MetricName).toBe('FallbackAnswers');
    expect(f.dimensionsOf(f.metricStat(fallback, 'fb1'))).toEqual({ Model: 'demand', Category: 'south' });
    expect(f.metricStat(fallback, 'pa0').Metric.MetricName).toBe('PredictionAnswers');
    const tasks = f.alarmNamed(t, 'mlops-demand-RunningTasksBelowMinimum');
    expect(f.metricOf(tasks)).toEqual({ namespace: 'ECS/ContainerInsights', name: 'RunningTaskCount', stat: 'Minimum', period: 60, dimensions: { ClusterName: 'mlops', ServiceName: 'demand-predict' } });
    expect(tasks).toMatchObject({ Threshold: 2, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    expect(f.expressionOf(f.alarmNamed(t, 'mlops-demand-ServerErrorRate'))).toBe('IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)');
  });

  test('refuses more categories than one alarm can combine', () => {
    const { stack, monitoring } = setup();
    expect(() => monitoring.monitorPredictionService({ model: 'demand', targetGroup: f.targetGroup(stack), categories: ['a', 'b', 'c', 'd', 'e', 'f'] }))
      .toThrow(/categories can combine at most 5 categories.*but 6 were provided/);
  });
});

describe('stores, quality and drift', () => {
  test('table throttles and system errors', () => {
    const { stack, monitoring } = setup();
    monitoring.monitorTable({ table: f.table(stack, 'registry'), label: 'registry', throttleThreshold: 3, systemErrorSeverity: AlarmSeverity.CRITICAL });
    const t = Template.fromStack(stack);
    const throttles = f.alarmNamed(t, 'mlops-shared-registry-Throttles');
    expect(throttles.Threshold).toBe(3);
    expect(f.metricStat(throttles, 'writeThrottles').Metric).toMatchObject({ Namespace: 'AWS/DynamoDB', MetricName: 'WriteThrottleEvents' });
    expect(f.dimensionsOf(f.metricStat(throttles, 'writeThrottles'))).toEqual({ TableName: 'registry' });
    expect(f.alarmNamed(t, 'mlops-shared-registry-SystemErrors').AlarmDescription).toMatch(/^\[CRITICAL\]/);
  });

  test('system errors of the sparse per-operation series are summed with every gap filled', () => {
    const { stack, monitoring } = setup();
    monitoring.monitorTable({ table: f.table(stack, 'registry'), label: 'registry' });
    const errors = f.alarmNamed(Template.fromStack(stack), 'mlops-shared-registry-SystemErrors');
    expect(f.expressionOf(errors)).toBe(Array.from({ length: 8 }, (_, i) => `FILL(systemErrors${i}, 0)`).join(' + '));
    expect(f.dimensionsOf(f.metricStat(errors, 'systemErrors0'))).toEqual({ TableName: 'registry', Operation: 'GetItem' });
  });

  test('throttles of the named global secondary indexes are watched with the table\'s', () => {
    const { stack, monitoring } = setup();
    monitoring.monitorTable({ table: f.table(stack, 'registry'), label: 'registry', globalSecondaryIndexNames: ['gsi1'] });
    const throttles = f.alarmNamed(Template.fromStack(stack), 'mlops-shared-registry-Throttles');
    expect(f.expressionOf(throttles)).toBe('FILL(readThrottles, 0) + FILL(writeThrottles, 0) + FILL(gsiRead0, 0) + FILL(gsiWrite0, 0)');
    expect(f.dimensionsOf(f.metricStat(throttles, 'gsiRead0'))).toEqual({ TableName: 'registry', GlobalSecondaryIndexName: 'gsi1' });
    expect(f.metricStat(throttles, 'gsiWrite0').Metric.MetricName).toBe('WriteThrottleEvents');
    expect(() => monitoring.monitorTable({ table: f.table(stack, 'other'), label: 'other', globalSecondaryIndexNames: ['a', 'b', 'c', 'd', 'e'] }))
      .toThrow(/globalSecondaryIndexNames can hold at most 4 indexes .* but 5 were provided/);
  });

  test.each([
    { direction: MetricDirection.MAXIMIZE, op: 'LessThanThreshold', fn: 'MIN', stat: 'Minimum' },
    { direction: MetricDirection.MINIMIZE, op: 'GreaterThanThreshold', fn: 'MAX', stat: 'Maximum' },
  ])('model quality ($direction): worst category against the threshold', ({ direction, op, fn, stat }) => {
    const { stack, monitoring } = setup();
    monitoring.monitorModelQuality({ model: 'demand', metricName: 'auc', direction, threshold: 0.7, categories: ['a', 'b'] });
    const q = f.alarmNamed(Template.fromStack(stack), 'mlops-demand-ModelQualityBelowThreshold');
    expect(q).toMatchObject({ Threshold: 0.7, ComparisonOperator: op, TreatMissingData: 'ignore' });
    expect(f.expressionOf(q)).toBe(`${fn}([q0, q1])`);
    expect(f.metricStat(q, 'q0')).toMatchObject({ Stat: stat, Period: 86400, Metric: { MetricName: 'EvaluatedMetric' } });
  });

  test.each([
    { threshold: undefined, expected: 0.2 },
    { threshold: 0.25, expected: 0.25 },
  ])('drift alarm on the worst category PSI, threshold $expected', ({ threshold, expected }) => {
    const { stack, monitoring } = setup();
    monitoring.monitorDrift({ model: 'demand', threshold });
    const drift = f.alarmNamed(Template.fromStack(stack), 'mlops-demand-PredictionDrift');
    expect(f.metricOf(drift)).toEqual({ namespace: 'CdkMlops', name: 'PredictionDriftPSI', stat: 'Maximum', period: 3600, dimensions: { Model: 'demand' } });
    expect(drift).toMatchObject({
      Threshold: expected, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
    });
  });
});
