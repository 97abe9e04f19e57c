import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { IDataLake } from '../data-lake';
import { IModelRegistry } from '../model-registry';
import { MlopsFunction } from '../common/mlops-function';
import { NagFindings as F, acknowledgeNag } from '../common/nag';
import { ENV } from '../../lambda/shared/env';
import { EXPERIMENT_TRACKING_ENV, MLFLOW_CONTAINER_ENV } from '../../lambda/shared/experiments/constants';
import { ENTITY } from '../../lambda/shared/registry/keys';

/** Capacity of the managed MLflow tracking server (SageMaker's sizes). */
export enum TrackingServerSize {
  /** Up to about 25 users (SageMaker's recommendation). */
  SMALL = 'Small',
  /** Up to about 50 users. */
  MEDIUM = 'Medium',
  /** Up to about 100 users. */
  LARGE = 'Large',
}

/** Options of the platform's managed MLflow (`MlopsPlatformProps.experimentTracking`). */
export interface ExperimentTrackingOptions {
  /**
   * Tracking server size.
   * @default TrackingServerSize.SMALL
   */
  readonly size?: TrackingServerSize;
  /**
   * MLflow version of the server (one SageMaker offers, e.g. "2.16").
   * @default - SageMaker's default version
   */
  readonly mlflowVersion?: string;
  /**
   * Weekly maintenance window start, `Ddd:HH:MM` in UTC.
   * @default 'Sun:03:00'
   */
  readonly weeklyMaintenanceWindowStart?: string;
}

/** Where a model's training jobs may log MLflow runs themselves (`ExperimentTracking.targetFor`). */
export interface MlflowTrackingTarget {
  /** The tracking server's ARN (`MLFLOW_TRACKING_URI`). */
  readonly trackingServerArn: string;
  /** The model's experiment (`MLFLOW_EXPERIMENT_NAME`). */
  readonly experimentName: string;
}

/** Props of {@link ExperimentTracking}. */
export interface ExperimentTrackingProps extends ExperimentTrackingOptions {
  /** Holds the MLflow artifact store (under `mlflow/` of its artifacts bucket). */
  readonly dataLake: IDataLake;
  /** The registry whose finished runs are mirrored (its table needs a stream, as ModelRegistry's has). */
  readonly registry: IModelRegistry;
  /** Names the server (`mlops-<platformName>`) and prefixes experiment names (`<platformName>/<model>`). */
  readonly platformName: string;
  /**
   * Retention of the mirror function's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Mirror attempts per stream batch before the record goes to the dead-letter queue. */
const MIRROR_RETRIES = 10;

/**
 * A SageMaker managed MLflow tracking server beside the registry (off unless asked for): every
 * finished run is mirrored into it (params, final metrics, the metric series, tags, status),
 * named after the registry run id, and the registry run records the MLflow run id. Training code
 * needs no MLflow client: jobs stay network-isolated.
 */
export class ExperimentTracking extends Construct {
  /** The tracking server's ARN: the `MLFLOW_TRACKING_URI` of MLflow clients with the sagemaker-mlflow plugin. */
  readonly trackingServerArn: string;
  readonly trackingServerName: string;
  /** Experiment name prefix (`<platformName>/`); a model's experiment is `<prefix><model>`. */
  readonly experimentPrefix: string;
  readonly mirrorFunction: lambda.IFunction;
  /** Stream records the mirror gave up on (after retries). */
  readonly deadLetterQueue: sqs.IQueue;

  constructor(scope: Construct, id: string, props: ExperimentTrackingProps) {
    super(scope, id);
    const window = props.weeklyMaintenanceWindowStart ?? 'Sun:03:00';
    if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01]\d|2[0-3]):[0-5]\d$/.test(window)) {
      throw new Error(`experimentTracking.weeklyMaintenanceWindowStart ${JSON.stringify(window)} is not Ddd:HH:MM; fix: write e.g. "Sun:03:00" (UTC)`);
    }
    if (props.mlflowVersion !== undefined && !/^\d+\.\d+(\.\d+)?$/.test(props.mlflowVersion)) {
      throw new Error(`experimentTracking.mlflowVersion ${JSON.stringify(props.mlflowVersion)} is not a version; fix: write e.g. "2.16", or leave it out for SageMaker's default`);
    }
    const streamArn = props.registry.table.tableStreamArn;
    if (!streamArn) throw new Error('ExperimentTracking needs the registry table\'s stream; fix: use a ModelRegistry (it has one), or import the table with its tableStreamArn');
    this.trackingServerName = ExperimentTracking.serverName(props.platformName);
    this.experimentPrefix = `${props.platformName}/`;

    const serverRole = new iam.Role(this, 'ServerRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: 'Lets the MLflow tracking server read and write its artifact store (mlflow/ in the artifacts bucket)',
    });
    props.dataLake.grantWriteArtifacts(serverRole, 'mlflow/');
    props.dataLake.grantReadArtifacts(serverRole, 'mlflow/');
    acknowledgeNag(serverRole, F.objectsUnder(this, props.dataLake.artifactsBucket.bucketArn, 'mlflow/'), F.kmsReEncrypt(), F.kmsDataKeys());

    const server = new sagemaker.CfnMlflowTrackingServer(this, 'Server', {
      trackingServerName: this.trackingServerName,
      artifactStoreUri: props.dataLake.artifactsBucket.s3UrlForObject('mlflow'),
      roleArn: serverRole.roleArn,
      trackingServerSize: props.size ?? TrackingServerSize.SMALL,
      mlflowVersion: props.mlflowVersion,
      weeklyMaintenanceWindowStart: window,
      // Versions are registered in our registry; a second registry would split the truth.
      automaticModelRegistration: false,
    });
    server.applyRemovalPolicy(RemovalPolicy.RETAIN);
    server.node.addDependency(serverRole);
    this.trackingServerArn = server.attrTrackingServerArn;

    const dlq = new sqs.Queue(this, 'MirrorDeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14),
    });
    acknowledgeNag(dlq, F.deadLetterQueue());
    this.deadLetterQueue = dlq;
    const fn = new MlopsFunction(this, 'Mirror', {
      handlerName: 'experiment-mirror',
      description: 'Mirrors finished registry runs into the MLflow tracking server',
      environment: {
        [ENV.registryTable]: props.registry.tableName,
        [EXPERIMENT_TRACKING_ENV.trackingServerArn]: this.trackingServerArn,
        [EXPERIMENT_TRACKING_ENV.experimentPrefix]: this.experimentPrefix,
      },
      timeout: Duration.minutes(2),
      logRetention: props.logRetention,
    });
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['SearchExperiments', 'CreateExperiment', 'SearchRuns', 'CreateRun', 'LogBatch', 'UpdateRun'].map((a) => `sagemaker-mlflow:${a}`),
      resources: [this.trackingServerArn],
    }));
    props.registry.grantRegister(fn);
    fn.addEventSource(new DynamoEventSource(props.registry.table, {
      startingPosition: lambda.StartingPosition.LATEST,
      batchSize: 10,
      retryAttempts: MIRROR_RETRIES,
      bisectBatchOnError: false,
      reportBatchItemFailures: true,
      onFailure: new SqsDlq(dlq),
      // Only run items that just finished: a RUNNING -> final status change (the link written back is not one).
      filters: [lambda.FilterCriteria.filter({
        eventName: lambda.FilterRule.isEqual('MODIFY'),
        dynamodb: {
          NewImage: { entity: { S: lambda.FilterRule.isEqual(ENTITY.run) }, status: { S: lambda.FilterRule.or('SUCCEEDED', 'FAILED', 'STOPPED') } },
          OldImage: { status: { S: lambda.FilterRule.isEqual('RUNNING') } },
        },
      })],
    }));
    acknowledgeNag(fn, F.lambdaBasicExecution(), F.lambdaRuntime(), F.actionsWithoutResourceLevelPermissions(), F.registryIndex(this, props.registry.table.tableArn), F.kmsDataKeys(), F.kmsReEncrypt());
    this.mirrorFunction = fn;
  }

  /** The tracking server's name on a platform (`mlops-<platformName>`). */
  static serverName(platformName: string): string {
    return `mlops-${platformName}`;
  }

  /**
   * A model's target on a platform's tracking server, from the platform name alone (how a model
   * stack in another stack finds it: the server's ARN is fixed by its name).
   */
  static targetFor(scope: Construct, platformName: string, model: string): MlflowTrackingTarget {
    const trackingServerArn = Stack.of(scope).formatArn({ service: 'sagemaker', resource: 'mlflow-tracking-server', resourceName: ExperimentTracking.serverName(platformName) });
    return { trackingServerArn, experimentName: `${platformName}/${model}` };
  }

  /**
   * What an MLflow client in a container needs (with the sagemaker-mlflow plugin and network
   * access to the server): the tracking URI and the model's experiment.
   */
  static containerEnvironment(target: MlflowTrackingTarget): Record<string, string> {
    return { [MLFLOW_CONTAINER_ENV.trackingUri]: target.trackingServerArn, [MLFLOW_CONTAINER_ENV.experimentName]: target.experimentName };
  }

  /** Lets a principal log runs to the server of `target` and read them (a job's or a person's MLflow client). */
  static grantLoggingOn(grantee: iam.IGrantable, target: MlflowTrackingTarget): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['SearchExperiments', 'GetExperimentByName', 'CreateExperiment', 'SearchRuns', 'GetRun', 'CreateRun', 'UpdateRun', 'LogMetric', 'LogBatch', 'LogInputs', 'LogModel']
        .map((a) => `sagemaker-mlflow:${a}`),
      resourceArns: [target.trackingServerArn],
    });
  }

  /** This server's target for one model. */
  target(model: string): MlflowTrackingTarget {
    return { trackingServerArn: this.trackingServerArn, experimentName: `${this.experimentPrefix}${model}` };
  }

  /** Lets a principal log runs and read them (an MLflow client of a team member or a job). */
  grantLogging(grantee: iam.IGrantable): iam.Grant {
    return ExperimentTracking.grantLoggingOn(grantee, { trackingServerArn: this.trackingServerArn, experimentName: this.experimentPrefix });
  }

  /** Lets a principal open the MLflow UI (a presigned URL, then the UI itself). */
  grantUi(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:CreatePresignedMlflowTrackingServerUrl', 'sagemaker-mlflow:AccessUI'],
      resourceArns: [this.trackingServerArn],
    });
  }
}
