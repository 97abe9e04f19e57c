import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { NagFindings as F, acknowledgeNag } from '../common/nag';

/** What a Fargate task needs without internet access: image pulls (layers come through the S3 gateway endpoint) and the awslogs driver. */
const TASK_ENDPOINTS: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
  EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
};

/** What an ECS-managed GPU instance (Batch) needs in addition: the ECS agent's endpoints. */
const INSTANCE_ENDPOINTS: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
  Ecs: ec2.InterfaceVpcEndpointAwsService.ECS,
  EcsAgent: ec2.InterfaceVpcEndpointAwsService.ECS_AGENT,
  EcsTelemetry: ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
};

/**
 * The platform's one network, shared by every model's Batch compute and prediction service:
 * a 2-AZ VPC without NAT gateways or public subnets (the models' load balancers are internal),
 * isolated subnets for instances and tasks, S3 and DynamoDB gateway endpoints (free) and one
 * set of interface endpoints: ECR and CloudWatch Logs, plus the ECS agent's three once a model
 * trains on Batch (`addBatchEndpoints`). Rejected traffic goes to flow logs.
 *
 * Construct ids (a public contract): `Vpc`, `FlowLogs`, one endpoint per service.
 */
export class PlatformNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  private batchEndpoints = false;

  constructor(scope: Construct, id: string, props: { readonly logRetention?: logs.RetentionDays } = {}) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 }],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(this, 'FlowLogs', {
        retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      })),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
    this.addEndpoints(TASK_ENDPOINTS);
  }

  /** Adds the endpoints ECS-managed Batch instances need (once; the first Batch model calls it). */
  addBatchEndpoints(): void {
    if (this.batchEndpoints) return;
    this.batchEndpoints = true;
    this.addEndpoints(INSTANCE_ENDPOINTS);
  }

  private addEndpoints(endpoints: Record<string, ec2.InterfaceVpcEndpointAwsService>): void {
    for (const [name, service] of Object.entries(endpoints)) {
      const endpoint = this.vpc.addInterfaceEndpoint(name, { service, privateDnsEnabled: true, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
      acknowledgeNag(endpoint, F.vpcCidrIngress());
    }
  }
}
