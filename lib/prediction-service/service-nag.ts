import { IConstruct } from 'constructs';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { NagFindings as F, acknowledgeNag } from '../common/nag';
import { AccessMode } from '../spec/model-spec';

/** Acknowledges the cdk-nag findings a PredictionService carries by design (reasons in lib/common/nag.ts). */
export function acknowledgeServiceFindings(scope: IConstruct, opts: { accessMode: AccessMode; createdLogsBucket: boolean; createdVpc: boolean; registryTable: dynamodb.ITable }): void {
  // PrivateLink admits the NLB's security group only; a created VPC's endpoints admit its CIDR.
  const ingress = {
    [AccessMode.INTERNET]: [F.internetFacingListener()],
    [AccessMode.VPC]: [F.vpcCidrIngress()],
    [AccessMode.PRIVATE_LINK]: [F.privateLinkLoadBalancer(), ...(opts.createdVpc ? [F.vpcCidrIngress()] : [])],
  }[opts.accessMode];
  acknowledgeNag(scope,
    F.plainTaskEnvironment(), F.actionsWithoutResourceLevelPermissions(), F.registryIndex(scope, opts.registryTable.tableArn),
    ...(opts.createdLogsBucket ? [F.accessLogBucket()] : []),
    ...ingress,
  );
}
