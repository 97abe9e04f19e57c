import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { addFlowLogs } from '../common/flow-logs';

/**
 * A 2-AZ VPC without NAT gateways: tasks in isolated subnets reach DynamoDB and S3 (ECR image
 * layers) through gateway endpoints (free) and ECR / CloudWatch Logs through interface
 * endpoints (about the price of one NAT gateway, without its per-GB processing charge).
 * Public subnets exist only for an internet-facing load balancer. Flow logs: `addFlowLogs`.
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
  vpc.addGatewayEndpoint('DynamoDbEndpoint', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB });
  vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3 });
  vpc.addInterfaceEndpoint('EcrApiEndpoint', { service: ec2.InterfaceVpcEndpointAwsService.ECR });
  vpc.addInterfaceEndpoint('EcrDockerEndpoint', { service: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER });
  vpc.addInterfaceEndpoint('LogsEndpoint', { service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS });
  return vpc;
}
