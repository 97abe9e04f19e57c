import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DataLake, DataLakeProps } from '../../lib/data-lake';
import { testStack } from '../support/cdk';
import { arnOf, logicalId, propertiesOf } from './helpers';

function existing(stack: Stack) {
  return {
    existingDatasetsBucket: s3.Bucket.fromBucketName(stack, 'Datasets', 'legacy-datasets'),
    existingArtifactsBucket: s3.Bucket.fromBucketName(stack, 'Artifacts', 'legacy-artifacts'),
    existingPredictionsBucket: s3.Bucket.fromBucketName(stack, 'Predictions', 'legacy-predictions'),
    encryptionKey: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/abcd'),
  };
}

describe('DataLake with existing resources', () => {
  test('uses an existing datasets bucket as is and still creates the other buckets', () => {
    const stack = testStack();
    const { existingDatasetsBucket } = existing(stack);
    const dataLake = new DataLake(stack, 'DataLake', { existingDatasetsBucket });
    const template = Template.fromStack(stack);
    expect(dataLake.datasetsBucket).toBe(existingDatasetsBucket);
    template.resourceCountIs('AWS::S3::Bucket', 3);
    expect(stack.node.tryFindChild('DataLake')!.node.tryFindChild('DatasetsBucket')).toBeUndefined();
  });

  test('encrypts the buckets it creates with a key that is passed in instead of creating one', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'PlatformKey', { enableKeyRotation: true });
    const dataLake = new DataLake(stack, 'DataLake', { encryptionKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(dataLake.encryptionKey).toBe(key);
    expect(propertiesOf(template, logicalId(dataLake.artifactsBucket)).BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: arnOf(key),
    });
  });

  test('creates nothing, not even the access-logs bucket, when every bucket and the key are passed in', () => {
    const stack = testStack();
    const resources = existing(stack);
    const dataLake = new DataLake(stack, 'DataLake', resources);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(dataLake.accessLogsBucket).toBeUndefined();
    expect([dataLake.datasetsBucket, dataLake.artifactsBucket, dataLake.predictionsBucket, dataLake.encryptionKey]).toEqual([
      resources.existingDatasetsBucket,
      resources.existingArtifactsBucket,
      resources.existingPredictionsBucket,
      resources.encryptionKey,
    ]);
  });

  test.each<[keyof ReturnType<typeof existing>, keyof DataLakeProps, DataLakeProps]>([
    ['encryptionKey', 'encryptionKeyAlias', { encryptionKeyAlias: 'alias/mlops' }],
    ['existingDatasetsBucket', 'datasetsIntelligentTieringAfter', { datasetsIntelligentTieringAfter: Duration.days(30) }],
    ['existingDatasetsBucket', 'datasetsEventBridge', { datasetsEventBridge: true }],
    ['existingArtifactsBucket', 'experimentRunOutputsExpiration', { experimentRunOutputsExpiration: Duration.days(30) }],
    ['existingArtifactsBucket', 'failedRunOutputsExpiration', { failedRunOutputsExpiration: Duration.days(30) }],
    ['existingPredictionsBucket', 'predictionsExpiration', { predictionsExpiration: Duration.days(30) }],
  ])('rejects %s together with %s, naming both and which to drop', (existingName, propName, props) => {
    const stack = testStack();
    const resource = existing(stack)[existingName];
    expect(() => new DataLake(stack, 'DataLake', { [existingName]: resource, ...props })).toThrow(
      new RegExp(`^${existingName} and ${propName} were both provided.*: drop ${propName} .* or drop ${existingName}$`),
    );
  });

  test.each<[keyof DataLakeProps, DataLakeProps]>([
    ['noncurrentVersionExpiration', { noncurrentVersionExpiration: Duration.days(30) }],
    ['abortIncompleteMultipartUploadAfter', { abortIncompleteMultipartUploadAfter: Duration.days(3) }],
    ['accessLogsExpiration', { accessLogsExpiration: Duration.days(30) }],
    ['removalPolicy', { removalPolicy: RemovalPolicy.DESTROY }],
  ])('rejects %s when every resource is passed in, since it would configure nothing', (propName, props) => {
    const stack = testStack();
    expect(() => new DataLake(stack, 'DataLake', { ...existing(stack), ...props })).toThrow(new RegExp(`^${propName} was provided together with .*: drop ${propName}$`));
  });

  test('accepts datasetsEventBridge: false with an existing datasets bucket (a switch left off configures nothing) and cannot tell whether it sends events', () => {
    const stack = testStack();
    const { existingDatasetsBucket } = existing(stack);
    const dataLake = new DataLake(stack, 'DataLake', { existingDatasetsBucket, datasetsEventBridge: false });
    expect(dataLake.datasetsEventBridgeEnabled).toBeUndefined();
  });

  test('rejects three existing buckets without encryptionKey, pointing to encryptionKey or fromDataLakeAttributes', () => {
    const stack = testStack();
    const { encryptionKey: _unused, ...buckets } = existing(stack);
    expect(() => new DataLake(stack, 'DataLake', buckets)).toThrow(/were provided without encryptionKey.*pass the key .* as encryptionKey, or use DataLake\.fromDataLakeAttributes\(\)/);
  });
});
