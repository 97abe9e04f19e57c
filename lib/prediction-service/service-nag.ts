import { IConstruct } from 'constructs';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { NagFindings as F, acknowledgeNag } from '../common/nag';

/** Acknowledges the cdk-nag findings a PredictionService carries by design (reasons in lib/common/nag.ts). */
export function acknowledgeServiceFindings(scope: IConstruct, opts: { internetFacing: boolean; createdLogsBucket: boolean; createdVpc: boolean; registryTable: dynamodb.ITable }): void {
  acknowledgeNag(scope,
    F.plainTaskEnvironment(), F.actionsWithoutResourceLevelPermissions(), F.registryIndex(scope, opts.registryTable.tableArn),
    ...(opts.createdLogsBucket ? [F.accessLogBucket()] : []),
    opts.internetFacing ? F.internetFacingListener() : F.vpcCidrIngress(),
  );
}
