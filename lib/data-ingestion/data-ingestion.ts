import { Duration, RemovalPolicy, Stack, TimeZone, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { MlopsFunction, PipelineFunctionRole } from '../common/mlops-function';
import { IDataLake } from '../data-lake/data-lake-base';
import { grantBucket } from '../data-lake/data-lake-grants';
import { CronSchedule, parseCron, toEventBridgeCron } from '../spec/cron';
import { ColumnSpec, DataFormat } from '../spec/model-spec';
import { METRICS } from '../../lambda/shared/contract';
import { INGEST_JOB_ENV, INGEST_OUTPUT_DIR, INGESTION_ENV, INGESTION_EVENTS, INGESTION_METRICS } from '../../lambda/shared/ingestion/constants';
import { DeliveryConfig } from '../../lambda/shared/ingestion/deliver';
import { IngestionCadence } from '../../lambda/shared/ingestion/window';
import { acknowledgeIngestionNag } from './data-ingestion-nag';
import { AUDIT_LOG_RETENTION, MlopsLogGroup } from '../common/log-key';

/** Props of {@link DataIngestion}. */
export interface DataIngestionProps {
  /** Model name (keys, metric dimension, names). */
  readonly model: string;
  readonly categories: readonly string[];
  readonly dataLake: IDataLake;
  /** `data.location` inside the datasets bucket, ending in "/" (e.g. `demand/`). */
  readonly location: string;
  readonly format: DataFormat;
  /**
   * Columns each delivery is checked against (names, types on a sample, nullability).
   * @default - no column check; csv parts still need a header
   */
  readonly columns?: readonly ColumnSpec[];
  /** Window length: the duration cadence, or a cron's longest gap. At least 5 minutes, at most 6 days. */
  readonly interval: Duration;
  /**
   * Five-field cron the job runs on; each run ingests from the previous fire time to this one.
   * @default - every `interval`, windows aligned to multiples of it since the epoch
   */
  readonly cron?: string;
  /**
   * IANA time zone of the cron and of the dated keys.
   * @default 'UTC'
   */
  readonly timeZone?: string;
  /** The job's image; it runs with MLOPS_MODE=ingest and uploads /opt/ml/output/data/ to MLOPS_INGEST_OUTPUT_URI. */
  readonly image: ecs.ContainerImage;
  /**
   * Command run in the image.
   * @default - the image's entrypoint and command
   */
  readonly command?: readonly string[];
  /**
   * CPU architecture of the image.
   * @default ecs.CpuArchitecture.ARM64
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;
  /** The VPC whose isolated subnets run the job (needs ECR, Logs and S3 endpoints: the platform network has them). */
  readonly vpc: ec2.IVpc;
  /** Topic the missed, empty and failed delivery alarms notify. */
  readonly alarmTopic: sns.ITopic;
  /**
   * How late a delivery may be before the missed-delivery alarm fires.
   * @default - a quarter of the interval, at least 1 hour, at most what keeps interval + grace within 7 days
   */
  readonly grace?: Duration;
  /**
   * Retention of the job's and the functions' logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Retention of the state machine's execution logs: audit logs, holding every state's input and
   * output (encrypted with the stack's log key).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly auditLogRetention?: logs.RetentionDays;
}

const MIN_INTERVAL = Duration.minutes(5);
const MAX_INTERVAL = Duration.days(6);
const MAX_ALARM_RANGE_HOURS = 7 * 24;

/**
 * Scheduled ingestion of one model's data: EventBridge Scheduler starts a state machine on the
 * cadence that computes the window, runs the model's ingestion job on Fargate under the container
 * contract (`MLOPS_MODE=ingest`, `MLOPS_INGEST_WINDOW_START`/`_END`), then validates each
 * category's output with the schema checks and writes it to
 * `<location><category>/<YYYY-MM-DD>/<HHmm>-<N>m.csv|jsonl` (the key comes from the window, so a
 * re-run overwrites that window's part only), with a manifest and a data-arrival event.
 */
export class DataIngestion extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly schedule: scheduler.Schedule;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly windowFunction: MlopsFunction;
  readonly deliverFunction: MlopsFunction;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: DataIngestionProps) {
    super(scope, id);
    const cron = validateDataIngestionProps(props);
    const timeZone = props.timeZone ?? 'UTC';
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const { dataLake, model } = props;
    const stagingPrefix = `ingestion/${model}/`;

    const role = new PipelineFunctionRole(this, 'FunctionRole', { description: `Ingestion steps of ${model}` });
    const cadence: IngestionCadence = { intervalSeconds: props.interval.toSeconds(), timeZone, ...(cron ? { cron: cronFields(cron) } : {}) };
    this.windowFunction = new MlopsFunction(this, 'Window', {
      handlerName: 'ingestion-window', description: `The ingestion window of ${model}`, role, logRetention,
      environment: { [INGESTION_ENV.cadence]: JSON.stringify(cadence) },
    });
    const config: DeliveryConfig = {
      model, categories: props.categories, bucket: dataLake.datasetsBucket.bucketName, location: props.location,
      stagingBucket: dataLake.artifactsBucket.bucketName, stagingPrefix, timeZone, eventBusName: 'default',
      validation: { format: props.format, sampleRows: 1000, columns: (props.columns ?? []).map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })) },
      kmsKeyId: dataLake.encryptionKey.keyArn,
    };
    this.deliverFunction = new MlopsFunction(this, 'Deliver', {
      handlerName: 'ingestion-deliver', description: `Validates and writes ${model}'s ingested data`, role, logRetention,
      environment: { [INGESTION_ENV.config]: Stack.of(this).toJsonString(config) },
      timeout: Duration.minutes(5), memorySize: 1024,
    });
    const key = dataLake.encryptionKey;
    grantBucket(role, { bucket: dataLake.artifactsBucket, key, prefix: stagingPrefix }, { read: true, write: false });
    grantBucket(role, { bucket: dataLake.datasetsBucket, key, prefix: props.location }, { read: false, write: true });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['events:PutEvents'],
      resources: [Stack.of(this).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
      conditions: { StringEquals: { 'events:source': INGESTION_EVENTS.source } },
    }));

    const cluster = new ecs.Cluster(this, 'Cluster', { vpc: props.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Job', {
      cpu: 1024, memoryLimitMiB: 2048,
      runtimePlatform: { cpuArchitecture: props.cpuArchitecture ?? ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      volumes: [{ name: 'ml' }],
    });
    const logGroup = new MlopsLogGroup(this, 'JobLogs', { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const container = this.taskDefinition.addContainer('ingest', {
      image: props.image,
      command: props.command ? [...props.command] : undefined,
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: model }),
      readonlyRootFilesystem: true,
    });
    container.addMountPoints({ containerPath: '/opt/ml', sourceVolume: 'ml', readOnly: false });
    grantBucket(this.taskDefinition.taskRole, { bucket: dataLake.artifactsBucket, key: dataLake.encryptionKey, prefix: stagingPrefix }, { read: false, write: true });
    const securityGroup = new ec2.SecurityGroup(this, 'JobSecurityGroup', { vpc: props.vpc, description: `Ingestion job of ${model}: no inbound traffic` });

    const window = new tasks.LambdaInvoke(this, 'Compute window', {
      lambdaFunction: this.windowFunction,
      payload: sfn.TaskInput.fromObject({ 'scheduledTime.$': '$.scheduledTime' }),
      payloadResponseOnly: true, resultPath: '$.window',
    });
    const env = (name: string, value: string): tasks.TaskEnvironmentVariable => ({ name, value });
    const job = new tasks.EcsRunTask(this, 'Run ingestion job', {
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      cluster, taskDefinition: this.taskDefinition,
      launchTarget: new tasks.EcsFargateLaunchTarget({ platformVersion: ecs.FargatePlatformVersion.LATEST }),
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [securityGroup],
      containerOverrides: [{
        containerDefinition: container,
        environment: [
          env(INGEST_JOB_ENV.mode, 'ingest'),
          env(INGEST_JOB_ENV.windowStart, sfn.JsonPath.stringAt('$.window.start')),
          env(INGEST_JOB_ENV.windowEnd, sfn.JsonPath.stringAt('$.window.end')),
          env(INGEST_JOB_ENV.outputUri, sfn.JsonPath.format(`s3://${dataLake.artifactsBucket.bucketName}/${stagingPrefix}{}/`, sfn.JsonPath.executionName)),
          env('MLOPS_MODEL', model),
          env('MLOPS_OUTPUT_DATA_DIR', INGEST_OUTPUT_DIR),
        ],
      }],
      resultPath: sfn.JsonPath.DISCARD,
    });
    const deliver = new tasks.LambdaInvoke(this, 'Validate and write delivery', {
      lambdaFunction: this.deliverFunction,
      payload: sfn.TaskInput.fromObject({ 'window.$': '$.window', 'runId.$': '$$.Execution.Name' }),
      payloadResponseOnly: true, resultPath: '$.delivery',
    });
    const smLogs = new MlopsLogGroup(this, 'StateMachineLogs', { retention: props.auditLogRetention ?? AUDIT_LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      definitionBody: sfn.DefinitionBody.fromChainable(window.next(job).next(deliver)),
      timeout: Duration.seconds(Math.max(props.interval.toSeconds(), 3600)),
      tracingEnabled: true,
      logs: { destination: smLogs, level: sfn.LogLevel.ALL },
    });

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: cron
        ? scheduler.ScheduleExpression.expression(toEventBridgeCron(cron), TimeZone.of(timeZone))
        : scheduler.ScheduleExpression.rate(props.interval),
      description: `Ingestion of ${model} (data.ingestion)`,
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({ model, scheduledTime: scheduler.ContextAttribute.scheduledTime }),
        retryAttempts: 3,
      }),
    });

    this.alarms = this.createAlarms(props);
    acknowledgeIngestionNag(this, { dataLake, stagingPrefix, location: props.location, taskDefinition: this.taskDefinition, functions: [this.windowFunction, this.deliverFunction] });
  }

  private createAlarms(props: DataIngestionProps): cloudwatch.Alarm[] {
    const interval = props.interval.toSeconds();
    const maxGrace = MAX_ALARM_RANGE_HOURS * 3600 - interval;
    const grace = Math.min(props.grace?.toSeconds() ?? Math.max(3600, interval / 4), maxGrace);
    const windowHours = Math.max(1, Math.floor((interval + grace) / 3600));
    const hour = Duration.hours(1);
    const emptyPeriod = Duration.minutes(Math.min(1440, Math.max(5, Math.ceil(interval / 60 / 5) * 5)));
    const action = new cwActions.SnsAction(props.alarmTopic);
    const defs: Array<[string, cloudwatch.IMetric, cloudwatch.CreateAlarmOptions]> = [
      ['MissedDelivery', this.stateMachine.metricSucceeded({ period: hour, statistic: 'Sum' }), {
        threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: windowHours, datapointsToAlarm: windowHours, treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        alarmDescription: `[WARNING] ${props.model}: no successful ingestion in ${windowHours}h (the cadence plus its grace). First action: open the ingestion state machine's latest execution; re-run its window with the same scheduledTime once fixed.`,
      }],
      ['EmptyDelivery', new cloudwatch.Metric({
        namespace: METRICS.namespace, metricName: INGESTION_METRICS.emptyDeliveries, dimensionsMap: { [METRICS.dimensions.model]: props.model },
        statistic: 'Maximum', period: emptyPeriod,
      }), {
        threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `[WARNING] ${props.model}: an ingestion window delivered no row in any category. First action: check the source and the job's logs for that window (the manifest under ${props.location}_ingestion/).`,
      }],
      ['FailedDelivery', this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }), {
        threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `[WARNING] ${props.model}: an ingestion execution failed (job error or a part rejected by the schema checks). First action: read the execution's error; fix and re-run the window.`,
      }],
    ];
    return defs.map(([id, metric, options]) => {
      const alarm = metric instanceof cloudwatch.Metric ? metric.createAlarm(this, id, options) : new cloudwatch.Alarm(this, id, { metric, ...options });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      return alarm;
    });
  }
}

function validateDataIngestionProps(props: DataIngestionProps): CronSchedule | undefined {
  const s = props.interval.toSeconds();
  if (!Token.isUnresolved(s) && (s < MIN_INTERVAL.toSeconds() || s > MAX_INTERVAL.toSeconds())) {
    throw new Error(`DataIngestion interval must be between 5 minutes and 6 days, but ${s} seconds was provided: use e.g. Duration.hours(6)`);
  }
  if (!props.location.endsWith('/') || props.location.startsWith('/')) {
    throw new Error(`DataIngestion location must be a key prefix ending in "/" without a leading "/", but ${JSON.stringify(props.location)} was provided: write e.g. "${props.model}/"`);
  }
  if (props.categories.length === 0) throw new Error('DataIngestion categories must list at least one category, but [] was provided: pass e.g. ["default"]');
  if (props.cron === undefined) return undefined;
  const c = parseCron(props.cron);
  if (typeof c === 'string') throw new Error(`DataIngestion cron must be a five-field cron, but ${JSON.stringify(props.cron)} was provided: ${c}`);
  return c;
}

function cronFields(c: CronSchedule): IngestionCadence['cron'] {
  const { minutes, hours, daysOfMonth, months, daysOfWeek, domRestricted, dowRestricted } = c;
  return { minutes, hours, daysOfMonth, months, daysOfWeek, domRestricted, dowRestricted };
}
