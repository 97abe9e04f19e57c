import { Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DataLake, IDataLake } from '../../lib/data-lake';
import { testApp, testStack } from '../support/cdk';
import { arnOf } from './helpers';

type GrantMethod =
  | 'grantReadDatasets'
  | 'grantWriteDatasets'
  | 'grantReadArtifacts'
  | 'grantWriteArtifacts'
  | 'grantReadPredictions'
  | 'grantWritePredictions';

const S3_READ = ['s3:GetObject', 's3:GetObjectVersion'];
const S3_WRITE = ['s3:PutObject', 's3:PutObjectTagging', 's3:AbortMultipartUpload'];
const KMS_READ = 'kms:Decrypt';
const KMS_WRITE = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'];

// method, bucket it targets, whether it lists/reads, whether it writes
const CASES: Array<[GrantMethod, 'datasetsBucket' | 'artifactsBucket' | 'predictionsBucket', boolean, boolean]> = [
  ['grantReadDatasets', 'datasetsBucket', true, false],
  ['grantWriteDatasets', 'datasetsBucket', false, true],
  ['grantReadArtifacts', 'artifactsBucket', true, false],
  ['grantWriteArtifacts', 'artifactsBucket', true, true],
  ['grantReadPredictions', 'predictionsBucket', true, false],
  ['grantWritePredictions', 'predictionsBucket', true, true],
];

function grantOn(method: GrantMethod, prefix?: string) {
  const stack = testStack();
  const dataLake = new DataLake(stack, 'DataLake');
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  dataLake[method](role, prefix);
  const template = Template.fromStack(stack);
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  expect(policies).toHaveLength(1);
  return { dataLake, template, statements: policies[0].Properties.PolicyDocument.Statement as Array<Record<string, any>> };
}

const viaS3 = { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } };
const actionsOf = (s: Record<string, any>) => [s.Action].flat();

describe('DataLake grants', () => {
  test.each(CASES)('%s on the whole bucket grants exactly its S3 actions and the key through S3', (method, bucketName, reads, writes) => {
    const { dataLake, statements } = grantOn(method);
    const bucket = dataLake[bucketName];
    const objects = { 'Fn::Join': ['', [arnOf(bucket), '/*']] };
    const expected: Array<Record<string, unknown>> = [];
    if (reads) {
      expected.push({ Effect: 'Allow', Action: 's3:ListBucket', Resource: arnOf(bucket) });
      expected.push({ Effect: 'Allow', Action: S3_READ, Resource: objects });
    }
    if (writes) expected.push({ Effect: 'Allow', Action: S3_WRITE, Resource: objects });
    expected.push({ Effect: 'Allow', Action: writes ? KMS_WRITE : KMS_READ, Resource: arnOf(dataLake.encryptionKey), Condition: viaS3 });
    expect(statements).toEqual(expected);
  });

  test.each(CASES)('%s with a prefix is scoped to keys under it, listing included', (method, bucketName, reads, writes) => {
    const { dataLake, statements } = grantOn(method, 'runs/churn/');
    const bucket = dataLake[bucketName];
    const objects = { 'Fn::Join': ['', [arnOf(bucket), '/runs/churn/*']] };
    for (const s of statements.filter((st) => actionsOf(st).some((a: string) => a.startsWith('s3:Get') || a.startsWith('s3:Put')))) {
      expect(s.Resource).toEqual(objects);
    }
    const list = statements.find((st) => actionsOf(st).includes('s3:ListBucket'));
    if (reads) expect(list).toEqual({ Effect: 'Allow', Action: 's3:ListBucket', Resource: arnOf(bucket), Condition: { StringLike: { 's3:prefix': ['runs/churn/*'] } } });
    else expect(list).toBeUndefined();
    expect(statements.some((st) => actionsOf(st).includes(writes ? 'kms:GenerateDataKey' : 'kms:Decrypt'))).toBe(true);
  });

  test('no grant allows deleting objects or uses action wildcards', () => {
    for (const [method] of CASES) {
      const actions = grantOn(method).statements.flatMap(actionsOf);
      expect(actions.filter((a: string) => a.includes('Delete') || a.includes('*'))).toEqual([]);
    }
  });

  test('a grantee in another account is admitted by the key policy and the bucket policy', () => {
    const stack = new Stack(testApp(), 'Lake', { env: { account: '111111111111', region: 'eu-west-1' } });
    const dataLake = new DataLake(stack, 'DataLake');
    dataLake.grantReadDatasets(new iam.AccountPrincipal('222222222222'));
    const template = Template.fromStack(stack);
    const other = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } };
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          { Effect: 'Allow', Principal: other, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } },
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Allow', Principal: other, Action: S3_READ })]) },
    });
  });

  test('a bucket imported with its own key is granted on that key, not the data lake key', () => {
    const stack = testStack();
    const ownKey = new kms.Key(stack, 'OwnKey', { enableKeyRotation: true });
    const datasets = s3.Bucket.fromBucketAttributes(stack, 'Datasets', { bucketName: 'legacy-datasets', encryptionKey: ownKey });
    const dataLake = new DataLake(stack, 'DataLake', { existingDatasetsBucket: datasets });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    dataLake.grantReadDatasets(role);
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument.Statement;
    const kmsResources = statements.filter((s: Record<string, any>) => actionsOf(s).includes('kms:Decrypt')).map((s: Record<string, any>) => s.Resource);
    expect(kmsResources).toEqual([arnOf(ownKey)]);
  });

  test('fromDataLakeAttributes gives another stack the same grants, key included', () => {
    const consumer = new Stack(testApp(), 'Consumer');
    const imported: IDataLake = DataLake.fromDataLakeAttributes(consumer, 'Lake', {
      datasetsBucket: s3.Bucket.fromBucketName(consumer, 'Datasets', 'mlops-datasets'),
      artifactsBucket: s3.Bucket.fromBucketName(consumer, 'Artifacts', 'mlops-artifacts'),
      predictionsBucket: s3.Bucket.fromBucketName(consumer, 'Predictions', 'mlops-predictions'),
      encryptionKey: kms.Key.fromKeyArn(consumer, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/abcd'),
    });
    const role = new iam.Role(consumer, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    imported.grantWriteArtifacts(role, 'runs/churn/');
    Template.fromStack(consumer).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: S3_WRITE,
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::mlops-artifacts/runs/churn/*']] },
          }),
          Match.objectLike({ Action: KMS_WRITE, Resource: 'arn:aws:kms:eu-west-1:111111111111:key/abcd' }),
        ]),
      },
    });
  });

  test.each([
    ['/runs/churn/', /grantReadArtifacts: prefix must not start with '\/'.*'\/runs\/churn\/' was provided: use 'runs\/churn\/'/],
    ['runs/churn', /grantReadArtifacts: prefix must end with '\/'.*'runs\/churn' was provided: use 'runs\/churn\/'/],
    ['runs/*/', /grantReadArtifacts: prefix must not contain wildcards.*'runs\/\*\/' was provided/],
    ['', /grantReadArtifacts: prefix must not be empty.*omit prefix/],
  ])('rejects the prefix %j with an error naming it and the fix', (prefix, message) => {
    const stack = testStack();
    const dataLake = new DataLake(stack, 'DataLake');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => dataLake.grantReadArtifacts(role, prefix)).toThrow(message);
  });

  test('accepts an unresolved prefix without validating it', () => {
    const stack = testStack();
    const dataLake = new DataLake(stack, 'DataLake');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => dataLake.grantReadArtifacts(role, Lazy.string({ produce: () => 'runs/churn/' }))).not.toThrow();
  });
});
