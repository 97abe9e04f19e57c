import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { CONTAINER, SERVING } from '../../lambda/shared/contract';
import { acknowledgeNag, NagFindings } from '../common/nag';
import { IDataLake } from '../data-lake/data-lake-base';
import { PeakWindow, validatePeakWindows } from '../prediction-service/serving-props';
import { schedulePeaks } from '../prediction-service/peak-schedule';
import { TrainingImage } from '../training-pipeline/training-image';
import { acceptsVolumeKmsKey } from './instance-storage';

/** A SageMaker real-time endpoint serving one model's image under the serving contract. */
export interface ModelEndpointProps {
  /** Model name (registry key), e.g. "demand-forecast". */
  readonly modelName: string;
  /** The model's image; started with the argument "serve" (SageMaker hosting's contract). */
  readonly image: TrainingImage;
  /** The data lake: the model artifact is read from its artifacts bucket, captured data written there. */
  readonly dataLake: IDataLake;
  /**
   * Key of the model artifact (model.tar.gz) in the artifacts bucket, unpacked into /opt/ml/model.
   * @default `serving/<modelName>/model.tar.gz`
   */
  readonly modelDataKey?: string;
  /**
   * Instance type; GPU types (ml.g*) are allowed.
   * @default "ml.c5.large"
   */
  readonly instanceType?: string;
  /**
   * Instances outside peak windows (the scaling minimum); 2 spreads them over two Availability Zones.
   * @default 2
   */
  readonly minInstanceCount?: number;
  /**
   * Most instances autoscaling may run.
   * @default 4, or minInstanceCount when that is higher
   */
  readonly maxInstanceCount?: number;
  /**
   * Requests per second one instance answers within the latency objective: autoscaling tracks
   * SageMakerVariantInvocationsPerInstance at this rate (x 60 per minute).
   * @default 100
   */
  readonly tpsPerInstance?: number;
  /**
   * Windows of known peak traffic: the minimum rises to `peakInstanceCount` 15 minutes before each.
   * @default - no scheduled scaling
   */
  readonly peakWindows?: PeakWindow[];
  /**
   * Instances during peak windows.
   * @default maxInstanceCount
   */
  readonly peakInstanceCount?: number;
  /**
   * Share of requests and responses captured (0-100) into the artifacts bucket under
   * `data-capture/<modelName>/`, encrypted with the data lake's key.
   * @default 0 (no capture)
   */
  readonly dataCapturePercent?: number;
  /**
   * VPC of the endpoint's network interfaces.
   * @default - SageMaker's own network (with network isolation the container has no network access either way)
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of the endpoint, with `vpc`.
   * @default - the isolated subnets when there are any, else the private ones
   */
  readonly subnets?: ec2.SubnetSelection;
  /**
   * Whether the container runs without network access (it only answers requests).
   * @default true
   */
  readonly networkIsolation?: boolean;
}

/** The production variant every endpoint of the platform has (autoscaling and promotion refer to it). */
export const VARIANT_NAME = 'AllTraffic';

/**
 * A SageMaker real-time endpoint for one model: the model's own image answering `/invocations`,
 * KMS on the ML volume (where the instance type accepts a key) and on captured data, network
 * isolation, an optional VPC, autoscaling on invocations per instance plus scheduled capacity
 * for declared peak windows. The front end calls it with InvokeEndpoint (`grantInvoke`).
 */
export class ModelEndpoint extends Construct {
  /** Name of the endpoint (for InvokeEndpoint). */
  readonly endpointName: string;
  readonly endpointArn: string;
  /** Role SageMaker runs the model with. */
  readonly role: iam.Role;
  readonly scaling: appscaling.ScalableTarget;

  constructor(scope: Construct, id: string, props: ModelEndpointProps) {
    super(scope, id);
    const instanceType = props.instanceType ?? 'ml.c5.large';
    const min = props.minInstanceCount ?? 2;
    const max = props.maxInstanceCount ?? Math.max(4, min);
    const peak = props.peakInstanceCount ?? max;
    const tpsPerInstance = props.tpsPerInstance ?? 100;
    const capture = props.dataCapturePercent ?? 0;
    validateModelEndpointProps({ instanceType, min, max, peak, tpsPerInstance, capture });
    validatePeakWindows(props.peakWindows);

    const key = props.dataLake.encryptionKey;
    const modelDataKey = props.modelDataKey ?? `serving/${props.modelName}/model.tar.gz`;
    const captureKeyPrefix = `data-capture/${props.modelName}/`;
    const stack = Stack.of(this);

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `SageMaker real-time endpoint of ${props.modelName}`,
    });
    props.dataLake.grantReadArtifacts(this.role, modelDataKey.slice(0, modelDataKey.lastIndexOf('/') + 1));
    if (capture > 0) props.dataLake.grantWriteArtifacts(this.role, captureKeyPrefix);
    props.image.grantPull(this.role);
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/Endpoints/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }));
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'], // PutMetricData has no resource-level permissions; the namespace condition scopes it.
      conditions: { StringEquals: { 'cloudwatch:namespace': '/aws/sagemaker/Endpoints' } },
    }));

    let vpcConfig: sagemaker.CfnModel.VpcConfigProperty | undefined;
    if (props.vpc) {
      const group = new ec2.SecurityGroup(this, 'SecurityGroup', { vpc: props.vpc, description: `SageMaker endpoint of ${props.modelName}`, allowAllOutbound: false });
      const subnets = props.vpc.selectSubnets(props.subnets ?? { subnetType: props.vpc.isolatedSubnets.length > 0 ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS });
      vpcConfig = { securityGroupIds: [group.securityGroupId], subnets: subnets.subnetIds };
      this.role.addToPolicy(new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission',
          'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
        resources: ['*'], // ENI management by SageMaker: EC2 does not scope these by resource at creation time.
      }));
    }

    const model = new sagemaker.CfnModel(this, 'Model', {
      executionRoleArn: this.role.roleArn,
      primaryContainer: {
        image: props.image.imageUri,
        modelDataUrl: props.dataLake.artifactsBucket.s3UrlForObject(modelDataKey),
        environment: { [CONTAINER.env.mode]: SERVING.mode, [CONTAINER.env.model]: props.modelName },
      },
      enableNetworkIsolation: props.networkIsolation ?? true,
      vpcConfig,
    });
    model.node.addDependency(this.role);

    const config = new sagemaker.CfnEndpointConfig(this, 'Config', {
      productionVariants: [{
        variantName: VARIANT_NAME,
        modelName: model.attrModelName,
        instanceType,
        initialInstanceCount: min,
        initialVariantWeight: 1,
      }],
      // Instance types with local NVMe storage encrypt it in hardware and reject a volume key.
      ...(acceptsVolumeKmsKey(instanceType) ? { kmsKeyId: key.keyArn } : {}),
      ...(capture > 0 ? {
        dataCaptureConfig: {
          enableCapture: true,
          initialSamplingPercentage: capture,
          destinationS3Uri: props.dataLake.artifactsBucket.s3UrlForObject(captureKeyPrefix),
          kmsKeyId: key.keyArn,
          captureOptions: [{ captureMode: 'Input' }, { captureMode: 'Output' }],
          captureContentTypeHeader: { jsonContentTypes: ['application/json'] },
        },
      } : {}),
    });
    // SageMaker attaches the key to the ML volume and writes captured data with it.
    key.grantEncryptDecrypt(this.role);

    const endpoint = new sagemaker.CfnEndpoint(this, 'Resource', { endpointConfigName: config.attrEndpointConfigName });
    this.endpointName = endpoint.attrEndpointName;
    // Ref of an AWS::SageMaker::Endpoint is its ARN.
    this.endpointArn = endpoint.ref;

    this.scaling = new appscaling.ScalableTarget(this, 'Scaling', {
      serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
      resourceId: `endpoint/${endpoint.attrEndpointName}/variant/${VARIANT_NAME}`,
      scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      minCapacity: min,
      maxCapacity: max,
    });
    this.scaling.node.addDependency(endpoint);
    this.scaling.scaleToTrackMetric('InvocationsPerInstance', {
      predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
      // The metric is a per-minute sum.
      targetValue: tpsPerInstance * 60,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });
    // Instances take minutes to start: the shared schedule scales out 15 minutes ahead of each window.
    schedulePeaks(this.scaling, props.peakWindows, { peak: { minCapacity: peak }, normal: { minCapacity: min } });

    acknowledgeNag(this, NagFindings.actionsWithoutResourceLevelPermissions(), NagFindings.kmsDataKeys(), NagFindings.kmsReEncrypt(), NagFindings.sageMakerEndpointLogs(),
      NagFindings.objectsUnder(this, props.dataLake.artifactsBucket.bucketArn, modelDataKey.slice(0, modelDataKey.lastIndexOf('/') + 1)),
      ...(capture > 0 ? [NagFindings.objectsUnder(this, props.dataLake.artifactsBucket.bucketArn, captureKeyPrefix)] : []));
  }

  /** Grants calling the endpoint (sagemaker:InvokeEndpoint). */
  grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:InvokeEndpoint'], resourceArns: [this.endpointArn] });
  }
}

function validateModelEndpointProps(p: { instanceType: string; min: number; max: number; peak: number; tpsPerInstance: number; capture: number }): void {
  if (!Token.isUnresolved(p.instanceType) && !/^ml\.[a-z0-9-]+\.[a-z0-9]+$/.test(p.instanceType)) {
    throw new Error(`instanceType must be a SageMaker hosting instance type such as "ml.c5.large", but "${p.instanceType}" was provided`);
  }
  const whole = (name: string, v: number, lo: number) => {
    if (!Token.isUnresolved(v) && (!Number.isInteger(v) || v < lo)) throw new Error(`${name} must be a whole number >= ${lo}, but ${v} was provided`);
  };
  whole('minInstanceCount', p.min, 1);
  whole('maxInstanceCount', p.max, 1);
  whole('peakInstanceCount', p.peak, 1);
  if (p.max < p.min) throw new Error(`maxInstanceCount must be at least minInstanceCount (${p.min}), but ${p.max} was provided`);
  if (p.peak < p.min || p.peak > p.max) throw new Error(`peakInstanceCount must be between minInstanceCount (${p.min}) and maxInstanceCount (${p.max}), but ${p.peak} was provided`);
  if (!(p.tpsPerInstance > 0)) throw new Error(`tpsPerInstance must be a positive number of requests per second, but ${p.tpsPerInstance} was provided`);
  if (!(p.capture >= 0 && p.capture <= 100) || !Number.isInteger(p.capture)) throw new Error(`dataCapturePercent must be a whole number between 0 and 100, but ${p.capture} was provided`);
}
