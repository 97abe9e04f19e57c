import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { accountPrincipalsStatement, accountTablesStatement, s3GatewayStatements } from '../common/endpoint-policies';
import { addFlowLogs } from '../common/flow-logs';
import { NagFindings as F, acknowledgeNag } from '../common/nag';

/** When the platform creates its network, and with which endpoints. */
export enum NetworkProvisioning {
  /**
   * With the platform, with every interface endpoint a model may need (ECR, CloudWatch Logs and
   * the ECS agent's three: 6 endpoints in 2 AZs, about $88 a month in us-east-1). Adding any
   * model (any backend, any front end, internet-facing too) changes no other template.
   */
  UP_FRONT = 'up-front',
  /**
   * When the first model needs it (Batch training or an ALB + Fargate service), with the
   * endpoints the models need: ECR and Logs (about $44 a month), plus the ECS agent's once a
   * model trains on Batch. Cheaper for a platform without such models; the price is that the
   * first networked model, and the first Batch model, each change the platform template once.
   */
  ON_DEMAND = 'on-demand',
}

/** Props of {@link PlatformNetwork}. */
export interface PlatformNetworkProps {
  /**
   * Retention of the flow logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Whether the ECS agent's endpoints (what Batch GPU instances need) are created now.
   * @default true - `addBatchEndpoints` adds them later otherwise
   */
  readonly batchEndpoints?: boolean;
  /**
   * The buckets the network may reach through the S3 gateway endpoint (the platform's data lake),
   * besides ECR's image layer bucket.
   * @default - any bucket of the account
   */
  readonly buckets?: s3.IBucket[];
}

/** What a Fargate task needs without internet access: image pulls (layers come through the S3 gateway endpoint) and the awslogs driver. */
const TASK_ENDPOINTS: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
  EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
};

/**
 * What an ECS-managed GPU instance (Batch) needs in addition: the ECS agent's endpoints. ECS
 * endpoints take no endpoint policy ("isn't currently supported", Amazon ECS developer guide).
 */
const INSTANCE_ENDPOINTS: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
  Ecs: ec2.InterfaceVpcEndpointAwsService.ECS,
  EcsAgent: ec2.InterfaceVpcEndpointAwsService.ECS_AGENT,
  EcsTelemetry: ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
};

/**
 * The platform's one network, shared by every model's Batch compute and prediction service:
 * a 2-AZ VPC without NAT gateways; isolated subnets for instances, tasks and internal load
 * balancers; public subnets (free: no NAT, no address assigned on launch) that only an
 * internet-facing prediction endpoint uses, present from the start so that such a model changes
 * no other template; S3 and DynamoDB gateway endpoints (free) and one set of interface
 * endpoints: ECR and CloudWatch Logs, plus the ECS agent's three (now, or once a model trains on
 * Batch: `addBatchEndpoints`). Rejected traffic goes to flow logs (`addFlowLogs`).
 *
 * Endpoint policies keep the network's traffic to the platform: the S3 gateway reaches the given
 * buckets (else the account's) and ECR's image layer bucket, DynamoDB the account's tables, and
 * the ECR and Logs endpoints serve the account's principals only (`aws:PrincipalAccount`).
 *
 * Construct ids (a public contract): `Vpc`, `FlowLogs`, one endpoint per service.
 */
export class PlatformNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  private batchEndpoints = false;
  private featureStoreEndpoint = false;

  constructor(scope: Construct, id: string, props: PlatformNetworkProps = {}) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      // The isolated group comes first, so it keeps its CIDRs from before public subnets existed.
      subnetConfiguration: [
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 },
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
      ],
    });
    addFlowLogs(this, this.vpc, props.logRetention);
    // Same ids as the Vpc's own gatewayEndpoints prop would give them.
    const s3Endpoint = this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    s3GatewayStatements(this, props.buckets).forEach((st) => s3Endpoint.addToPolicy(st));
    const dynamoEndpoint = this.vpc.addGatewayEndpoint('DynamoDB', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB });
    dynamoEndpoint.addToPolicy(accountTablesStatement(this));
    this.addEndpoints(TASK_ENDPOINTS, true);
    if (props.batchEndpoints ?? true) this.addBatchEndpoints();
  }

  /** Adds the endpoints ECS-managed Batch instances need (once). */
  addBatchEndpoints(): void {
    if (this.batchEndpoints) return;
    this.batchEndpoints = true;
    this.addEndpoints(INSTANCE_ENDPOINTS, false);
  }

  /**
   * Adds the SageMaker Feature Store runtime endpoint (once): an ingestion job in the isolated
   * subnets calls PutRecord through it. Only with a model that ingests into its feature groups.
   */
  addFeatureStoreRuntimeEndpoint(): void {
    if (this.featureStoreEndpoint) return;
    this.featureStoreEndpoint = true;
    this.addEndpoints({ FeatureStoreRuntime: ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_FEATURESTORE_RUNTIME }, true);
  }

  private addEndpoints(endpoints: Record<string, ec2.InterfaceVpcEndpointAwsService>, accountPolicy: boolean): void {
    for (const [name, service] of Object.entries(endpoints)) {
      const endpoint = this.vpc.addInterfaceEndpoint(name, { service, privateDnsEnabled: true, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
      if (accountPolicy) endpoint.addToPolicy(accountPrincipalsStatement(this));
      acknowledgeNag(endpoint, F.vpcCidrIngress());
    }
  }
}
