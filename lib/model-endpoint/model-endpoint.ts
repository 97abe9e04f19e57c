import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { CONTAINER, SERVING } from '../../lambda/shared/contract';
import { EndpointAutoscaling } from '../../lambda/shared/serving-endpoint/settings';
import { acknowledgeNag, NagFindings } from '../common/nag';
import { IDataLake } from '../data-lake/data-lake-base';
import { IModelRegistry } from '../model-registry/model-registry-base';
import { EndpointShift, EndpointUpdateFunction } from './endpoint-update';
import { PeakWindow, validatePeakWindows } from '../prediction-service/serving-props';
import { schedulePeaks } from '../prediction-service/peak-schedule';
import { TrainingImage } from '../training-pipeline/training-image';
import { SageMakerExecution, SageMakerWorkload } from '../common/sagemaker';

/** A SageMaker real-time endpoint serving one model's image under the serving contract. */
export interface ModelEndpointProps {
  /** Model name (registry key), e.g. "demand-forecast". */
  readonly modelName: string;
  /** The model's image; started with the argument "serve" (SageMaker hosting's contract). */
  readonly image: TrainingImage;
  /** The data lake: model artifacts are read from its artifacts bucket (`runs/<modelName>/`), captured data written there. */
  readonly dataLake: IDataLake;
  /** The registry: promotions of the model shift the endpoint, and it records which version the endpoint serves. */
  readonly registry: IModelRegistry;
  /** Categories of the model (each promotion names one). */
  readonly categories: string[];
  /**
   * Key of an artifact (model.tar.gz) under `runs/<modelName>/` of the artifacts bucket to create
   * the endpoint with at deploy, with autoscaling. Without it, the endpoint is created by the
   * update function on the model's first promotion, at `minInstanceCount` instances, and the
   * function registers the same autoscaling once it is InService (see README).
   * @default - no endpoint until the first promotion
   */
  readonly initialModelDataKey?: string;
  /**
   * Name of the endpoint (fixed, so the front end and the update function find it whoever created it).
   * @default modelName
   */
  readonly endpointName?: string;
  /**
   * How a promotion shifts traffic to the new version (blue/green), rolled back when the latency
   * or error alarm goes off during the shift.
   * @default EndpointShift.canary(10, Duration.minutes(5))
   */
  readonly shift?: EndpointShift;
  /**
   * p99 model latency above which the latency alarm goes off (and a running shift rolls back).
   * @default Duration.millis(500)
   */
  readonly latencyAlarmThreshold?: Duration;
  /**
   * Model errors (5xx) per minute at which the error alarm goes off (and a running shift rolls back).
   * @default 5
   */
  readonly errorAlarmThreshold?: number;
  /**
   * Where the latency and error alarms notify.
   * @default - no notification (the alarms still roll shifts back)
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
  /**
   * Log retention of the update function.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Instance type; GPU types (ml.g*) are allowed.
   * @default "ml.c5.large"
   */
  readonly instanceType?: string;
  /**
   * Instances outside peak windows (the scaling minimum); 2 spreads them over two Availability Zones.
   * @default 2
   */
  readonly minInstanceCount?: number;
  /**
   * Most instances autoscaling may run.
   * @default 4, or minInstanceCount when that is higher
   */
  readonly maxInstanceCount?: number;
  /**
   * Requests per second one instance answers within the latency objective: autoscaling tracks
   * SageMakerVariantInvocationsPerInstance at this rate (x 60 per minute).
   * @default 100
   */
  readonly tpsPerInstance?: number;
  /**
   * Windows of known peak traffic: the minimum rises to `peakInstanceCount` 15 minutes before each.
   * @default - no scheduled scaling
   */
  readonly peakWindows?: PeakWindow[];
  /**
   * Instances during peak windows.
   * @default maxInstanceCount
   */
  readonly peakInstanceCount?: number;
  /**
   * Share of requests and responses captured (0-100) into the artifacts bucket under
   * `data-capture/<modelName>/`, encrypted with the data lake's key.
   * @default 0 (no capture)
   */
  readonly dataCapturePercent?: number;
  /**
   * VPC of the endpoint's network interfaces.
   * @default - SageMaker's own network (with network isolation the container has no network access either way)
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of the endpoint, with `vpc`.
   * @default - the isolated subnets when there are any, else the private ones
   */
  readonly subnets?: ec2.SubnetSelection;
  /**
   * Whether the container runs without network access (it only answers requests).
   * @default true
   */
  readonly networkIsolation?: boolean;
  /**
   * Event bus the registry publishes its Model Promoted events on.
   * @default - the account's default event bus (where ModelRegistry publishes unless given another)
   */
  readonly registryEventBus?: events.IEventBus;
}

/** The prefix of the artifacts bucket holding a model's version artifacts (experiments' are copied there on promotion). */
const artifactsPrefix = (model: string) => `runs/${model}/`;

/** The production variant every endpoint of the platform has (autoscaling and promotion refer to it). */
export const VARIANT_NAME = 'AllTraffic';

/**
 * A SageMaker real-time endpoint for one model: the model's own image answering `/invocations`,
 * KMS on the ML volume (where the instance type accepts a key) and on captured data, network
 * isolation, an optional VPC, autoscaling on invocations per instance plus scheduled capacity
 * for declared peak windows. The front end calls it with InvokeEndpoint (`grantInvoke`). A
 * promotion of the model shifts the endpoint to the version blue/green without a deploy
 * (`updateFunction`), rolled back by the latency and error alarms.
 */
export class ModelEndpoint extends Construct {
  /** Name of the endpoint (for InvokeEndpoint). */
  readonly endpointName: string;
  /** ARN of the endpoint (known before the endpoint exists: it may be created by the first promotion). */
  readonly endpointArn: string;
  /** Role SageMaker runs the model with. */
  readonly role: iam.Role;
  /** Autoscaling of the endpoint created at deploy (`initialModelDataKey`); the update function registers it for an endpoint a promotion creates. */
  readonly scaling?: appscaling.ScalableTarget;
  /** p99 model latency above the threshold; rolls a running shift back. */
  readonly latencyAlarm: cloudwatch.Alarm;
  /** Model 5xx errors at the threshold; rolls a running shift back. */
  readonly errorAlarm: cloudwatch.Alarm;
  /** The function that shifts the endpoint to a promoted version. */
  readonly updateFunction: EndpointUpdateFunction;

  constructor(scope: Construct, id: string, props: ModelEndpointProps) {
    super(scope, id);
    const instanceType = props.instanceType ?? 'ml.c5.large';
    const min = props.minInstanceCount ?? 2;
    const max = props.maxInstanceCount ?? Math.max(4, min);
    const peak = props.peakInstanceCount ?? max;
    const tpsPerInstance = props.tpsPerInstance ?? 100;
    const capture = props.dataCapturePercent ?? 0;
    const latencyThreshold = props.latencyAlarmThreshold ?? Duration.millis(500);
    const errorThreshold = props.errorAlarmThreshold ?? 5;
    validateModelEndpointProps({ instanceType, min, max, peak, tpsPerInstance, capture, errorThreshold });
    // One target tracking, whoever creates the endpoint (this construct at deploy, or the update function).
    // The metric is a per-minute sum.
    const TARGET_TRACKING = { invocationsPerInstance: tpsPerInstance * 60, scaleInCooldownSeconds: 300, scaleOutCooldownSeconds: 60 };
    validatePeakWindows(props.peakWindows);

    const key = props.dataLake.encryptionKey;
    const prefix = artifactsPrefix(props.modelName);
    if (props.initialModelDataKey !== undefined && !Token.isUnresolved(props.initialModelDataKey) && !props.initialModelDataKey.startsWith(prefix)) {
      throw new Error(`initialModelDataKey must be under "${prefix}" of the artifacts bucket (where the model's versions live), but "${props.initialModelDataKey}" was provided: pass a registered version's artifact key`);
    }
    const captureKeyPrefix = `data-capture/${props.modelName}/`;
    const stack = Stack.of(this);
    this.endpointName = props.endpointName ?? props.modelName;
    this.endpointArn = stack.formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: this.endpointName.toLowerCase() });

    const execution = new SageMakerExecution(this, {
      workload: SageMakerWorkload.ENDPOINTS,
      roleId: 'Role',
      securityGroupId: 'SecurityGroup',
      description: `SageMaker real-time endpoint of ${props.modelName}`,
      key, image: props.image, instanceType,
      networkIsolation: props.networkIsolation,
      vpc: props.vpc, subnets: props.subnets,
    });
    this.role = execution.role;
    props.dataLake.grantReadArtifacts(this.role, prefix);
    if (capture > 0) props.dataLake.grantWriteArtifacts(this.role, captureKeyPrefix);
    const vpcConfig: sagemaker.CfnModel.VpcConfigProperty | undefined = execution.network
      ? { securityGroupIds: execution.network.securityGroupIds, subnets: execution.network.subnetIds } : undefined;

    const environment = { [CONTAINER.env.mode]: SERVING.mode, [CONTAINER.env.model]: props.modelName };
    const networkIsolation = execution.networkIsolation;
    const volumeKey = execution.volumeKmsKeyId;
    const captureUri = props.dataLake.artifactsBucket.s3UrlForObject(captureKeyPrefix);

    this.latencyAlarm = new cloudwatch.Alarm(this, 'LatencyAlarm', {
      alarmDescription: `p99 model latency of the ${this.endpointName} endpoint above ${latencyThreshold.toMilliseconds()} ms; rolls a running version shift back`,
      metric: this.metric('ModelLatency', 'p99'),
      // ModelLatency is in microseconds.
      threshold: latencyThreshold.toMilliseconds() * 1000,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.errorAlarm = new cloudwatch.Alarm(this, 'ErrorAlarm', {
      alarmDescription: `${errorThreshold} or more model errors (5xx) a minute on the ${this.endpointName} endpoint; rolls a running version shift back`,
      metric: this.metric('Invocation5XXErrors', 'Sum'),
      threshold: errorThreshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmAction) for (const a of [this.latencyAlarm, this.errorAlarm]) a.addAlarmAction(props.alarmAction);

    this.updateFunction = new EndpointUpdateFunction(this, 'Update', {
      settings: {
        model: props.modelName,
        categories: props.categories,
        endpointName: this.endpointName,
        image: props.image.imageUri,
        roleArn: this.role.roleArn,
        environment,
        networkIsolation,
        ...(vpcConfig ? { vpc: { securityGroupIds: vpcConfig.securityGroupIds, subnets: vpcConfig.subnets } } : {}),
        variantName: VARIANT_NAME,
        instanceType,
        initialInstanceCount: min,
        ...(volumeKey ? { kmsKeyId: volumeKey } : {}),
        ...(capture > 0 ? { dataCapture: { percent: capture, destinationS3Uri: captureUri, kmsKeyId: key.keyArn } } : {}),
        shift: (props.shift ?? EndpointShift.canary(10, Duration.minutes(5))).settings,
        rollbackAlarms: [this.latencyAlarm.alarmName, this.errorAlarm.alarmName],
        // Without an initial artifact the first promotion creates the endpoint: the function registers its autoscaling.
        ...(props.initialModelDataKey === undefined ? {
          autoscaling: {
            minCapacity: min, maxCapacity: max, ...TARGET_TRACKING,
            scheduledActions: scheduledActions(props.peakWindows, { peak: { minCapacity: peak }, normal: { minCapacity: min } }),
          },
        } : {}),
      },
      endpointRole: this.role,
      encryptionKey: key,
      createModelConditions: execution.modelConditions(),
      createEndpointConfigConditions: execution.endpointConfigConditions(),
      registry: props.registry,
      registryEventBus: props.registryEventBus,
      logRetention: props.logRetention,
    });

    if (props.initialModelDataKey !== undefined) {
      const model = new sagemaker.CfnModel(this, 'Model', {
        executionRoleArn: this.role.roleArn,
        primaryContainer: { image: props.image.imageUri, modelDataUrl: props.dataLake.artifactsBucket.s3UrlForObject(props.initialModelDataKey), environment },
        enableNetworkIsolation: networkIsolation,
        vpcConfig,
      });
      model.node.addDependency(this.role);
      const config = new sagemaker.CfnEndpointConfig(this, 'Config', {
        productionVariants: [{ variantName: VARIANT_NAME, modelName: model.attrModelName, instanceType, initialInstanceCount: min, initialVariantWeight: 1 }],
        // Instance types with local NVMe storage encrypt it in hardware and reject a volume key.
        ...(volumeKey ? { kmsKeyId: volumeKey } : {}),
        ...(capture > 0 ? {
          dataCaptureConfig: {
            enableCapture: true,
            initialSamplingPercentage: capture,
            destinationS3Uri: captureUri,
            kmsKeyId: key.keyArn,
            captureOptions: [{ captureMode: 'Input' }, { captureMode: 'Output' }],
            captureContentTypeHeader: { jsonContentTypes: ['application/json'] },
          },
        } : {}),
      });
      const endpoint = new sagemaker.CfnEndpoint(this, 'Resource', { endpointName: this.endpointName, endpointConfigName: config.attrEndpointConfigName });
      this.scaling = new appscaling.ScalableTarget(this, 'Scaling', {
        serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
        resourceId: `endpoint/${this.endpointName}/variant/${VARIANT_NAME}`,
        scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        minCapacity: min,
        maxCapacity: max,
      });
      this.scaling.node.addDependency(endpoint);
      this.scaling.scaleToTrackMetric('InvocationsPerInstance', {
        predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
        targetValue: TARGET_TRACKING.invocationsPerInstance,
        scaleInCooldown: Duration.seconds(TARGET_TRACKING.scaleInCooldownSeconds),
        scaleOutCooldown: Duration.seconds(TARGET_TRACKING.scaleOutCooldownSeconds),
      });
      // Instances take minutes to start: the shared schedule scales out 15 minutes ahead of each window.
      schedulePeaks(this.scaling, props.peakWindows, { peak: { minCapacity: peak }, normal: { minCapacity: min } });
    }

    acknowledgeNag(this, NagFindings.actionsWithoutResourceLevelPermissions(), NagFindings.kmsDataKeys(), NagFindings.kmsReEncrypt(), NagFindings.sageMakerEndpointLogs(),
      NagFindings.objectsUnder(this, props.dataLake.artifactsBucket.bucketArn, prefix),
      ...(capture > 0 ? [NagFindings.objectsUnder(this, props.dataLake.artifactsBucket.bucketArn, captureKeyPrefix)] : []));
  }

  private metric(metricName: string, statistic: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/SageMaker', metricName, statistic, period: Duration.minutes(1),
      dimensionsMap: { EndpointName: this.endpointName, VariantName: VARIANT_NAME },
    });
  }

  /** Grants calling the endpoint (sagemaker:InvokeEndpoint). */
  grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:InvokeEndpoint'], resourceArns: [this.endpointArn] });
  }
}

function validateModelEndpointProps(p: { instanceType: string; min: number; max: number; peak: number; tpsPerInstance: number; capture: number; errorThreshold: number }): void {
  if (!Token.isUnresolved(p.instanceType) && !/^ml\.[a-z0-9-]+\.[a-z0-9]+$/.test(p.instanceType)) {
    throw new Error(`instanceType must be a SageMaker hosting instance type such as "ml.c5.large", but "${p.instanceType}" was provided`);
  }
  const whole = (name: string, v: number, lo: number) => {
    if (!Token.isUnresolved(v) && (!Number.isInteger(v) || v < lo)) throw new Error(`${name} must be a whole number >= ${lo}, but ${v} was provided`);
  };
  whole('minInstanceCount', p.min, 1);
  whole('maxInstanceCount', p.max, 1);
  whole('peakInstanceCount', p.peak, 1);
  whole('errorAlarmThreshold', p.errorThreshold, 1);
  if (p.max < p.min) throw new Error(`maxInstanceCount must be at least minInstanceCount (${p.min}), but ${p.max} was provided`);
  if (p.peak < p.min || p.peak > p.max) throw new Error(`peakInstanceCount must be between minInstanceCount (${p.min}) and maxInstanceCount (${p.max}), but ${p.peak} was provided`);
  if (!(p.tpsPerInstance > 0)) throw new Error(`tpsPerInstance must be a positive number of requests per second, but ${p.tpsPerInstance} was provided`);
  if (!(p.capture >= 0 && p.capture <= 100) || !Number.isInteger(p.capture)) throw new Error(`dataCapturePercent must be a whole number between 0 and 100, but ${p.capture} was provided`);
}

/** The scheduled actions of the peak windows as data for the update function (the shared schedule's own rule). */
function scheduledActions(windows: PeakWindow[] | undefined, capacity: Parameters<typeof schedulePeaks>[2]): EndpointAutoscaling['scheduledActions'] {
  const actions: Array<EndpointAutoscaling['scheduledActions'][number]> = [];
  schedulePeaks({
    scaleOnSchedule: (name, a) => actions.push({
      name, schedule: a.schedule.expressionString, minCapacity: a.minCapacity!,
      ...(a.timeZone ? { timeZone: a.timeZone.timezoneName } : {}),
      ...(a.maxCapacity !== undefined ? { maxCapacity: a.maxCapacity } : {}),
    }),
  }, windows, capacity);
  return actions;
}
