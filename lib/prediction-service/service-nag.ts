import { IConstruct } from 'constructs';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { GuardFindings as G, acknowledgeGuard } from '../common/guard';
import { NagFindings as F, acknowledgeNag } from '../common/nag';
import { ServiceTransport } from './service-authentication';
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
    ...F.loadBalancerWithoutWebAcl(opts.accessMode === AccessMode.INTERNET),
  );
}

/** Acknowledges the cfn-guard (Control Tower) findings a PredictionService carries by design (reasons in lib/common/guard.ts). */
export function acknowledgeServiceGuardFindings(opts: { transport: ServiceTransport; listener: elbv2.ApplicationListener; createdLogsBucket?: s3.IBucket }): void {
  if (opts.transport === ServiceTransport.PLAINTEXT_INTERNAL) {
    acknowledgeGuard(opts.listener, G.plaintextInternalListener());
    acknowledgeNag(opts.listener, ...F.plaintextInternalListener());
  }
  if (opts.createdLogsBucket) acknowledgeGuard(opts.createdLogsBucket, G.loadBalancerLogBucketEncryption(), G.accessLogBucketLogging(), G.logBucketEvents(), G.objectLock());
}
