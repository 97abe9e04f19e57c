import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arnOf, dataLakeStack, logicalId, propertiesOf } from './helpers';

describe('DataLake key', () => {
  test('is one customer-managed key with rotation, retained', () => {
    const { template, dataLake } = dataLakeStack();
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ EnableKeyRotation: true }),
    });
    expect(logicalId(dataLake.encryptionKey)).toMatch(/^DataLakeEncryptionKey/);
    template.resourceCountIs('AWS::KMS::Alias', 0);
  });

  test('gets the alias when one is given', () => {
    const { template, dataLake } = dataLakeStack({ encryptionKeyAlias: 'alias/mlops-data' });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/mlops-data', TargetKeyId: arnOf(dataLake.encryptionKey) });
  });
});

describe('DataLake buckets', () => {
  test('creates datasets, artifacts, predictions and access-logs buckets', () => {
    const { template, dataLake } = dataLakeStack();
    template.resourceCountIs('AWS::S3::Bucket', 4);
    expect([dataLake.datasetsBucket, dataLake.artifactsBucket, dataLake.predictionsBucket, dataLake.accessLogsBucket!].map(logicalId)).toEqual([
      expect.stringMatching(/^DataLakeDatasetsBucket/),
      expect.stringMatching(/^DataLakeArtifactsBucket/),
      expect.stringMatching(/^DataLakePredictionsBucket/),
      expect.stringMatching(/^DataLakeAccessLogsBucket/),
    ]);
  });

  test('encrypts every data bucket with the data lake key and an S3 Bucket Key', () => {
    const { template, dataLake } = dataLakeStack();
    for (const bucket of [dataLake.datasetsBucket, dataLake.artifactsBucket, dataLake.predictionsBucket]) {
      expect(propertiesOf(template, logicalId(bucket)).BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [
          { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arnOf(dataLake.encryptionKey) } },
        ],
      });
    }
  });

  test('encrypts the access-logs bucket with SSE-S3, the only default encryption log delivery supports', () => {
    const { template, dataLake } = dataLakeStack();
    expect(propertiesOf(template, logicalId(dataLake.accessLogsBucket!)).BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  test('blocks public access, disables ACLs, versions and retains all four buckets', () => {
    const { template } = dataLakeStack();
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(4);
    for (const bucket of Object.values(buckets)) {
      expect(bucket).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          VersioningConfiguration: { Status: 'Enabled' },
        },
      });
      expect(bucket.Properties.AccessControl).toBeUndefined();
    }
  });

  test('denies requests without TLS or below TLS 1.2 on all four buckets', () => {
    const { template, dataLake } = dataLakeStack();
    for (const bucket of [dataLake.datasetsBucket, dataLake.artifactsBucket, dataLake.predictionsBucket, dataLake.accessLogsBucket!]) {
      const resources = [arnOf(bucket), { 'Fn::Join': ['', [arnOf(bucket), '/*']] }];
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalId(bucket) },
        PolicyDocument: {
          Statement: Match.arrayWith([
            { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: resources, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
            { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: resources, Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } },
          ]),
        },
      });
    }
  });

  test('applies a DESTROY removal policy to the key and every bucket when asked', () => {
    const { template } = dataLakeStack({ removalPolicy: RemovalPolicy.DESTROY });
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key']) {
      for (const resource of Object.values(template.findResources(type))) {
        expect(resource).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
      }
    }
  });
});

describe('DataLake server access logs', () => {
  test('each data bucket logs to the access-logs bucket under its own prefix', () => {
    const { template, dataLake } = dataLakeStack();
    const logs = { Ref: logicalId(dataLake.accessLogsBucket!) };
    const prefixes = [
      [dataLake.datasetsBucket, 'datasets/'],
      [dataLake.artifactsBucket, 'artifacts/'],
      [dataLake.predictionsBucket, 'predictions/'],
    ] as const;
    for (const [bucket, prefix] of prefixes) {
      expect(propertiesOf(template, logicalId(bucket)).LoggingConfiguration).toEqual({ DestinationBucketName: logs, LogFilePrefix: prefix });
    }
    expect(propertiesOf(template, logicalId(dataLake.accessLogsBucket!)).LoggingConfiguration).toBeUndefined();
  });

  test('the access-logs bucket admits log delivery only from its own source buckets and account, each to its prefix', () => {
    const { template, dataLake } = dataLakeStack();
    const logsBucket = dataLake.accessLogsBucket!;
    const statements = (prefix: string, source: s3.IBucket) => ({
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: { 'Fn::Join': ['', [arnOf(logsBucket), `/${prefix}*`]] },
      Condition: { ArnLike: { 'aws:SourceArn': arnOf(source) }, StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId(logsBucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike(statements('datasets/', dataLake.datasetsBucket)),
          Match.objectLike(statements('artifacts/', dataLake.artifactsBucket)),
          Match.objectLike(statements('predictions/', dataLake.predictionsBucket)),
        ]),
      },
    });
  });

  test('uses a bucket policy, never the legacy log-delivery ACL, even when the app disables the bucket-policy feature flag', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'mlops-cdk-'));
    try {
      const app = new App({ outdir, context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': false } });
      const { template, dataLake } = dataLakeStack({}, new Stack(app, 'Legacy'));
      const logs = propertiesOf(template, logicalId(dataLake.accessLogsBucket!));
      expect(logs.AccessControl).toBeUndefined();
      expect(logs.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('DataLake EventBridge notifications (data-arrival trigger)', () => {
  test('are on by default for the three data buckets, on the bucket itself (no custom resource or extra function), not for the access-log bucket', () => {
    const { template, dataLake } = dataLakeStack();
    for (const bucket of [dataLake.datasetsBucket, dataLake.artifactsBucket, dataLake.predictionsBucket]) {
      expect(propertiesOf(template, logicalId(bucket)).NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    }
    expect(propertiesOf(template, logicalId(dataLake.accessLogsBucket!)).NotificationConfiguration).toBeUndefined();
    expect(dataLake.datasetsEventBridgeEnabled).toBe(true);
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('datasetsEventBridge false turns them off for the datasets bucket only, and says so to the Control Tower rule', () => {
    const { template, dataLake } = dataLakeStack({ datasetsEventBridge: false });
    const datasets = template.toJSON().Resources[logicalId(dataLake.datasetsBucket)];
    expect(datasets.Properties.NotificationConfiguration).toBeUndefined();
    expect(datasets.Metadata.guard.SuppressedRules).toContain('s3_event_notifications_enabled_check');
    expect(propertiesOf(template, logicalId(dataLake.predictionsBucket)).NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    expect(dataLake.datasetsEventBridgeEnabled).toBe(false);
  });
});

describe('DataLake template', () => {
  test('matches the snapshot (asset hashes masked)', () => {
    const { template } = dataLakeStack();
    const json = JSON.stringify(template.toJSON(), null, 1).replace(/[0-9a-f]{64}/g, '<asset-hash>');
    expect(JSON.parse(json)).toMatchSnapshot();
  });
});
