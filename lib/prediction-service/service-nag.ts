import { Validations } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { nagArn } from '../prediction-store/nag-refs';

/** Acknowledges the cdk-nag findings a PredictionService carries by design, each with its reason. */
export function acknowledgeServiceFindings(scope: Construct, opts: { internetFacing: boolean; createdLogsBucket: boolean; createdVpc: boolean; registryTable: IConstruct }): void {
  const ack = (id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
  ack('AwsSolutions-ECS2', 'The environment holds only non-secret configuration (table names, region, port, the serving rules); no credentials are passed: the task role provides them.');
  ack('AwsSolutions-IAM5[Resource::*]', 'ecr:GetAuthorizationToken (task execution role) has no resource-level permissions.');
  ack(`AwsSolutions-IAM5[Resource::${nagArn(opts.registryTable)}/index/*]`, 'Read-only registry access includes its index; the registry grant is defined by ModelRegistry. The server reads only production pointers.');
  if (opts.createdLogsBucket) {
    ack('AwsSolutions-S1', 'This bucket is the destination of the load balancer access logs; logging its own access would only log the log delivery.');
  }
  if (opts.internetFacing) {
    ack('AwsSolutions-EC23', 'An internet-facing prediction endpoint must accept clients from any address on its listener ports; the tasks accept traffic only from the load balancer security group.');
  } else {
    ack('AwsSolutions-EC23', 'Ingress is limited to the VPC CIDR (the load balancer listener and the interface endpoints), which cdk-nag cannot resolve because the CIDR is a token.');
  }
}
