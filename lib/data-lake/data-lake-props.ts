import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Props of {@link DataLake}. Everything is optional: `new DataLake(this, 'DataLake')` creates a
 * key and four hardened buckets.
 *
 * Each bucket can be replaced by an existing one (`existingXxxBucket`). A prop that configures
 * a bucket this construct creates cannot be combined with the existing bucket it would
 * configure; the constructor throws and names the prop to drop.
 */
export interface DataLakeProps {
  /**
   * Customer-managed key that encrypts the buckets this construct creates, and that grants
   * include for existing buckets imported without a key of their own.
   * @default - a new customer-managed key with yearly automatic rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Alias of the key this construct creates (e.g. `alias/mlops-data`). Cannot be combined with
   * `encryptionKey`.
   * @default - no alias
   */
  readonly encryptionKeyAlias?: string;

  /**
   * Existing bucket to use for datasets instead of creating one. It is used as is: no
   * lifecycle, logging or policy is added. If it is encrypted with a key other than
   * `encryptionKey`, import it with `Bucket.fromBucketAttributes({ encryptionKey })` so grants
   * include that key. Cannot be combined with `datasetsIntelligentTieringAfter` or
   * `datasetsEventBridge` (enable EventBridge notifications where that bucket is defined).
   * @default - a new datasets bucket
   */
  readonly existingDatasetsBucket?: s3.IBucket;
  /**
   * Existing bucket to use for artifacts instead of creating one (used as is, see
   * `existingDatasetsBucket`). Cannot be combined with `experimentRunOutputsExpiration` or
   * `failedRunOutputsExpiration`.
   * @default - a new artifacts bucket
   */
  readonly existingArtifactsBucket?: s3.IBucket;
  /**
   * Existing bucket to use for the predictions archive instead of creating one (used as is, see
   * `existingDatasetsBucket`). Cannot be combined with `predictionsExpiration`.
   * @default - a new predictions bucket
   */
  readonly existingPredictionsBucket?: s3.IBucket;

  /**
   * What happens to the key and the buckets this construct creates when they leave the stack.
   * Datasets and model artifacts are the system of record: a registered model version points at
   * its artifact and at the dataset it was trained on, so deleting a stack (or replacing a
   * bucket by renaming its construct id) must not destroy them. Use `DESTROY` only for
   * throw-away environments; CloudFormation cannot delete a non-empty bucket either way.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long an overwritten or deleted object version is kept (every created bucket is
   * versioned). Covers recovery from a bad overwrite well beyond the 3-day RTO and keeps the
   * exact inputs of recent runs reproducible, while bounding what versioning costs.
   * Whole days, at least 1.
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * When incomplete multipart uploads are aborted (their parts are billed until then).
   * Whole days, at least 1.
   * @default Duration.days(7)
   */
  readonly abortIncompleteMultipartUploadAfter?: Duration;

  /**
   * Send the datasets bucket's object events to Amazon EventBridge (the default event bus). The
   * `TrainingPipeline`'s `dataArrivalTrigger` needs it: its rule starts training when a
   * `_SUCCESS` marker lands. Set directly on the bucket (no custom resource). EventBridge
   * charges nothing for AWS service events on the default bus; rules pay per matched event.
   * The artifacts and predictions buckets always send theirs. Cannot be combined with
   * `existingDatasetsBucket`.
   * @default true
   */
  readonly datasetsEventBridge?: boolean;

  /**
   * When dataset objects move to S3 Intelligent-Tiering. Intelligent-Tiering has no retrieval
   * fee and no minimum storage duration, so moving at once costs only the transition request
   * and the monitoring fee, and it starts the 30-day idle clock immediately: date partitions the
   * daily training no longer reads reach the Infrequent Access tier 30 days after upload instead
   * of 60 (transition at 30 days + 30 idle days). Partitions training keeps reading stay in the
   * Frequent tier at the Standard price. Objects under 128 KB are not transitioned (the
   * transition would cost more than it saves). Whole days, 0 or more.
   * @default Duration.days(0)
   */
  readonly datasetsIntelligentTieringAfter?: Duration;

  /**
   * When the outputs of experiment runs (`experiments/<model>/<runId>/` in the artifacts
   * bucket) expire. Long enough to compare a quarter of experiments; a model that should
   * outlive it must be produced by a scheduled run (`runs/`) or copied there.
   * Whole days, at least 1.
   * @default Duration.days(90)
   */
  readonly experimentRunOutputsExpiration?: Duration;
  /**
   * When the outputs of failed runs expire. A failed run's objects are marked with the object
   * tag `mlops:run-status=failed` (see `RUN_STATUS_TAG`); untagged objects are never expired by
   * this rule. Long enough to debug a failure, short enough that failed daily runs do not pile
   * up. Whole days, at least 1.
   * @default Duration.days(30)
   */
  readonly failedRunOutputsExpiration?: Duration;
  /**
   * When archived batch predictions expire. Served predictions live 3 days in the predictions
   * table; the archive is the record of what was served, so it is kept unless you set this.
   * Whole days, at least 1.
   * @default - archived predictions never expire (their noncurrent versions still do); they move
   * to Standard-IA after 30 days and Glacier Instant Retrieval after 90 either way
   */
  readonly predictionsExpiration?: Duration;

  /**
   * How long S3 server access logs are kept. A year covers the look-back of most security
   * investigations and audit regimes. Whole days, at least 1.
   * @default Duration.days(365)
   */
  readonly accessLogsExpiration?: Duration;
}
