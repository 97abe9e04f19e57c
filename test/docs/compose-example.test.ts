// #region compose
import { Duration, Stack, StackProps, TimeZone } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import {
  AlarmSeverity, BatchInference, ColumnType, DataFormat, DataIngestion, DataLake, MetricDirection, MlopsMonitoring, ModelRegistry, OwnerNotifications,
  PlatformNetwork, PredictionService, PredictionStore, PromotionMode, TrainOnArrival, TrainingBackend, TrainingImage, TrainingPipeline,
} from '../../lib';

/** One model composed by hand, wired as MlopsPlatform + ModelDeployment wire it. */
export class DemandForecastStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const model = 'demand-forecast';
    const categories = ['books', 'garden', 'toys'];
    const logRetention = logs.RetentionDays.ONE_MONTH;
    const rmse = { metric: 'rmse', direction: MetricDirection.MINIMIZE, threshold: 50 };
    const columns = [
      { name: 'date', type: ColumnType.DATE, nullable: false }, { name: 'store_id', type: ColumnType.STRING, nullable: false }, { name: 'units', type: ColumnType.NUMBER, nullable: false },
    ];

    // Shared by all models: storage, registry, predictions table, alarms (one customer key).
    const dataLake = new DataLake(this, 'DataLake');
    const encryptionKey = dataLake.encryptionKey;
    const registry = new ModelRegistry(this, 'Registry', { encryptionKey });
    const predictionStore = new PredictionStore(this, 'Predictions', { encryptionKey });
    const monitoring = new MlopsMonitoring(this, 'Monitoring', {
      emailSubscriptions: ['ml-team@example.com'], logRetention, drift: { dataLake, registry },
    });
    monitoring.monitorTable({ table: registry.table, label: 'registry', systemErrorSeverity: AlarmSeverity.CRITICAL, globalSecondaryIndexNames: ['gsi1'] });
    monitoring.monitorTable({ table: predictionStore.table, label: 'predictions', systemErrorSeverity: AlarmSeverity.CRITICAL });
    // One network for every model's jobs, Batch compute and services: its interface endpoints are paid once.
    const network = new PlatformNetwork(this, 'Network', { logRetention });

    // Per model. Its owner gets its alarms, failures and approval requests by e-mail too.
    const owner = new OwnerNotifications(this, 'Owner', { model, owner: 'ds-team@example.com' });
    // The image CI pushes, pinned by digest (recorded on every version).
    const repository = ecr.Repository.fromRepositoryName(this, 'Repository', model);
    const image = TrainingImage.fromEcrRepository(repository, 'sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945');
    const batchInference = new BatchInference(this, 'BatchInference', {
      model, categories, dataLake, registry, predictionStore, logRetention,
      predictionTtl: Duration.days(3), scoringImage: image.imageUri, driftFunction: monitoring.driftComputeFunction,
      vpc: network.vpc, // scoring jobs run in the platform VPC, network-isolated
    });
    const training = new TrainingPipeline(this, 'Training', {
      modelName: model, categories, dataLake, registry, logRetention, batchInference,
      backend: TrainingBackend.sageMaker({
        image, instanceType: 'ml.m5.large', instanceCount: 1, volumeSizeGiB: 5,
        maxRuntime: Duration.minutes(30), spot: true, spotMaxWait: Duration.hours(1), vpc: network.vpc,
      }),
      hyperparameters: { window: '28', level_weight: '0.5', holdout_days: '7' },
      dataValidation: {
        format: DataFormat.CSV, minRows: 100, maxAge: Duration.days(1), columns,
      },
      evaluation: { ...rmse, minImprovement: 0.05 },
      promotion: PromotionMode.AUTO,
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '2', timeZone: TimeZone.EUROPE_PARIS }),
      trainingAttempts: 3,
      notificationTopic: monitoring.topic,
      ownerNotificationTopic: owner.topic,
    });
    // Its data, brought in daily by its generator on Fargate (same image); each delivered day
    // trains, so the 02:00 schedule stays as the cadence the alarms assume, created disabled.
    const ingestion = new DataIngestion(this, 'Ingestion', {
      model, categories, dataLake, location: `${model}/`, format: DataFormat.CSV, columns,
      interval: Duration.days(1), image: ecs.ContainerImage.fromRegistry(image.imageUri), cpuArchitecture: ecs.CpuArchitecture.X86_64,
      command: ['python3', '/opt/program/generate_data.py'], vpc: network.vpc, alarmTopic: monitoring.topic, logRetention,
    });
    repository.grantPull(ingestion.taskDefinition!.obtainExecutionRole()); // a job (not a built-in source) has one
    owner.notifyOn(ingestion.alarms);
    new TrainOnArrival(this, 'TrainOnArrival', { model, stateMachine: training.stateMachine, logRetention });
    (training.schedule!.node.defaultChild as scheduler.CfnSchedule).state = 'DISABLED';

    const service = new PredictionService(this, 'Service', {
      predictionStore, registry, logRetention, vpc: network.vpc,
      models: [{
        model, categories,
        rules: {
          prefilter: [{ name: 'test-store', when: { entityId: { prefix: 'test-' } }, prediction: 0 }],
          override: [{ name: 'never-negative', when: { prediction: { lt: 0 } }, prediction: 0 }],
          fallback: [{ name: 'typical-store-day', prediction: 50 }],
        },
      }],
      minTps: 100, avgTps: 300, maxTps: 1000,
      peakWindows: [
        { startHour: 8, endHour: 10, timeZone: 'Europe/Paris' },
        { startHour: 18, endHour: 20, daysOfWeek: 'MON,TUE,WED,THU,FRI', timeZone: 'Europe/Paris' },
      ],
    });

    // Alarms derived from what the model declares: schedule, threshold, TTL, SLOs.
    const { stateMachine, logGroup } = training;
    // Budget: waves of categories x attempts x Spot maxWait + 1 h; failed jobs from the execution log.
    monitoring.monitorTrainingPipeline({
      model, categories, stateMachine, scheduleInterval: Duration.days(1),
      jobDuration: Duration.hours(1), jobAttempts: 3, logGroup,
    });
    monitoring.monitorModelQuality({ model, categories, metricName: rmse.metric, direction: rmse.direction, threshold: rmse.threshold });
    monitoring.monitorPredictions({
      model, categories, ttl: Duration.days(3), batchInterval: Duration.days(1),
      loaderFunction: batchInference.loaderFunction, batchInferenceStateMachine: batchInference.stateMachine,
    });
    monitoring.monitorDrift({ model, categories, trainingPipeline: stateMachine });
    monitoring.monitorPredictionService({
      model, slo: { p95: Duration.millis(300), p99: Duration.millis(500) }, minRunningTasks: service.capacity.minTasks,
      targetGroup: service.targetGroup, loadBalancer: service.loadBalancer, service: service.service,
    });
    owner.notifyOn(monitoring.alarms.filter((a) => a.model === model).map((a) => a.alarm));
    monitoring.addLogQueries({ model, pipelineLogGroups: [logGroup], servingLogGroups: [service.logGroup] });
  }
}
// #endregion compose

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { MlopsPlatformStack } from '../../lib/platform/mlops-platform-stack';
import { loadModelSpec } from '../../lib/spec/load-model-spec';
import { nagFindings, testApp } from '../support/cdk';
import { pageSnippet, testedRegion } from './snippets';

const EXAMPLE = join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml');

/** Resource count per type, without the SSM parameters MlopsPlatform publishes for the CLI. */
function resourceCounts(template: Template): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of Object.values(template.toJSON().Resources as Record<string, { Type: string }>)) {
    if (r.Type !== 'AWS::SSM::Parameter') counts[r.Type] = (counts[r.Type] ?? 0) + 1;
  }
  return counts;
}

/** Alarm names without the stack-name prefix MlopsMonitoring puts in front of them. */
function alarmNames(template: Template, stackName: string): string[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map((r) => String(r.Properties.AlarmName).replace(`${stackName}-`, ''))
    .sort();
}

describe('the compose example of docs/platform-team.md', () => {
  const stack = new DemandForecastStack(testApp(), 'DemandForecast');
  const template = Template.fromStack(stack);

  test('is the code shown on the page', () => {
    expect(pageSnippet('compose')).toEqual(testedRegion(readFileSync(__filename, 'utf8'), 'compose'));
  });

  test('builds the shared resources and one model: two tables, three state machines (ingestion, training, scoring), one service', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.hasResourceProperties('AWS::DynamoDB::Table', { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 3);
    template.resourceCountIs('AWS::ECS::Service', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 2 * * ? *)', ScheduleExpressionTimezone: 'Europe/Paris', State: 'DISABLED' });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 day)' });
  });

  test('trains on SageMaker ml.m5.large Spot and scales the service from 2 to 4 tasks', () => {
    const definition = JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toMatch(/ml\.m5\.large/);
    expect(definition).toMatch(/EnableManagedSpotTraining\\+":true/);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 4,
      ScheduledActions: Match.arrayWith([Match.objectLike({ ScheduledActionName: 'PeakStart0', Schedule: 'cron(45 7 ? * * *)', ScalableTargetAction: { MinCapacity: 4 } })]),
    });
  });

  test('composes the same resources and alarms as MlopsPlatformStack with the example model', () => {
    const platform = Template.fromStack(new MlopsPlatformStack(testApp(), 'Platform', {
      models: [loadModelSpec(EXAMPLE)],
      alarmEmails: ['ml-team@example.com'],
    }));
    expect(resourceCounts(template)).toEqual(resourceCounts(platform));
    expect(alarmNames(template, 'DemandForecast')).toEqual(alarmNames(platform, 'Platform'));
  });

  test('has no unacknowledged cdk-nag findings', () => {
    expect(nagFindings((app) => { new DemandForecastStack(app, 'Nag'); })).toEqual([]);
  });
});
