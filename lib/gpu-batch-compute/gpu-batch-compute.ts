import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { addFlowLogs } from '../common/flow-logs';
import { NagFindings as F, acknowledgeNag } from '../common/nag';
import { GpuBatchComputeAttributes, IGpuBatchCompute, ImportedGpuBatchCompute } from './gpu-batch-compute-base';
import { validateGpuBatchComputeProps } from './validate-gpu-batch-compute-props';

/** Props of {@link GpuBatchCompute}. */
export interface GpuBatchComputeProps {
  /**
   * VPC to run the instances in (its private subnets are used). The instances need S3 and the
   * endpoints listed in the README, or a NAT gateway.
   * @default - a new VPC with private isolated subnets only (no NAT gateway), S3 and DynamoDB
   * gateway endpoints and the interface endpoints ECS and ECR need
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of `vpc` for the instances.
   * @default - the private isolated subnets of the VPC, else its private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Availability zones of the VPC this construct creates (only without `vpc`).
   * @default 2
   */
  readonly maxAzs?: number;
  /**
   * GPU instance families Batch may choose from (any size of each).
   * @default - [InstanceClass.G5, InstanceClass.G6] when no `instanceTypes` are given, else none:
   * exact types alone are all Batch may launch
   */
  readonly instanceClasses?: ec2.InstanceClass[];
  /**
   * Exact instance types Batch may launch (with `instanceClasses`, when both are given).
   * @default - none
   */
  readonly instanceTypes?: ec2.InstanceType[];
  /**
   * The cost guardrail: the most vCPUs each compute environment runs at once. 16 vCPUs is one
   * g5.4xlarge or four g5.xlarge: enough for one model's daily training, small enough that a
   * runaway submission loop cannot run up a large bill. Batch may exceed it by at most one
   * instance to place a job (see README).
   * @default 16
   */
  readonly maxvCpus?: number;
  /**
   * Spot capacity first (price-capacity-optimized allocation).
   * @default true
   */
  readonly spot?: boolean;
  /**
   * An On-Demand compute environment after the Spot one in the same queue, used when Spot has
   * no capacity.
   * @default true
   */
  readonly onDemandFallback?: boolean;
  /**
   * Most a Spot instance may cost, as a percentage of the On-Demand price.
   * @default 100
   */
  readonly spotBidPercentage?: number;
  /**
   * Size of the encrypted root volume (images, staged data, model output).
   * @default 100
   */
  readonly rootVolumeSizeGiB?: number;
  /**
   * Customer-managed key of the instances' EBS volumes. The key policy must let the Batch and
   * EC2 Auto Scaling service-linked roles use it (see README).
   * @default - the account's default EBS key (aws/ebs); volumes are always encrypted
   */
  readonly volumeEncryptionKey?: kms.IKey;
}

/**
 * AWS Batch GPU compute for training and batch scoring: a job queue with a Spot compute
 * environment first and an On-Demand one as fallback, both managed EC2 with GPU instance
 * families, scaling to zero between jobs (min 0 vCPUs) and capped by a max vCPU guardrail;
 * encrypted volumes, IMDSv2 only, instances in private subnets without a NAT gateway.
 */
export class GpuBatchCompute extends Construct implements IGpuBatchCompute {
  /** Imports a GPU job queue defined elsewhere (another stack or account), by its ARN and vCPU cap. */
  static fromGpuBatchComputeAttributes(scope: Construct, id: string, attrs: GpuBatchComputeAttributes): IGpuBatchCompute {
    return new ImportedGpuBatchCompute(scope, id, attrs);
  }

  /** The job queue (order 1: Spot, order 2: On-Demand). */
  readonly jobQueue: batch.IJobQueue;
  /** The VPC the instances run in. */
  readonly vpc: ec2.IVpc;
  /** Security group of the instances (egress only). */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The compute environments, in queue order. */
  readonly computeEnvironments: batch.IManagedEc2EcsComputeEnvironment[];
  /** The max vCPU cap of each compute environment. */
  readonly maxvCpus: number;

  constructor(scope: Construct, id: string, props: GpuBatchComputeProps = {}) {
    super(scope, id);
    validateGpuBatchComputeProps(props);
    this.maxvCpus = props.maxvCpus ?? 16;
    this.vpc = props.vpc ?? this.createVpc(props.maxAzs ?? 2);
    const vpcSubnets = props.vpcSubnets ?? (this.vpc.isolatedSubnets.length > 0
      ? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }
      : { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: 'GPU Batch instances: no inbound, outbound HTTPS to AWS endpoints',
      allowAllOutbound: true,
    });

    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      requireImdsv2: true,
      // Hop limit 1: containers cannot reach the instance role through IMDS; jobs use their job role.
      httpPutResponseHopLimit: 1,
      // One-minute CloudWatch metrics (CT.EC2.PR.10): a GPU instance lives for one job, too short
      // for five-minute data points to show its CPU, network or disk; billed per instance-hour.
      detailedMonitoring: true,
      blockDevices: [{
        deviceName: '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs(props.rootVolumeSizeGiB ?? 100, {
          encrypted: true,
          kmsKey: props.volumeEncryptionKey,
          volumeType: ec2.EbsDeviceVolumeType.GP3,
          deleteOnTermination: true,
        }),
      }],
    });

    const common = {
      vpc: this.vpc,
      vpcSubnets,
      securityGroups: [this.securityGroup],
      // Default families only when no exact type was asked for: a spec's g4dn.xlarge must not
      // let Spot pick a g5 or g6 at 1.5-1.9x the price.
      instanceClasses: props.instanceClasses ?? (props.instanceTypes?.length ? undefined : [ec2.InstanceClass.G5, ec2.InstanceClass.G6]),
      instanceTypes: props.instanceTypes,
      useOptimalInstanceClasses: false,
      minvCpus: 0,
      maxvCpus: this.maxvCpus,
      launchTemplate,
      images: [{ imageType: batch.EcsMachineImageType.ECS_AL2023_NVIDIA }],
      updateToLatestImageVersion: true,
    };
    const environments: Array<{ computeEnvironment: batch.IComputeEnvironment; order: number }> = [];
    const ces: batch.IManagedEc2EcsComputeEnvironment[] = [];
    if (props.spot ?? true) {
      const spot = new batch.ManagedEc2EcsComputeEnvironment(this, 'SpotComputeEnvironment', {
        ...common,
        spot: true,
        allocationStrategy: batch.AllocationStrategy.SPOT_PRICE_CAPACITY_OPTIMIZED,
        spotBidPercentage: props.spotBidPercentage,
      });
      ces.push(spot);
      environments.push({ computeEnvironment: spot, order: 1 });
    }
    if (props.onDemandFallback ?? true) {
      const onDemand = new batch.ManagedEc2EcsComputeEnvironment(this, 'OnDemandComputeEnvironment', {
        ...common,
        spot: false,
        allocationStrategy: batch.AllocationStrategy.BEST_FIT_PROGRESSIVE,
      });
      ces.push(onDemand);
      environments.push({ computeEnvironment: onDemand, order: environments.length + 1 });
    }
    this.computeEnvironments = ces;
    for (const ce of ces) {
      acknowledgeNag(ce, F.ecsInstanceRole());
    }
    this.jobQueue = new batch.JobQueue(this, 'JobQueue', { computeEnvironments: environments, priority: 1 });
  }

  private createVpc(maxAzs: number): ec2.IVpc {
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs,
      natGateways: 0,
      subnetConfiguration: [{ name: 'gpu', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 }],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    addFlowLogs(this, vpc);
    // What an ECS-managed GPU instance needs without internet access: the ECS agent (ecs,
    // ecs-agent, ecs-telemetry), image pulls (ecr.api, ecr.dkr; layers come through the S3
    // gateway) and the awslogs driver (logs). Listed with their reason in the README.
    const endpoints: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
      Ecs: ec2.InterfaceVpcEndpointAwsService.ECS,
      EcsAgent: ec2.InterfaceVpcEndpointAwsService.ECS_AGENT,
      EcsTelemetry: ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
      EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
      EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
    };
    for (const [name, service] of Object.entries(endpoints)) {
      const endpoint = vpc.addInterfaceEndpoint(name, { service, privateDnsEnabled: true, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
      acknowledgeNag(endpoint, F.vpcCidrIngress());
    }
    return vpc;
  }
}
