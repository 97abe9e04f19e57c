import { Duration, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CONTAINER } from '../../lambda/shared/contract';
import { scoringJobPrefix } from '../../lambda/shared/predictions/resolve';
import { IDataLake } from '../data-lake/data-lake-base';
import { SageMakerExecution, SageMakerWorkload, sageMakerTrainingJobStatements } from '../common/sagemaker';
import { TrainingImage } from '../training-pipeline/training-image';

/** What the scoring job of one model needs. */
export interface ScoringJobOptions {
  readonly model: string;
  readonly dataLake: IDataLake;
  /** Where the versions' images come from (the role may pull from there only). @default - no pull rights */
  readonly image?: TrainingImage;
  readonly instanceType: ec2.InstanceType;
  /** @default - SageMaker's own network */
  readonly vpc?: ec2.IVpc;
  readonly volumeSize: Size;
  readonly maxRuntime: Duration;
}

/** The scoring Task state, the role the job runs with, and what the state machine role needs to start it. */
export interface ScoringJob {
  readonly task: sfn.CustomState;
  readonly role: iam.Role;
  readonly stateMachineStatements: iam.PolicyStatement[];
}

/**
 * A fresh 8-hex suffix per attempt, computed in the Task's own Parameters: a Retry and a redrive
 * re-evaluate them, so no attempt reuses a job name (SageMaker refuses a name ever used).
 */
const SCORING_JOB_NAME = "States.Format('{}-{}', $.jobBase, States.ArrayGetItem(States.StringSplit(States.UUID(), '-'), 0))";

/**
 * The SageMaker scoring job, written as ASL rather than with SageMakerCreateTrainingJob: its
 * image and S3 URIs are run-time values, for which the CDK task grants S3 and ECR on `*` and
 * an unconditioned kms:CreateGrant. Here the role gets exactly the model's prefixes and
 * repository; the resolve step rejects versions whose URIs lie elsewhere before a job starts.
 * Role, keys, isolation and VPC come from the one SageMaker builder, as for training.
 */
export function scoringJob(scope: Construct, id: string, o: ScoringJobOptions): ScoringJob {
  const stack = Stack.of(scope);
  const { model, dataLake } = o;
  const execution = new SageMakerExecution(scope, {
    workload: SageMakerWorkload.TRAINING_JOBS,
    roleId: 'ScoringRole',
    securityGroupId: 'ScoringSecurityGroup',
    description: `cdk-mlops scoring jobs of ${model}`,
    key: dataLake.encryptionKey,
    image: o.image,
    instanceType: `ml.${o.instanceType}`,
    // Inputs arrive through channels and outputs leave through /opt/ml/output: the scoring
    // container needs no network.
    networkIsolation: true,
    vpc: o.vpc,
  });
  const role = execution.role;
  dataLake.grantReadDatasets(role, `${model}/`);
  dataLake.grantReadArtifacts(role, `runs/${model}/`);
  dataLake.grantWritePredictions(role, `${model}/`);

  const task = new sfn.CustomState(scope, id, {
    stateJson: {
      Type: 'Task',
      Comment: `SageMaker scoring job (${o.instanceType}) with the version's own image`,
      Resource: `arn:${stack.partition}:states:::sagemaker:createTrainingJob.sync`,
      TimeoutSeconds: o.maxRuntime.toSeconds() + 3600,
      Parameters: {
        'TrainingJobName.$': SCORING_JOB_NAME,
        ...execution.trainingJobParameters({ 'S3OutputPath.$': '$.outputUri' }, o.volumeSize.toGibibytes()),
        'AlgorithmSpecification': { 'TrainingImage.$': '$.image', 'TrainingInputMode': 'File' },
        'InputDataConfig': [
          { ChannelName: CONTAINER.scoringModelChannel, DataSource: { S3DataSource: { 'S3DataType': 'S3Prefix', 'S3Uri.$': '$.modelUri' } } },
          { ChannelName: CONTAINER.scoringInputChannel, DataSource: { S3DataSource: { 'S3DataType': 'S3Prefix', 'S3Uri.$': '$.inputUri' } } },
        ],
        'StoppingCondition': { MaxRuntimeInSeconds: o.maxRuntime.toSeconds() },
        'Environment': {
          [CONTAINER.env.mode]: 'score',
          [`${CONTAINER.env.model}.$`]: '$.model',
          [`${CONTAINER.env.category}.$`]: '$.category',
          [`${CONTAINER.env.executionDate}.$`]: '$.executionDate',
          [`${CONTAINER.env.modelVersion}.$`]: '$.versionLabel',
          [`${CONTAINER.env.runId}.$`]: '$.jobBase',
        },
      },
      ResultSelector: { 'jobName.$': '$.TrainingJobName' },
      ResultPath: '$.scoring',
    },
  });

  const stateMachineStatements = sageMakerTrainingJobStatements(stack, stack.formatArn({ service: 'sagemaker', resource: 'training-job', resourceName: `${scoringJobPrefix(model)}*` }), execution);
  return { task, role, stateMachineStatements };
}
