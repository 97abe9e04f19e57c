import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TrainingImage } from '../../training-pipeline/training-image';
import { acceptsVolumeKmsKey } from './volume-key';

/** What SageMaker runs: jobs (training and batch scoring are both training jobs) or real-time endpoints. */
export enum SageMakerWorkload {
  TRAINING_JOBS = 'TrainingJobs',
  ENDPOINTS = 'Endpoints',
}

/** Where SageMaker runs the containers: the subnets and security groups of a VPC. */
export interface SageMakerNetwork {
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
}

/** Everything SageMaker needs to run one kind of container of one model, decided in one place. */
export interface SageMakerExecutionOptions {
  readonly workload: SageMakerWorkload;
  /** Construct id of the execution role (a public contract of the calling construct). */
  readonly roleId: string;
  /** Description of the role (and of the security group). */
  readonly description: string;
  /** The key of volumes, outputs and captured data. */
  readonly key: kms.IKey;
  /** The image SageMaker pulls: the role gets pull rights through it. @default - no pull rights */
  readonly image?: TrainingImage;
  /** e.g. "ml.m5.xlarge": decides whether the volume gets the key. */
  readonly instanceType: string;
  /** @default 1 */
  readonly instanceCount?: number;
  /** @default true */
  readonly networkIsolation?: boolean;
  /** @default - SageMaker's own network */
  readonly vpc?: ec2.IVpc;
  /** @default - the isolated subnets when there are any, else the private ones */
  readonly subnets?: ec2.SubnetSelection;
  /** @default - a new security group (construct id `securityGroupId`) */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** Construct id of the security group created without `securityGroups`. */
  readonly securityGroupId: string;
}

/**
 * The one builder of how SageMaker runs the platform's containers (training jobs, batch scoring
 * jobs, real-time endpoints): the execution role with its key, image-pull, log and metric rights;
 * the volume key (omitted for instance types that reject one); network isolation; the VPC; and
 * the IAM conditions that hold a create call to exactly these settings.
 */
export class SageMakerExecution {
  readonly role: iam.Role;
  readonly key: kms.IKey;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly networkIsolation: boolean;
  /** The key of the ML volume, or undefined when the instance type rejects one (local NVMe storage). */
  readonly volumeKmsKeyId?: string;
  /** The VPC placement, when there is a VPC. */
  readonly network?: SageMakerNetwork;

  constructor(scope: Construct, o: SageMakerExecutionOptions) {
    const stack = Stack.of(scope);
    this.key = o.key;
    this.instanceType = o.instanceType;
    this.instanceCount = o.instanceCount ?? 1;
    this.networkIsolation = o.networkIsolation ?? true;
    this.volumeKmsKeyId = acceptsVolumeKmsKey(o.instanceType) ? o.key.keyArn : undefined;

    this.role = new iam.Role(scope, o.roleId, { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'), description: o.description });
    o.image?.grantPull(this.role);
    o.key.grantEncryptDecrypt(this.role);
    // SageMaker attaches the key to ML volumes and outputs through grants, for AWS resources only.
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['kms:CreateGrant'],
      resources: [o.key.keyArn],
      conditions: {
        Bool: { 'kms:GrantIsForAWSResource': 'true' },
        StringEquals: { 'kms:ViaService': [`sagemaker.${stack.region}.amazonaws.com`, `ec2.${stack.region}.amazonaws.com`] },
      },
    }));
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [sageMakerLogGroupArn(stack, o.workload)],
    }));
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'], // PutMetricData has no resource-level permissions; the namespace condition scopes it.
      conditions: { StringEquals: { 'cloudwatch:namespace': `/aws/sagemaker/${o.workload}` } },
    }));

    if (o.vpc) {
      const groups = o.securityGroups ?? [this.securityGroup(scope, o)];
      const subnets = o.vpc.selectSubnets(o.subnets ?? { subnetType: o.vpc.isolatedSubnets.length > 0 ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS });
      this.network = { subnetIds: subnets.subnetIds, securityGroupIds: groups.map((g) => g.securityGroupId) };
      this.role.addToPolicy(new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission',
          'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
        resources: ['*'], // ENI management by SageMaker: EC2 does not scope these by resource at creation time.
      }));
    }
  }

  /**
   * The settings a CreateTrainingJob request shares between training and scoring (ASL
   * Parameters): role, output key, instances with the volume key rule, network isolation,
   * inter-container encryption and the VPC.
   * @param output OutputDataConfig without the key (e.g. `{ 'S3OutputPath.$': '$.outputUri' }`)
   */
  trainingJobParameters(output: Record<string, unknown>, volumeSizeGiB: number): Record<string, unknown> {
    return {
      'RoleArn': this.role.roleArn,
      'OutputDataConfig': { ...output, KmsKeyId: this.key.keyArn },
      'ResourceConfig': {
        InstanceType: this.instanceType,
        InstanceCount: this.instanceCount,
        VolumeSizeInGB: volumeSizeGiB,
        ...(this.volumeKmsKeyId ? { VolumeKmsKeyId: this.volumeKmsKeyId } : {}),
      },
      'EnableNetworkIsolation': this.networkIsolation,
      'EnableInterContainerTrafficEncryption': this.instanceCount > 1,
      ...(this.network ? { VpcConfig: { SecurityGroupIds: this.network.securityGroupIds, Subnets: this.network.subnetIds } } : {}),
    };
  }

  /**
   * IAM conditions (sagemaker:* request keys) that allow a CreateTrainingJob only with these
   * settings: network isolation (and inter-container encryption) when on, this key on outputs (and on the volume where the
   * instance type takes one), and, with a VPC, only its subnets and security groups (Null:
   * false, because ForAllValues also matches a request without any).
   */
  trainingJobConditions(): Record<string, Record<string, unknown>> {
    return {
      ...this.isolationConditions(this.instanceCount > 1),
      'ArnEquals': { 'sagemaker:OutputKmsKey': this.key.keyArn, ...(this.volumeKmsKeyId ? { 'sagemaker:VolumeKmsKey': this.volumeKmsKeyId } : {}) },
      ...this.vpcConditions(),
    };
  }

  /** Conditions of CreateModel: network isolation and the VPC as built. */
  modelConditions(): Record<string, Record<string, unknown>> {
    return { ...this.isolationConditions(false), ...this.vpcConditions() };
  }

  /** Conditions of CreateEndpointConfig: the volume key, where the instance type takes one. */
  endpointConfigConditions(): Record<string, Record<string, unknown>> | undefined {
    return this.volumeKmsKeyId ? { ArnEquals: { 'sagemaker:VolumeKmsKey': this.volumeKmsKeyId } } : undefined;
  }

  /** Only a flag that is on is required: a request may leave a flag that is off unset. */
  private isolationConditions(interContainerEncryption: boolean): Record<string, Record<string, unknown>> {
    const flags: Record<string, string> = {
      ...(this.networkIsolation ? { 'sagemaker:NetworkIsolation': 'true' } : {}),
      ...(interContainerEncryption ? { 'sagemaker:InterContainerTrafficEncryption': 'true' } : {}),
    };
    return Object.keys(flags).length ? { Bool: flags } : {};
  }

  private vpcConditions(): Record<string, Record<string, unknown>> {
    if (!this.network) return {};
    return {
      'ForAllValues:StringEquals': { 'sagemaker:VpcSubnets': this.network.subnetIds, 'sagemaker:VpcSecurityGroupIds': this.network.securityGroupIds },
      'Null': { 'sagemaker:VpcSubnets': 'false', 'sagemaker:VpcSecurityGroupIds': 'false' },
    };
  }

  private securityGroup(scope: Construct, o: SageMakerExecutionOptions): ec2.SecurityGroup {
    // Outbound reaches only the VPC's endpoints (the platform network has no NAT): S3 for data
    // and artifacts. Several instances of one job talk to each other inside the group.
    const group = new ec2.SecurityGroup(scope, o.securityGroupId, { vpc: o.vpc!, description: o.description, allowAllOutbound: true });
    if (this.instanceCount > 1) group.connections.allowInternally(ec2.Port.allTraffic(), 'between the instances of one distributed job');
    return group;
  }
}

/** The log groups SageMaker writes a workload's logs to (and their streams). */
export function sageMakerLogGroupArn(stack: Stack, workload: SageMakerWorkload): string {
  const name = workload === SageMakerWorkload.ENDPOINTS ? `/aws/sagemaker/${workload}/*` : `/aws/sagemaker/${workload}:*`;
  return stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}
