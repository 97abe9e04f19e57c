import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { GuardFindings, acknowledgeGuard } from '../common/guard';

/** Where a bucket's server access logs go. */
export interface AccessLogsTarget {
  readonly bucket: s3.Bucket;
  /** Key prefix of this bucket's logs in the target, ending in `/`. */
  readonly prefix: string;
}

/** Options of {@link createSecureBucket}. */
export interface SecureBucketOptions {
  /**
   * Customer-managed key for SSE-KMS with an S3 Bucket Key. Without one the bucket uses SSE-S3,
   * which only the access-logs bucket does (server access log delivery requires it).
   */
  readonly encryptionKey?: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  readonly lifecycleRules: s3.LifecycleRule[];
  /** Server access logging target; omitted only for the access-logs bucket itself. */
  readonly accessLogs?: AccessLogsTarget;
  /** Send object events to Amazon EventBridge. Omitted means off. */
  readonly eventBridge?: boolean;
}

/**
 * One hardened bucket: public access blocked, ACLs disabled, TLS 1.2+ only, versioned,
 * encrypted, lifecycle rules, server access logging into `accessLogs`, and optionally EventBridge
 * notifications.
 */
export function createSecureBucket(scope: Construct, id: string, options: SecureBucketOptions): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    ...(options.encryptionKey
      ? { encryption: s3.BucketEncryption.KMS, encryptionKey: options.encryptionKey, bucketKeyEnabled: true }
      : { encryption: s3.BucketEncryption.S3_MANAGED }),
    lifecycleRules: options.lifecycleRules,
    // Never transition objects under 128 KB: the transition request costs more than a cheaper
    // storage class saves on them (S3's default since September 2024, pinned here).
    transitionDefaultMinimumObjectSize: s3.TransitionDefaultMinimumObjectSize.ALL_STORAGE_CLASSES_128_K,
    removalPolicy: options.removalPolicy,
  });
  acknowledgeGuard(bucket, GuardFindings.objectLock());
  if (options.accessLogs) enableAccessLogs(bucket, options.accessLogs);
  // On the bucket resource itself rather than the L2 `eventBridgeEnabled` prop, which goes through
  // the BucketNotifications custom resource (an extra Lambda function, role and AWS-managed
  // policy) only to set what CloudFormation supports natively on AWS::S3::Bucket.
  if (options.eventBridge) {
    (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  }
  return bucket;
}

// Configured here rather than with the L2 `serverAccessLogsBucket` prop: without the feature flag
// `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy` the L2 switches the target bucket to the
// legacy LogDeliveryWrite ACL (and ObjectWriter ownership). This always uses a bucket policy that
// admits the logging service for this source bucket and account only, whatever the app's flags.
function enableAccessLogs(bucket: s3.Bucket, target: AccessLogsTarget): void {
  const cfnBucket = bucket.node.defaultChild as s3.CfnBucket;
  cfnBucket.loggingConfiguration = { destinationBucketName: target.bucket.bucketName, logFilePrefix: target.prefix };
  target.bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: `AllowAccessLogs${bucket.node.id}`,
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [target.bucket.arnForObjects(`${target.prefix}*`)],
      conditions: {
        ArnLike: { 'aws:SourceArn': bucket.bucketArn },
        StringEquals: { 'aws:SourceAccount': Stack.of(bucket).account },
      },
    }),
  );
}
