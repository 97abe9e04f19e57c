import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { GuardFindings, acknowledgeGuard } from '../common/guard';
import { limitGrantsToAwsServices } from '../common/key-grants';
import { NagFindings, acknowledgeNag } from '../common/nag';
import { createSecureBucket } from '../data-lake/secure-bucket';

/**
 * The pipeline's artifact bucket: SSE-KMS with a rotated customer key (CodePipeline grants the
 * stage accounts' deploy roles decrypt on it, the cross-account keys), TLS only, public access
 * blocked, versioned, server access logs. Artifacts of an execution are only needed while it
 * runs or is retried: they expire after 90 days. The build logs of every CodeBuild project of the
 * pipeline (synth, image build, asset publishing, self-mutation, smoke tests) go to one log group
 * under the same key, kept a year: they record what was built and deployed.
 */
export class ArtifactStore extends Construct {
  readonly key: kms.Key;
  readonly bucket: s3.Bucket;
  readonly buildLogs: logs.LogGroup;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', { enableKeyRotation: true, description: 'cdk-mlops: delivery pipeline artifacts' });
    limitGrantsToAwsServices(this.key);
    const accessLogs = createSecureBucket(this, 'AccessLogs', {
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
    });
    acknowledgeNag(accessLogs, NagFindings.accessLogBucket());
    acknowledgeGuard(accessLogs, GuardFindings.serverAccessLogBucketEncryption(), GuardFindings.accessLogBucketLogging(), GuardFindings.logBucketEvents());
    this.bucket = createSecureBucket(this, 'Bucket', {
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      accessLogs: { bucket: accessLogs, prefix: 'artifacts/' },
      // CodePipeline reads its artifacts itself; the events (free on the default bus) let an
      // audit or a follow-up process see every artifact written.
      eventBridge: true,
    });
    const { partition, region, account } = Stack.of(this);
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*` } },
    }));
    this.buildLogs = new logs.LogGroup(this, 'BuildLogs', { encryptionKey: this.key, retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
  }
}
