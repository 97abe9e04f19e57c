import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DataLakeAttributes, DataLakeBase, IDataLake } from './data-lake-base';
import { ACCESS_LOG_PREFIXES } from './data-lake-layout';
import { accessLogsLifecycle, artifactsLifecycle, datasetsLifecycle, LifecycleSettings, predictionsLifecycle } from './data-lake-lifecycle';
import { DataLakeProps } from './data-lake-props';
import { createSecureBucket } from './secure-bucket';
import { validateDataLakeProps } from './validate-data-lake-props';
import { GuardFindings, acknowledgeGuard } from '../common/guard';
import { limitGrantsToAwsServices } from '../common/key-grants';

/**
 * The platform's storage: a customer-managed KMS key and buckets for datasets, artifacts (model
 * files, run outputs, metrics, logs) and the predictions archive, plus a bucket for their S3
 * server access logs.
 *
 * Every bucket it creates blocks public access, disables ACLs, denies requests without TLS 1.2+,
 * is versioned, encrypted (SSE-KMS with an S3 Bucket Key; the access-logs bucket SSE-S3) and
 * retained when removed from the stack. Data buckets log to the access-logs bucket under
 * `datasets/`, `artifacts/` and `predictions/`.
 *
 * Construct ids (a public contract): `EncryptionKey`, `AccessLogsBucket`, `DatasetsBucket`,
 * `ArtifactsBucket`, `PredictionsBucket`.
 */
export class DataLake extends DataLakeBase {
  /** A data lake defined elsewhere (e.g. in another stack), with the same grants. */
  static fromDataLakeAttributes(scope: Construct, id: string, attrs: DataLakeAttributes): IDataLake {
    return new ImportedDataLake(scope, id, attrs);
  }

  readonly encryptionKey: kms.IKey;
  readonly datasetsBucket: s3.IBucket;
  readonly artifactsBucket: s3.IBucket;
  readonly predictionsBucket: s3.IBucket;
  /**
   * Bucket receiving the server access logs of the buckets this construct creates.
   * Undefined when all three data buckets were passed in.
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Whether the datasets bucket sends object events to EventBridge (`datasetsEventBridge`).
   * Undefined when an existing datasets bucket was passed in: this construct cannot tell.
   */
  readonly datasetsEventBridgeEnabled?: boolean;

  constructor(scope: Construct, id: string, props: DataLakeProps = {}) {
    super(scope, id);
    validateDataLakeProps(props);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const lifecycle: LifecycleSettings = {
      noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(90),
      abortIncompleteMultipartUploadAfter: props.abortIncompleteMultipartUploadAfter ?? Duration.days(7),
      datasetsIntelligentTieringAfter: props.datasetsIntelligentTieringAfter ?? Duration.days(0),
      experimentRunOutputsExpiration: props.experimentRunOutputsExpiration ?? Duration.days(90),
      failedRunOutputsExpiration: props.failedRunOutputsExpiration ?? Duration.days(30),
      predictionsExpiration: props.predictionsExpiration,
      accessLogsExpiration: props.accessLogsExpiration ?? Duration.days(365),
    };

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'EncryptionKey', {
        description: `Encrypts the MLOps data lake buckets (${this.node.path})`,
        enableKeyRotation: true,
        alias: props.encryptionKeyAlias,
        removalPolicy,
      });
    if (!props.encryptionKey) limitGrantsToAwsServices(this.encryptionKey as kms.Key);

    const createsABucket = !(props.existingDatasetsBucket && props.existingArtifactsBucket && props.existingPredictionsBucket);
    const logs = createsABucket ? this.createAccessLogsBucket(removalPolicy, lifecycle) : undefined;
    this.accessLogsBucket = logs;

    // Object events go to EventBridge (the default bus, free for AWS service events): a consumer
    // (a data-arrival trigger, a downstream team waiting for predictions) subscribes with a rule,
    // without a change to the bucket.
    const dataBucket = (bucketId: string, logPrefix: string, lifecycleRules: s3.LifecycleRule[], eventBridge = true) =>
      createSecureBucket(this, bucketId, {
        encryptionKey: this.encryptionKey,
        removalPolicy,
        lifecycleRules,
        accessLogs: logs && { bucket: logs, prefix: logPrefix },
        eventBridge,
      });
    const datasetsEventBridge = props.datasetsEventBridge ?? true;
    this.datasetsBucket = props.existingDatasetsBucket ?? dataBucket('DatasetsBucket', ACCESS_LOG_PREFIXES.datasets, datasetsLifecycle(lifecycle), datasetsEventBridge);
    if (!props.existingDatasetsBucket && !datasetsEventBridge) acknowledgeGuard(this.datasetsBucket, GuardFindings.eventsTurnedOff());
    this.datasetsEventBridgeEnabled = props.existingDatasetsBucket ? undefined : datasetsEventBridge;
    this.artifactsBucket = props.existingArtifactsBucket ?? dataBucket('ArtifactsBucket', ACCESS_LOG_PREFIXES.artifacts, artifactsLifecycle(lifecycle));
    this.predictionsBucket = props.existingPredictionsBucket ?? dataBucket('PredictionsBucket', ACCESS_LOG_PREFIXES.predictions, predictionsLifecycle(lifecycle));
  }

  private createAccessLogsBucket(removalPolicy: RemovalPolicy, lifecycle: LifecycleSettings): s3.Bucket {
    // SSE-S3, not the data lake key: AWS documents SSE-S3 as the only default encryption
    // supported on a server access logging destination bucket. The logs hold request metadata
    // (who, which key, when), not data lake content. It does not log itself: that would log
    // every log delivery (a feedback loop AWS advises against). cdk-nag S1 accepts a bucket that
    // is the log destination of another bucket in the stack, so nothing needs acknowledging.
    const bucket = createSecureBucket(this, 'AccessLogsBucket', { removalPolicy, lifecycleRules: accessLogsLifecycle(lifecycle) });
    acknowledgeGuard(bucket, GuardFindings.serverAccessLogBucketEncryption(), GuardFindings.accessLogBucketLogging(), GuardFindings.logBucketEvents());
    return bucket;
  }
}

class ImportedDataLake extends DataLakeBase {
  readonly encryptionKey: kms.IKey;
  readonly datasetsBucket: s3.IBucket;
  readonly artifactsBucket: s3.IBucket;
  readonly predictionsBucket: s3.IBucket;

  constructor(scope: Construct, id: string, attrs: DataLakeAttributes) {
    super(scope, id);
    this.encryptionKey = attrs.encryptionKey;
    this.datasetsBucket = attrs.datasetsBucket;
    this.artifactsBucket = attrs.artifactsBucket;
    this.predictionsBucket = attrs.predictionsBucket;
  }
}
