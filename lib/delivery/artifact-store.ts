import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { NagFindings, acknowledgeNag } from '../common/nag';
import { createSecureBucket } from '../data-lake/secure-bucket';
import { limitGrantsToAwsServices } from '../common/key-grants';
import { GuardFindings, acknowledgeGuard } from '../common/guard';

/**
 * The pipeline's artifact bucket: SSE-KMS with a rotated customer key (CodePipeline grants the
 * stage accounts' deploy roles decrypt on it, the cross-account keys), TLS only, public access
 * blocked, versioned, server access logs. Artifacts of an execution are only needed while it
 * runs or is retried: they expire after 90 days.
 */
export class ArtifactStore extends Construct {
  readonly key: kms.Key;
  readonly bucket: s3.Bucket;

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
  }
}
