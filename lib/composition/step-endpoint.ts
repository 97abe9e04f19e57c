import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { CONTAINER, SERVING } from '../../lambda/shared/contract';
import { acknowledgeNag, NagFindings } from '../common/nag';
import { acceptsVolumeKmsKey } from '../common/sagemaker/volume-key';
import { parseEcrImageUri } from '../training-pipeline/ecr-image-uri';

export interface CompositionStepEndpointProps {
  /** Endpoint name (1-63 letters, digits, hyphens). */
  readonly endpointName: string;
  /** Image URIs run in order (several: a SageMaker inference pipeline model, each container's answer the next one's input). */
  readonly images: string[];
  /** The model the steps belong to (MLOPS_MODEL in the containers). */
  readonly modelName: string;
  /** Key of the ML volumes. */
  readonly encryptionKey: kms.IKey;
  /** @default 'ml.c5.large' */
  readonly instanceType?: string;
  /** Instances outside peaks (the scaling minimum). @default 2 (two Availability Zones) */
  readonly instanceCount?: number;
  /** Most instances autoscaling may run. @default max(4, instanceCount) */
  readonly maxInstanceCount?: number;
  /** Requests per second one instance answers; autoscaling tracks invocations per instance at this rate. @default 100 */
  readonly tpsPerInstance?: number;
  /** @default - no VPC (network isolation still applies) */
  readonly vpc?: ec2.IVpc;
}

/**
 * The SageMaker endpoint of consecutive image steps of a serial composition, or of one image
 * branch of a parallel one. The images carry no versioned artifact, so CloudFormation deploys
 * them (a promotion never touches them); several images form one inference pipeline model, so a
 * run of image steps costs the front end one call. Network isolation on: a step needs no network.
 */
export class CompositionStepEndpoint extends Construct {
  readonly endpointName: string;
  readonly endpointArn: string;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: CompositionStepEndpointProps) {
    super(scope, id);
    if (props.images.length < 1 || props.images.length > 15) {
      throw new Error(`images must hold 1 to 15 image URIs (a SageMaker inference pipeline holds at most 15 containers), but ${props.images.length} were provided: split the steps`);
    }
    const stack = Stack.of(this);
    const instanceType = props.instanceType ?? 'ml.c5.large';
    this.endpointName = props.endpointName;
    this.endpointArn = stack.formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: this.endpointName.toLowerCase() });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `SageMaker endpoint of the ${props.endpointName} composition step(s) of ${props.modelName}`,
    });
    const repositories = props.images.flatMap((uri) => {
      const e = parseEcrImageUri(uri);
      return e ? [`arn:${e.partition}:ecr:${e.region}:${e.account}:repository/${e.repositoryName}`] : [];
    });
    if (repositories.length > 0) {
      this.role.addToPolicy(new iam.PolicyStatement({ actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], resources: [...new Set(repositories)] }));
      this.role.addToPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] })); // account-wide by design
    }
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/Endpoints/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }));
    props.encryptionKey.grantEncryptDecrypt(this.role);

    let vpcConfig: sagemaker.CfnModel.VpcConfigProperty | undefined;
    if (props.vpc) {
      const group = new ec2.SecurityGroup(this, 'SecurityGroup', { vpc: props.vpc, description: `SageMaker endpoint ${props.endpointName}`, allowAllOutbound: false });
      const subnets = props.vpc.selectSubnets({ subnetType: props.vpc.isolatedSubnets.length > 0 ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS });
      vpcConfig = { securityGroupIds: [group.securityGroupId], subnets: subnets.subnetIds };
      this.role.addToPolicy(new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission',
          'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
        resources: ['*'], // ENI management by SageMaker: EC2 does not scope these by resource at creation time.
      }));
    }

    const environment = { [CONTAINER.env.mode]: SERVING.mode, [CONTAINER.env.model]: props.modelName };
    const containers = props.images.map((image) => ({ image, environment }));
    const model = new sagemaker.CfnModel(this, 'Model', {
      executionRoleArn: this.role.roleArn,
      ...(containers.length === 1
        ? { primaryContainer: containers[0] }
        : { containers, inferenceExecutionConfig: { mode: 'Serial' } }),
      enableNetworkIsolation: true,
      vpcConfig,
    });
    model.node.addDependency(this.role);
    const min = props.instanceCount ?? 2;
    const volumeKey = acceptsVolumeKmsKey(instanceType) ? props.encryptionKey.keyArn : undefined;
    const config = new sagemaker.CfnEndpointConfig(this, 'Config', {
      productionVariants: [{ variantName: 'AllTraffic', modelName: model.attrModelName, instanceType, initialInstanceCount: min, initialVariantWeight: 1 }],
      ...(volumeKey ? { kmsKeyId: volumeKey } : {}),
    });
    const endpoint = new sagemaker.CfnEndpoint(this, 'Resource', { endpointName: this.endpointName, endpointConfigName: config.attrEndpointConfigName });
    // Every request of the model passes through its steps: they scale on the same signal as the model's endpoint.
    const scaling = new appscaling.ScalableTarget(this, 'Scaling', {
      serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
      resourceId: `endpoint/${this.endpointName}/variant/AllTraffic`,
      scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      minCapacity: min,
      maxCapacity: props.maxInstanceCount ?? Math.max(4, min),
    });
    scaling.node.addDependency(endpoint);
    scaling.scaleToTrackMetric('InvocationsPerInstance', {
      predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
      targetValue: (props.tpsPerInstance ?? 100) * 60, // the metric is a per-minute sum
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });
    acknowledgeNag(this, NagFindings.actionsWithoutResourceLevelPermissions(), NagFindings.kmsDataKeys(), NagFindings.kmsReEncrypt(), NagFindings.sageMakerEndpointLogs());
  }

  /** Lets the front end call the endpoint (InvokeEndpoint). */
  grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:InvokeEndpoint'], resourceArns: [this.endpointArn] });
  }
}
