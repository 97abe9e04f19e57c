import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { App } from 'aws-cdk-lib';
import { DataLake } from '../../lib/data-lake/data-lake';
import { DataIngestion, DataIngestionProps } from '../../lib/data-ingestion/data-ingestion';
import { PlatformNetwork } from '../../lib/platform/platform-network';
import { ColumnType, DataFormat } from '../../lib/spec/model-spec';
import { INGESTION_ENV } from '../../lambda/shared/ingestion/constants';
import { nagFindings, testStack } from '../support/cdk';

function ingestion(stack: Stack, overrides: Partial<DataIngestionProps> = {}): DataIngestion {
  return new DataIngestion(stack, 'Ingestion', {
    model: 'demand', categories: ['books', 'toys'], dataLake: new DataLake(stack, 'DataLake'), location: 'demand/', format: DataFormat.CSV,
    columns: [{ name: 'units', type: ColumnType.INTEGER, nullable: false }],
    interval: Duration.hours(6), image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim'),
    command: ['python3', '/opt/program/ingest.py'],
    vpc: new PlatformNetwork(stack, 'Network').vpc, alarmTopic: new sns.Topic(stack, 'Topic', { enforceSSL: true }),
    ...overrides,
  });
}

describe('DataIngestion', () => {
  test('a 6h cadence: Scheduler -> window -> Fargate arm64 job in isolated subnets -> deliver; the job gets the container contract', () => {
    const stack = testStack();
    ingestion(stack);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(6 hours)', Target: { Input: Match.stringLikeRegexp('scheduled-time') } });
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: Match.arrayWith([Match.objectLike({
        Name: 'ingest', ReadonlyRootFilesystem: true, Essential: true,
        // The staging wrapper runs the command, then uploads /opt/ml/output/data/: the job only writes files.
        EntryPoint: ['python3', '-c', Match.stringLikeRegexp('MLOPS_INGEST_STAGER')],
        Environment: Match.arrayWith([{ Name: 'MLOPS_INGEST_COMMAND', Value: '["python3","/opt/program/ingest.py"]' }]),
        MountPoints: [{ ContainerPath: '/opt/ml', SourceVolume: 'ml', ReadOnly: false }, { ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false }],
        DependsOn: [{ ContainerName: 'Permissions', Condition: 'SUCCESS' }],
      })]),
    });
    const definition = JSON.stringify(t.findResources('AWS::StepFunctions::StateMachine'));
    for (const name of ['MLOPS_MODE', 'MLOPS_INGEST_WINDOW_START', 'MLOPS_INGEST_WINDOW_END', 'MLOPS_INGEST_OUTPUT_URI', 'ecs:runTask.sync', 'NetworkVpcprivateSubnet1']) {
      expect(definition).toContain(name);
    }
    const fns = t.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { [INGESTION_ENV.cadence]: Match.anyValue() } } } });
    const cadence = JSON.parse(Object.values(fns)[0].Properties.Environment.Variables[INGESTION_ENV.cadence]);
    expect(cadence).toEqual({ intervalSeconds: 21600, timeZone: 'UTC' });
  });

  test('a cron cadence in a time zone: the schedule reads the cron in that zone and the window function gets its fields', () => {
    const stack = testStack();
    ingestion(stack, { cron: '0 */6 * * MON-FRI', interval: Duration.hours(54), timeZone: 'Europe/Paris' });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 */6 ? * MON,TUE,WED,THU,FRI *)', ScheduleExpressionTimezone: 'Europe/Paris' });
    const fns = t.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { [INGESTION_ENV.cadence]: Match.anyValue() } } } });
    const cadence = JSON.parse(Object.values(fns)[0].Properties.Environment.Variables[INGESTION_ENV.cadence]);
    expect(cadence).toMatchObject({ intervalSeconds: 54 * 3600, timeZone: 'Europe/Paris', cron: { minutes: [0], hours: [0, 6, 12, 18], daysOfWeek: [1, 2, 3, 4, 5], dowRestricted: true } });
  });

  test('alarms: missed delivery over cadence + grace, empty delivery from the EMF metric, failed executions; each notifies the topic', () => {
    const stack = testStack();
    ingestion(stack);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    // 6h cadence + 1.5h grace = 7 hourly periods without a success.
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsSucceeded', EvaluationPeriods: 7, DatapointsToAlarm: 7, Threshold: 1, TreatMissingData: 'breaching', AlarmActions: [Match.anyValue()] });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'EmptyIngestionDeliveries', Namespace: 'CdkMlops', Dimensions: [{ Name: 'Model', Value: 'demand' }], Threshold: 1, AlarmActions: [Match.anyValue()] });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsFailed', AlarmActions: [Match.anyValue()] });
  });

  test('the missed-delivery window stays within CloudWatch\'s 7 days for the longest cadence', () => {
    const stack = testStack();
    ingestion(stack, { interval: Duration.days(6) });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsSucceeded', EvaluationPeriods: 168 });
  });

  test('bad props name the field, the value and the fix', () => {
    expect(() => ingestion(testStack(), { interval: Duration.minutes(1) })).toThrow(/interval must be between 5 minutes and 6 days, but 60 seconds was provided: use e.g. Duration.hours\(6\)/);
    expect(() => ingestion(testStack(), { location: '/demand' })).toThrow(/location .* but "\/demand" was provided: write e.g. "demand\/"/);
    expect(() => ingestion(testStack(), { cron: 'every day' })).toThrow(/cron must be a five-field cron, but "every day" was provided/);
  });

  test('cdk-nag clean (AwsSolutions)', () => {
    expect(nagFindings((app: App) => { ingestion(new Stack(app, 'Nag', { env: { account: '123456789012', region: 'eu-west-1' } })); })).toEqual([]);
  });
});
