import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { IConstruct } from 'constructs';
import { scoringJobPrefix } from '../../lambda/shared/predictions/resolve';
import { NagFindings as F, acknowledgeNag } from '../common/nag';

export interface BatchNagRefs {
  readonly model: string;
  readonly datasetsBucket: s3.IBucket;
  readonly artifactsBucket: s3.IBucket;
  readonly predictionsBucket: s3.IBucket;
  readonly registryTable: dynamodb.ITable;
  readonly stateMachine: sfn.IStateMachine;
  readonly functions: lambda.IFunction[];
  readonly scoringRole: IConstruct;
}

/** Acknowledges the cdk-nag findings a BatchInference carries by design (reasons in lib/common/nag.ts). */
export function acknowledgeBatchFindings(scope: IConstruct, refs: BatchNagRefs): void {
  const m = refs.model;
  acknowledgeNag(scope,
    F.lambdaBasicExecution(), F.lambdaRuntime(), F.actionsWithoutResourceLevelPermissions(), F.kmsReEncrypt(), F.kmsDataKeys(),
    F.objectsUnder(scope, refs.predictionsBucket.bucketArn, `${m}/`),
    F.objectsUnder(scope, refs.datasetsBucket.bucketArn, `${m}/`),
    F.objectsUnder(scope, refs.artifactsBucket.bucketArn, `runs/${m}/`),
    F.registryIndex(scope, refs.registryTable.tableArn),
    F.sageMakerTrainingLogs(':*'),
    F.trainingJobs(scoringJobPrefix(m)),
    ...refs.functions.map((fn) => F.functionVersions(scope, fn.functionArn)),
    ...F.distributedMapExecutions(scope, refs.stateMachine.stateMachineArn),
  );
}
