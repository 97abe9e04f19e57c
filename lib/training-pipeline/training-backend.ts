import { Duration, Size, Stack, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CONTAINER } from '../../lambda/shared/contract';
import { BATCH_STAGING_ENV, JOB_NAME_PATH, TRAINING_STATES } from '../../lambda/shared/training/constants';
import { runIdPrefix } from '../../lambda/shared/training/run-id';
import { IDataLake } from '../data-lake/data-lake-base';
import { IGpuBatchCompute } from '../gpu-batch-compute/gpu-batch-compute-base';
import { stagerBootstrap, stagerSource } from './stager-source';
import { TrainingImage } from './training-image';
import { BATCH_DEFAULT_VCPUS, validateBatchBackendOptions, validateSageMakerBackendOptions } from './validate-training-backend-options';
import { SageMakerExecution, SageMakerWorkload, sageMakerTrainingJobStatements } from '../common/sagemaker';
import { MlopsLogGroup } from '../common/log-key';
import { acknowledgeOperationalLogRetention } from '../common/guard';

/** Options of {@link TrainingBackend.sageMaker}. */
export interface SageMakerBackendOptions {
  /** The training image. */
  readonly image: TrainingImage;
  /**
   * SageMaker instance type.
   * @default 'ml.g5.xlarge'
   */
  readonly instanceType?: string;
  /**
   * Instances per job (distributed training encrypts the traffic between them).
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * ML storage volume per instance.
   * @default 50
   */
  readonly volumeSizeGiB?: number;
  /**
   * Longest a job may train.
   * @default Duration.hours(4)
   */
  readonly maxRuntime?: Duration;
  /**
   * Managed Spot training (up to ~70% cheaper; SageMaker resumes interrupted jobs).
   * @default true
   */
  readonly spot?: boolean;
  /**
   * Longest a Spot job may take including waiting for capacity (>= maxRuntime).
   * @default - twice maxRuntime
   */
  readonly spotMaxWait?: Duration;
  /**
   * Sync /opt/ml/checkpoints with the run's `checkpoints/` prefix so a Spot restart resumes.
   * @default - true when spot is on
   */
  readonly checkpointing?: boolean;
  /**
   * Run the container without network access (SageMaker still stages data in and out).
   * Turn off only if the training code must call a service.
   * @default true
   */
  readonly networkIsolation?: boolean;
  /**
   * VPC to run the jobs in (needs an S3 endpoint).
   * @default - no VPC (SageMaker-managed network; with network isolation the container has none)
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of `vpc`.
   * @default - private subnets of the VPC
   */
  readonly subnets?: ec2.SubnetSelection;
  /**
   * Security groups of the jobs in `vpc`.
   * @default - a new security group with outbound access only
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * Extra environment variables of the container.
   * @default - only the MLOPS_* contract variables
   */
  readonly environment?: Record<string, string>;
}

/** Options of {@link TrainingBackend.batch}. */
export interface BatchBackendOptions {
  /** The GPU compute (job queue) the jobs run on. */
  readonly compute: IGpuBatchCompute;
  /** The training image; it must contain python3 (for the staging wrapper). */
  readonly image: TrainingImage;
  /** The training command, run by the staging wrapper once inputs are in place (e.g. ['python3', '/app/train.py']). */
  readonly command: string[];
  /**
   * vCPUs per job.
   * @default 4
   */
  readonly vcpus?: number;
  /**
   * GPUs per job.
   * @default 1
   */
  readonly gpus?: number;
  /**
   * Memory per job (leave ~1 GiB of the instance to the agent: g5.xlarge has 16 GiB).
   * @default 14336
   */
  readonly memoryMiB?: number;
  /**
   * Longest a job attempt may run.
   * @default Duration.hours(4)
   */
  readonly maxRuntime?: Duration;
  /**
   * User the container runs as ("uid:gid" or a name known to the image); root is refused. The
   * image must let this user read its code and write `/opt/ml` (e.g. `RUN mkdir -p /opt/ml &&
   * chown 1000:1000 /opt/ml` before `USER 1000`).
   * @default "1000:1000"
   */
  readonly user?: string;
  /**
   * Read-only root filesystem; /opt/ml and /tmp are writable volumes.
   * @default true
   */
  readonly readonlyRootFilesystem?: boolean;
  /**
   * Python interpreter in the image that runs the staging wrapper.
   * @default 'python3'
   */
  readonly python?: string;
  /**
   * Batch attempts of a job whose Spot instance was reclaimed (resumes from checkpoints).
   * @default 3
   */
  readonly spotAttempts?: number;
  /**
   * Extra environment variables of the container.
   * @default - only the MLOPS_* contract variables
   */
  readonly environment?: Record<string, string>;
}

/** What a backend needs from the pipeline to build its training task. */
export interface TrainingBackendBindOptions {
  /** Model name (job names and IAM scopes derive from it). */
  readonly modelName: string;
  /** Where inputs are read and outputs written. */
  readonly dataLake: IDataLake;
  /** Retention of the job logs the backend creates. */
  readonly logRetention: logs.RetentionDays;
}

/** The training task and the permissions the state machine needs to run it. */
export interface TrainingBackendConfig {
  /** The Task state (SageMaker or Batch `.sync` integration). */
  readonly task: sfn.CustomState;
  /** Statements for the state machine role. */
  readonly policyStatements: iam.PolicyStatement[];
  /** The role the training container runs with. */
  readonly trainingRole: iam.IRole;
  /** Image URI recorded on every version (pinned by digest at run time when it is an ECR tag). */
  readonly imageUri: string;
  /** The training image (the plan step may read its digest). */
  readonly image: TrainingImage;
  /** Which engine: 'sagemaker' or 'batch'. */
  readonly engine: string;
  /**
   * Error names of the integration retried by the Train state itself (service faults that
   * never carry a validation error). Others go to the failure classifier, which reads the cause.
   */
  readonly transientErrors: string[];
  /** Longest total wait for quota or capacity per category (SageMaker: maxWait). */
  readonly capacityWait: Duration;
  /** TimeoutSeconds of the Train state: the longest one training attempt may take. */
  readonly taskTimeout: Duration;
}

/**
 * Where training runs. Both engines honour the same container contract (SageMaker's /opt/ml
 * layout plus MLOPS_* variables) and write outputs under the run's prefix:
 * `<runPrefix><jobName>/output/model/` (model files, metrics.json) and `.../output/data/`.
 */
export abstract class TrainingBackend {
  /** SageMaker training jobs (managed Spot, checkpointing, KMS, network isolation). */
  static sageMaker(options: SageMakerBackendOptions): TrainingBackend {
    return new SageMakerBackend(options);
  }

  /** AWS Batch jobs on a {@link GpuBatchCompute} queue, with the staging wrapper. */
  static batch(options: BatchBackendOptions): TrainingBackend {
    return new BatchBackend(options);
  }

  /** Builds the training task in `scope`. */
  abstract bind(scope: Construct, options: TrainingBackendBindOptions): TrainingBackendConfig;
}

/** The MLOPS_* variables of the contract, from the run item (JSONPath). */
function contractEnv(): Array<[string, string]> {
  return [
    [CONTAINER.env.model, '$.model'],
    [CONTAINER.env.category, '$.category'],
    [CONTAINER.env.runId, '$.runId'],
    [CONTAINER.env.executionDate, '$.executionDate'],
  ];
}

function runOutputGrants(role: iam.IGrantable, options: TrainingBackendBindOptions): void {
  options.dataLake.grantReadDatasets(role, `${options.modelName}/`);
  options.dataLake.grantWriteArtifacts(role, `runs/${options.modelName}/`);
  options.dataLake.grantWriteArtifacts(role, `experiments/${options.modelName}/`);
}

class SageMakerBackend extends TrainingBackend {
  constructor(private readonly options: SageMakerBackendOptions) {
    super();
    validateSageMakerBackendOptions(options);
  }

  bind(scope: Construct, options: TrainingBackendBindOptions): TrainingBackendConfig {
    const o = this.options;
    const stack = Stack.of(scope);
    const key = options.dataLake.encryptionKey;
    const instanceType = o.instanceType ?? 'ml.g5.xlarge';
    const instanceCount = o.instanceCount ?? 1;
    const maxRuntime = o.maxRuntime ?? Duration.hours(4);
    const spot = o.spot ?? true;
    const maxWait = spot ? (o.spotMaxWait ?? Duration.seconds(maxRuntime.toSeconds() * 2)) : undefined;
    const checkpointing = o.checkpointing ?? spot;
    const taskTimeout = Duration.seconds((maxWait ?? maxRuntime).toSeconds() + 3600);

    const execution = new SageMakerExecution(scope, {
      workload: SageMakerWorkload.TRAINING_JOBS,
      roleId: 'TrainingRole',
      securityGroupId: 'TrainingSecurityGroup',
      description: `SageMaker training jobs of ${options.modelName}`,
      key, image: o.image, instanceType, instanceCount,
      networkIsolation: o.networkIsolation,
      vpc: o.vpc, subnets: o.subnets, securityGroups: o.securityGroups,
    });
    const role = execution.role;
    runOutputGrants(role, options);

    const env: Record<string, unknown> = { ...o.environment, [CONTAINER.env.mode]: 'train' };
    for (const [name, path] of contractEnv()) env[`${name}.$`] = path;
    const task = new sfn.CustomState(scope, TRAINING_STATES.train, {
      stateJson: {
        Type: 'Task',
        Comment: `SageMaker training job (${instanceCount} x ${instanceType}${spot ? ', managed Spot' : ''})`,
        Resource: `arn:${stack.partition}:states:::sagemaker:createTrainingJob.sync`,
        // Timeout of the whole wait: the longest SageMaker itself allows plus margin for staging.
        TimeoutSeconds: taskTimeout.toSeconds(),
        Parameters: {
          'TrainingJobName.$': JOB_NAME_PATH,
          // Uncompressed output: metrics.json is readable as an object, identical to the Batch layout.
          ...execution.trainingJobParameters({ 'S3OutputPath.$': '$.outputUri', 'CompressionType': 'NONE' }, o.volumeSizeGiB ?? 50),
          'AlgorithmSpecification': { TrainingImage: o.image.imageUri, TrainingInputMode: 'File' },
          'HyperParameters.$': '$.hyperparameters',
          'Environment': env,
          'InputDataConfig': [{
            ChannelName: CONTAINER.trainingChannel,
            DataSource: { S3DataSource: { 'S3DataType': 'S3Prefix', 'S3Uri.$': '$.datasetUri', 'S3DataDistributionType': 'FullyReplicated' } },
          }],
          'StoppingCondition': { MaxRuntimeInSeconds: maxRuntime.toSeconds(), ...(maxWait ? { MaxWaitTimeInSeconds: maxWait.toSeconds() } : {}) },
          'EnableManagedSpotTraining': spot,
          ...(checkpointing ? { CheckpointConfig: { 'S3Uri.$': '$.checkpointUri', 'LocalPath': '/opt/ml/checkpoints' } } : {}),
        },
        ResultPath: null,
      },
    });

    const jobArnPrefix = stack.formatArn({ service: 'sagemaker', resource: 'training-job', resourceName: `${runIdPrefix(options.modelName).toLowerCase()}-*` });
    const policyStatements = sageMakerTrainingJobStatements(stack, jobArnPrefix, execution);
    return {
      task, policyStatements, trainingRole: role, imageUri: o.image.imageUri, image: o.image, engine: 'sagemaker', taskTimeout,
      // AmazonSageMakerException carries ValidationException and "job name must be unique" as
      // well as quota errors: the classifier tells them apart by the cause.
      transientErrors: [],
      capacityWait: maxWait ?? maxRuntime,
    };
  }
}

class BatchBackend extends TrainingBackend {
  constructor(private readonly options: BatchBackendOptions) {
    super();
    validateBatchBackendOptions({ ...options, computeMaxvCpus: options.compute.maxvCpus });
  }

  bind(scope: Construct, options: TrainingBackendBindOptions): TrainingBackendConfig {
    const o = this.options;
    const stack = Stack.of(scope);
    const key = options.dataLake.encryptionKey;
    const maxRuntime = o.maxRuntime ?? Duration.hours(4);
    const spotAttempts = o.spotAttempts ?? 3;
    // Every Batch attempt may run maxRuntime, plus time to get capacity and pull the image.
    const taskTimeout = Duration.seconds(maxRuntime.toSeconds() * spotAttempts + 3600);

    const jobRole = new iam.Role(scope, 'TrainingRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `Batch training jobs of ${options.modelName}: read its datasets, write its runs`,
    });
    runOutputGrants(jobRole, options);
    key.grantEncryptDecrypt(jobRole);

    const logGroup = new MlopsLogGroup(scope, 'TrainingLogs', { retention: options.logRetention });
    acknowledgeOperationalLogRetention(logGroup);
    const container = new batch.EcsEc2ContainerDefinition(scope, 'TrainingContainer', {
      image: o.image.toContainerImage(),
      cpu: o.vcpus ?? BATCH_DEFAULT_VCPUS,
      gpu: o.gpus ?? 1,
      memory: Size.mebibytes(o.memoryMiB ?? 14336),
      command: stagerBootstrap(o.python ?? 'python3'),
      environment: {
        ...o.environment,
        [BATCH_STAGING_ENV.stager]: stagerSource(),
        [BATCH_STAGING_ENV.command]: JSON.stringify(o.command),
        [BATCH_STAGING_ENV.kmsKeyId]: key.keyArn,
        [CONTAINER.env.mode]: 'train',
        AWS_DEFAULT_REGION: stack.region,
      },
      jobRole,
      privileged: false,
      readonlyRootFilesystem: o.readonlyRootFilesystem ?? true,
      user: batchUser(o.user),
      volumes: [
        batch.EcsVolume.host({ name: 'opt-ml', containerPath: '/opt/ml' }),
        batch.EcsVolume.host({ name: 'tmp', containerPath: '/tmp' }),
      ],
      logging: new ecs.AwsLogDriver({ streamPrefix: options.modelName, logGroup }),
    });
    o.image.grantPull(container.executionRole);
    const jobDefinition = new batch.EcsJobDefinition(scope, 'TrainingJobDefinition', {
      container,
      timeout: maxRuntime,
      retryAttempts: spotAttempts,
      // Only a reclaimed Spot instance is retried by Batch (the job resumes from its checkpoints);
      // a failing training command is not.
      retryStrategies: [
        batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.SPOT_INSTANCE_RECLAIMED),
        batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.custom({ onExitCode: '*' })),
      ],
      propagateTags: true,
    });

    const env: Array<Record<string, string>> = [
      ...contractEnv().map(([name, path]) => ({ 'Name': name, 'Value.$': path })),
      { 'Name': BATCH_STAGING_ENV.inputUri, 'Value.$': '$.datasetUri' },
      { 'Name': BATCH_STAGING_ENV.outputUri, 'Value.$': "States.Format('{}{}/', $.outputUri, $.job.name)" },
      { 'Name': BATCH_STAGING_ENV.checkpointUri, 'Value.$': '$.checkpointUri' },
      { 'Name': BATCH_STAGING_ENV.hyperparameters, 'Value.$': 'States.JsonToString($.hyperparameters)' },
    ];
    const task = new sfn.CustomState(scope, TRAINING_STATES.train, {
      stateJson: {
        Type: 'Task',
        Comment: `AWS Batch job on ${o.gpus ?? 1} GPU(s) (Spot first, On-Demand fallback)`,
        Resource: `arn:${stack.partition}:states:::batch:submitJob.sync`,
        TimeoutSeconds: taskTimeout.toSeconds(),
        Parameters: {
          'JobName.$': JOB_NAME_PATH,
          'JobQueue': o.compute.jobQueue.jobQueueArn,
          'JobDefinition': jobDefinition.jobDefinitionArn,
          'ContainerOverrides': { Environment: env },
        },
        ResultPath: null,
      },
    });
    const policyStatements = [
      new iam.PolicyStatement({
        actions: ['batch:SubmitJob'],
        // The task submits exactly this revision of the job definition.
        resources: [o.compute.jobQueue.jobQueueArn, jobDefinition.jobDefinitionArn],
      }),
      new iam.PolicyStatement({
        // DescribeJobs and TerminateJob have no resource-level permissions.
        actions: ['batch:DescribeJobs', 'batch:TerminateJob'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForBatchJobsRule' })],
      }),
    ];
    return {
      task, policyStatements, trainingRole: jobRole, imageUri: o.image.imageUri, image: o.image, engine: 'batch', taskTimeout,
      transientErrors: ['Batch.AWSBatchException', 'Batch.ServerException', 'Batch.TooManyRequestsException'],
      // Batch queues jobs until capacity comes; only API throttling reaches the classifier.
      capacityWait: maxRuntime,
    };
  }
}

/** The Batch job's user: never root (the job definition says so, whatever the image's USER). */
function batchUser(user: string | undefined): string {
  if (user !== undefined && !Token.isUnresolved(user) && /^(0|root)(:|$)/.test(user.trim())) {
    throw new Error(`user must not be root, but ${JSON.stringify(user)} was provided: give a non-root "uid:gid" (e.g. "1000:1000") that owns /opt/ml in the image`);
  }
  return user ?? '1000:1000';
}
