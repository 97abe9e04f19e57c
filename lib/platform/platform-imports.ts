import { Annotations, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { DataLake } from '../data-lake/data-lake';
import { IDataLake } from '../data-lake/data-lake-base';
import { ModelRegistry } from '../model-registry/model-registry';
import { IModelRegistry } from '../model-registry/model-registry-base';
import { PredictionStore } from '../prediction-store/prediction-store';
import { IPredictionStore } from '../prediction-store/prediction-store-base';
import { NO_NETWORK, NetworkNeeds } from './model-outputs';
import { PLATFORM_PARAMETERS as P } from './platform-parameters';

/** What a model stack knows about its platform stack at synth time; values come from SSM at deploy time. */
export interface PlatformReference {
  /** Name of the platform (`/cdk-mlops/<name>/...`). */
  readonly platformName: string;
  /**
   * Availability zones of the shared network (one public and one isolated subnet each).
   * @default 0 - the platform has no network
   */
  readonly networkAvailabilityZones?: number;
  /**
   * Public subnets of the shared network (what an internet-facing load balancer uses).
   * @default 0 - none
   */
  readonly networkPublicSubnets?: number;
  /**
   * Whether the registry table is encrypted with a customer key published by the platform.
   * @default true
   */
  readonly registryEncrypted?: boolean;
  /**
   * Whether the platform runs a managed MLflow tracking server (`experimentTracking`).
   * @default false
   */
  readonly experimentTracking?: boolean;
}

/**
 * The platform stack's shared resources, imported into a model stack through the SSM
 * parameters the platform publishes (deploy-time `AWS::SSM::Parameter::Value` parameters, no
 * `Fn::ImportValue`): the data lake, registry, predictions store, alarm topic and network.
 */
export class PlatformImports extends Construct {
  readonly dataLake: IDataLake;
  readonly registry: IModelRegistry;
  readonly predictionStore: IPredictionStore;
  readonly alarmTopic: sns.ITopic;
  readonly vpc?: ec2.IVpc;

  /**
   * @param needs what the model uses of the network: only that is imported, so every SSM
   * parameter a model stack declares is referenced (default: nothing)
   */
  constructor(scope: Construct, id: string, ref: PlatformReference, needs: NetworkNeeds = NO_NETWORK) {
    super(scope, id);
    const name = ref.platformName;
    const value = (parameterName: string) => ssm.StringParameter.valueForStringParameter(this, parameterName);
    const dataKey = kms.Key.fromKeyArn(this, 'DataKey', value(P.dataLakeKeyArn(name)));
    this.dataLake = DataLake.fromDataLakeAttributes(this, 'DataLake', {
      encryptionKey: dataKey,
      datasetsBucket: s3.Bucket.fromBucketAttributes(this, 'DatasetsBucket', { bucketName: value(P.datasetsBucket(name)), encryptionKey: dataKey }),
      artifactsBucket: s3.Bucket.fromBucketAttributes(this, 'ArtifactsBucket', { bucketName: value(P.artifactsBucket(name)), encryptionKey: dataKey }),
      predictionsBucket: s3.Bucket.fromBucketAttributes(this, 'PredictionsBucket', { bucketName: value(P.predictionsBucket(name)), encryptionKey: dataKey }),
    });
    const stack = Stack.of(this);
    const tableArn = (tableName: string) => stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: tableName });
    this.registry = ModelRegistry.fromRegistryAttributes(this, 'Registry', {
      tableArn: tableArn(value(P.registryTable(name))),
      encryptionKey: (ref.registryEncrypted ?? true) ? kms.Key.fromKeyArn(this, 'RegistryKey', value(P.registryKeyArn(name))) : undefined,
    });
    this.predictionStore = PredictionStore.fromPredictionStoreAttributes(this, 'Predictions', {
      tableArn: tableArn(value(P.predictionsTable(name))),
      encryptionKey: kms.Key.fromKeyArn(this, 'PredictionsKey', value(P.predictionsKeyArn(name))),
    });
    this.alarmTopic = sns.Topic.fromTopicArn(this, 'AlarmTopic', value(P.alarmTopicArn(name)));
    const azs = ref.networkAvailabilityZones ?? 0;
    if (needs.subnets && azs > 0) {
      // Model stacks place Batch instances, Fargate tasks and load balancers in the platform's
      // subnets and add no route. The zones are the ones the platform's VPC picked in the same
      // environment (first `azs` of the stack's zones).
      const publicSubnets = needs.publicSubnets ? (ref.networkPublicSubnets ?? 0) : 0;
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: value(P.vpcId(name)),
        vpcCidrBlock: needs.cidr ? value(P.vpcCidr(name)) : undefined,
        availabilityZones: stack.availabilityZones.slice(0, azs),
        isolatedSubnetIds: Array.from({ length: azs }, (_, i) => value(P.isolatedSubnet(name, i))),
        publicSubnetIds: publicSubnets > 0 ? Array.from({ length: publicSubnets }, (_, i) => value(P.publicSubnet(name, i))) : undefined,
      });
      Annotations.of(this).acknowledgeWarning('@aws-cdk/aws-ec2:noSubnetRouteTableId', 'model stacks add no route to the platform network');
    }
  }
}

