import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeOperationalLogRetention } from './guard';
import { MlopsLogGroup } from './log-key';

/** The one flow-log policy of every VPC the library creates (platform network, service VPC, GPU VPC). */
export const FLOW_LOG_POLICY = {
  /**
   * Rejected traffic only: it answers "what was blocked, from where" (a security group or a
   * client path set up wrong) at a fraction of the volume of ALL, which at hundreds of requests
   * a second would cost more than the network it watches.
   */
  trafficType: ec2.FlowLogTrafficType.REJECT,
  /** As long as every other log group of the platform, unless the owner sets another retention. */
  retention: logs.RetentionDays.ONE_MONTH,
  /** Diagnostic data, not a record of the business: it goes with the stack, like the other log groups. */
  removalPolicy: RemovalPolicy.DESTROY,
} as const;

/**
 * Adds the library's flow log to `vpc`: rejected traffic to a CloudWatch log group `FlowLogs`
 * in `scope` (flow log id `FlowLog` on the VPC), kept `retention`.
 */
export function addFlowLogs(scope: Construct, vpc: ec2.Vpc, retention: logs.RetentionDays = FLOW_LOG_POLICY.retention): ec2.FlowLog {
  const logGroup = new MlopsLogGroup(scope, 'FlowLogs', { retention, removalPolicy: FLOW_LOG_POLICY.removalPolicy });
  acknowledgeOperationalLogRetention(logGroup);
  return vpc.addFlowLog('FlowLog', {
    destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup),
    trafficType: FLOW_LOG_POLICY.trafficType,
  });
}
