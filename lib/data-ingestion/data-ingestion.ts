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
import { INGESTION_STATES, INGEST_JOB_ENV, INGEST_OUTPUT_DIR, INGEST_STAGING_ENV, INGESTION_ENV, INGESTION_EVENTS, INGESTION_METRICS } from '../../lambda/shared/ingestion/constants';
import { DeliveryConfig } from '../../lambda/shared/ingestion/deliver';
import { IngestionCadence } from '../../lambda/shared/ingestion/window';
import { stagerSource } from '../training-pipeline/stager-source';
import { acknowledgeIngestionNag } from './data-ingestion-nag';
import { AUDIT_LOG_RETENTION, MlopsLogGroup } from '../common/log-key';
import { GuardFindings, acknowledgeGuard, acknowledgeOperationalLogRetention } from '../common/guard';
import { ingestStagerBootstrap, ingestStagerSource } from './ingest-stager';
import { IngestionSource, createSourceFetch, validateIngestionSource } from './ingestion-source';

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
  /**
   * The job's image (needs python3 for the staging wrapper). Its command runs with
   * MLOPS_MODE=ingest and only writes /opt/ml/output/data/<category>/; the wrapper
   * (container/ingest-entrypoint) uploads that folder. Required with `command`.
   * @default - no job: `source` fetches the data
   */
  readonly image?: ecs.ContainerImage;
  /**
   * Command run in the image (the wrapper replaces the image's entrypoint, so it is needed), e.g.
   * `['python3', '/opt/program/ingest.py']`. Exactly one of `command` and `source`.
   * @default - no job: `source` fetches the data
   */
  readonly command?: readonly string[];
  /**
   * A built-in source (an S3 prefix or an HTTP(S) endpoint) fetched by a platform Lambda function
   * instead of a job: no ECS cluster, task definition or VPC. Exactly one of `command` and `source`.
   * @default - no source: the `command` job writes the data
   */
  readonly source?: IngestionSource;
  /**
   * Python interpreter in the image that runs the staging wrapper.
   * @default 'python3'
   */
  readonly python?: string;
  /**
   * CPU architecture of the image.
   * @default ecs.CpuArchitecture.ARM64
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;
  /**
   * The VPC whose isolated subnets run the job (needs ECR, Logs and S3 endpoints: the platform
   * network has them). Required with `command`.
   * @default - no VPC: a source runs in Lambda outside any VPC
   */
  readonly vpc?: ec2.IVpc;
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
/** Writable task volumes of the job (the root filesystem is read-only). */
const JOB_VOLUMES = { ml: '/opt/ml', tmp: '/tmp' };
/** The job task's memory, and what of it the volume-opening init step may use. */
const JOB_MEMORY_MIB = 2048;
const INIT_MEMORY_MIB = 128;
/** The job's user: the container contract's uid and gid (Batch runs the same). */
const JOB_USER = '1000:1000';
const MAX_INTERVAL = Duration.days(6);
const MAX_ALARM_RANGE_HOURS = 7 * 24;
/** How long an S3 source waits after the window's end before it lists: uploads in flight then land in their window. */
const S3_SETTLE = Duration.minutes(5);

/**
 * Scheduled ingestion of one model's data: EventBridge Scheduler starts a state machine on the
 * cadence that computes the window, runs the model's ingestion job on Fargate under the container
 * contract (`MLOPS_MODE=ingest`, `MLOPS_INGEST_WINDOW_START`/`_END`) or, with `source`, fetches a
 * built-in source (an S3 prefix, an HTTP(S) endpoint) in a Lambda function, then validates each
 * category's output with the schema checks and writes it to
 * `<location><category>/<YYYY-MM-DD>/<HHmm>-<N>m.csv|jsonl` (the key comes from the window, so a
 * re-run overwrites that window's part only), with a manifest and a data-arrival event.
 */
export class DataIngestion extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly schedule: scheduler.Schedule;
  /** The job's task definition; undefined for a source. */
  readonly taskDefinition?: ecs.FargateTaskDefinition;
  /** The function that fetches a source's window; undefined for a job. */
  readonly fetchFunction?: MlopsFunction;
  readonly windowFunction: MlopsFunction;
  readonly deliverFunction: MlopsFunction;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: DataIngestionProps) {
    super(scope, id);
    const cron = validateDataIngestionProps(props);
    const timeZone = props.timeZone ?? 'UTC';
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const { dataLake, model } = props;
    // Under the model's own runs/ prefix of the artifacts bucket, like everything else it stages.
    const stagingPrefix = `runs/${model}/_ingestion/`;

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

    const window = new tasks.LambdaInvoke(this, INGESTION_STATES.window, {
      lambdaFunction: this.windowFunction,
      payload: sfn.TaskInput.fromObject({ 'scheduledTime.$': '$.scheduledTime' }),
      payloadResponseOnly: true, resultPath: '$.window',
    });
    let fetchData: sfn.IChainable;
    if (props.source) {
      this.fetchFunction = createSourceFetch(this, props.source, { model, categories: [...props.categories], format: props.format, dataLake, stagingPrefix, logRetention });
      fetchData = sourceSteps(this, this.fetchFunction, props.source);
    } else {
      this.taskDefinition = this.jobDefinition(props, props.image!, props.command!, stagingPrefix, logRetention);
      fetchData = this.jobStep(props, this.taskDefinition, props.vpc!, stagingPrefix);
    }
    const deliver = new tasks.LambdaInvoke(this, INGESTION_STATES.deliver, {
      lambdaFunction: this.deliverFunction,
      payload: sfn.TaskInput.fromObject({ 'window.$': '$.window', 'runId.$': '$$.Execution.Name' }),
      payloadResponseOnly: true, resultPath: '$.delivery',
    });
    const smLogs = new MlopsLogGroup(this, 'StateMachineLogs', { retention: props.auditLogRetention ?? AUDIT_LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      definitionBody: sfn.DefinitionBody.fromChainable(window.next(fetchData).next(deliver)),
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
    acknowledgeIngestionNag(this, {
      dataLake, stagingPrefix, location: props.location, taskDefinition: this.taskDefinition, source: props.source?.s3,
      functions: [this.windowFunction, this.deliverFunction, ...(this.fetchFunction ? [this.fetchFunction] : [])],
    });
  }

  /** The job's Fargate task definition: the staging wrapper around the command, read-only root, writable /opt/ml and /tmp. */
  private jobDefinition(props: DataIngestionProps, image: ecs.ContainerImage, command: readonly string[], stagingPrefix: string, logRetention: logs.RetentionDays): ecs.FargateTaskDefinition {
    const { dataLake, model } = props;
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Job', {
      cpu: 1024, memoryLimitMiB: JOB_MEMORY_MIB,
      runtimePlatform: { cpuArchitecture: props.cpuArchitecture ?? ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      volumes: Object.keys(JOB_VOLUMES).map((name) => ({ name })),
    });
    const logGroup = new MlopsLogGroup(this, 'JobLogs', { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY });
    acknowledgeOperationalLogRetention(logGroup);
    const logging = ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: model });
    const mounts = Object.entries(JOB_VOLUMES).map(([sourceVolume, containerPath]) => ({ sourceVolume, containerPath, readOnly: false }));
    const python = props.python ?? 'python3';
    // Fargate creates task volumes owned by root: this step opens them to the image's own
    // (non-root) user and exits (the model service does the same).
    // Hard memory limits per container (Control Tower CT.ECS.PR.7) that add up to the task's.
    const permissions = taskDefinition.addContainer('Permissions', {
      image, essential: false, user: '0', readonlyRootFilesystem: true, logging, memoryLimitMiB: INIT_MEMORY_MIB,
      entryPoint: [python, '-c', `import os\nfor p in ${JSON.stringify(Object.values(JOB_VOLUMES))}: os.chmod(p, 0o1777)`],
    });
    permissions.addMountPoints(...mounts);
    // The container contract's user (as on Batch): the volumes are open to it, the root filesystem is read-only.
    const container = taskDefinition.addContainer('ingest', {
      image, essential: true, readonlyRootFilesystem: true, logging, user: JOB_USER, memoryLimitMiB: JOB_MEMORY_MIB - INIT_MEMORY_MIB,
      entryPoint: ingestStagerBootstrap(python),
      environment: {
        [INGEST_STAGING_ENV.command]: JSON.stringify(command),
        [INGEST_STAGING_ENV.stager]: stagerSource(),
        [INGEST_STAGING_ENV.ingestStager]: ingestStagerSource(),
        [INGEST_STAGING_ENV.kmsKeyId]: dataLake.encryptionKey.keyArn,
        AWS_DEFAULT_REGION: Stack.of(this).region,
      },
    });
    container.addMountPoints(...mounts);
    container.addContainerDependencies({ container: permissions, condition: ecs.ContainerDependencyCondition.SUCCESS });
    grantBucket(taskDefinition.taskRole, { bucket: dataLake.artifactsBucket, key: dataLake.encryptionKey, prefix: stagingPrefix }, { read: false, write: true });
    acknowledgeGuard(taskDefinition, GuardFindings.rootVolumeInitContainer());
    return taskDefinition;
  }

  /** Runs the job under the container contract in the VPC's isolated subnets (ecs:runTask.sync). */
  private jobStep(props: DataIngestionProps, taskDefinition: ecs.FargateTaskDefinition, vpc: ec2.IVpc, stagingPrefix: string): sfn.IChainable {
    const { dataLake, model } = props;
    const securityGroup = new ec2.SecurityGroup(this, 'JobSecurityGroup', { vpc, description: `Ingestion job of ${model}: no inbound traffic` });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const env = (name: string, value: string): tasks.TaskEnvironmentVariable => ({ name, value });
    return new tasks.EcsRunTask(this, INGESTION_STATES.job, {
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      cluster, taskDefinition,
      launchTarget: new tasks.EcsFargateLaunchTarget({ platformVersion: ecs.FargatePlatformVersion.LATEST }),
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [securityGroup],
      containerOverrides: [{
        containerDefinition: taskDefinition.findContainer('ingest')!,
        environment: [
          env(INGEST_JOB_ENV.mode, 'ingest'),
          env(INGEST_JOB_ENV.windowStart, sfn.JsonPath.stringAt('$.window.start')),
          env(INGEST_JOB_ENV.windowEnd, sfn.JsonPath.stringAt('$.window.end')),
          env(INGEST_JOB_ENV.categories, props.categories.join(',')),
          env(INGEST_STAGING_ENV.outputUri, sfn.JsonPath.format(`s3://${dataLake.artifactsBucket.bucketName}/${stagingPrefix}{}/`, sfn.JsonPath.executionName)),
          env('MLOPS_MODEL', model),
          env('MLOPS_OUTPUT_DATA_DIR', INGEST_OUTPUT_DIR),
        ],
      }],
      resultPath: sfn.JsonPath.DISCARD,
    });
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
  validateJobOrSource(props);
  if (props.categories.length === 0) throw new Error('DataIngestion categories must list at least one category, but [] was provided: pass e.g. ["default"]');
  if (props.cron === undefined) return undefined;
  const c = parseCron(props.cron);
  if (typeof c === 'string') throw new Error(`DataIngestion cron must be a five-field cron, but ${JSON.stringify(props.cron)} was provided: ${c}`);
  return c;
}

/** Exactly one of a job (command, with image and vpc) and a source; a source takes none of the job's props. */
function validateJobOrSource(props: DataIngestionProps): void {
  if (props.source) {
    const extra = (['command', 'image', 'vpc'] as const).filter((k) => props[k] !== undefined);
    if (extra.length > 0) throw new Error(`DataIngestion ${extra[0]} is for a job, but source is set too: remove ${extra.join(' and ')} (a source runs in a platform Lambda function), or remove source`);
    validateIngestionSource(props.source);
    return;
  }
  if (props.command === undefined) throw new Error('DataIngestion needs command (a job) or source (a built-in source), but neither was provided: pass e.g. command: ["python3", "/opt/program/ingest.py"] or source: { s3: { bucket, prefix } }');
  if (props.command.length === 0) throw new Error('DataIngestion command must name the job\'s command, but [] was provided: pass e.g. ["python3", "/opt/program/ingest.py"]');
  if (props.image === undefined) throw new Error('DataIngestion image is required with command, but none was provided: pass e.g. ecs.ContainerImage.fromRegistry("<uri>")');
  if (props.vpc === undefined) throw new Error('DataIngestion vpc is required with command (the job runs in its isolated subnets), but none was provided: pass the platform network\'s vpc');
}

/**
 * The steps of a source: for S3, a wait that lets uploads begun before the window's end finish
 * (S3 dates an object by the start of its upload), then the fetch function.
 */
function sourceSteps(scope: Construct, fn: MlopsFunction, source: IngestionSource): sfn.IChainable {
  const fetchTask = new tasks.LambdaInvoke(scope, INGESTION_STATES.fetch, {
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject({ 'window.$': '$.window', 'runId.$': '$$.Execution.Name' }),
    payloadResponseOnly: true, resultPath: '$.fetched',
  });
  if (!source.s3) return fetchTask;
  return new sfn.Wait(scope, 'Wait for uploads in flight', { time: sfn.WaitTime.duration(S3_SETTLE) }).next(fetchTask);
}

function cronFields(c: CronSchedule): IngestionCadence['cron'] {
  const { minutes, hours, daysOfMonth, months, daysOfWeek, domRestricted, dowRestricted } = c;
  return { minutes, hours, daysOfMonth, months, daysOfWeek, domRestricted, dowRestricted };
}
