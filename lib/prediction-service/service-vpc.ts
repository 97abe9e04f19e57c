import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { accountPrincipalsStatement, accountTablesStatement, s3GatewayStatements } from '../common/endpoint-policies';
import { addFlowLogs } from '../common/flow-logs';

/**
 * A 2-AZ VPC without NAT gateways: tasks in isolated subnets reach DynamoDB and S3 (ECR image
 * layers) through gateway endpoints (free) and ECR / CloudWatch Logs through interface
 * endpoints (about the price of one NAT gateway, without its per-GB processing charge).
 * Public subnets exist only for an internet-facing load balancer. Flow logs: `addFlowLogs`.
 * Endpoint policies admit the account's principals only; S3 reaches the account's buckets and
 * ECR's image layers.
 */
export function serviceVpc(scope: Construct, internetFacing: boolean, logRetention?: logs.RetentionDays): ec2.Vpc {
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      ...(internetFacing ? [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false }] : []),
      { name: 'tasks', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 22 },
    ],
  });
  addFlowLogs(scope, vpc, logRetention);
  vpc.addGatewayEndpoint('DynamoDbEndpoint', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB }).addToPolicy(accountTablesStatement(scope));
  const s3Endpoint = vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3 });
  s3GatewayStatements(scope, undefined).forEach((st) => s3Endpoint.addToPolicy(st));
  vpc.addInterfaceEndpoint('EcrApiEndpoint', { service: ec2.InterfaceVpcEndpointAwsService.ECR }).addToPolicy(accountPrincipalsStatement(scope));
  vpc.addInterfaceEndpoint('EcrDockerEndpoint', { service: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER }).addToPolicy(accountPrincipalsStatement(scope));
  vpc.addInterfaceEndpoint('LogsEndpoint', { service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS }).addToPolicy(accountPrincipalsStatement(scope));
  return vpc;
}
