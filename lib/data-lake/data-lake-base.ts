import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { BucketIntent, grantBucket } from './data-lake-grants';
import { validateGrantPrefix } from './validate-data-lake-props';

/**
 * The platform's storage: datasets, artifacts (models, run outputs, metrics, logs) and
 * predictions, all encrypted with one customer-managed key. Grants are by intent and always
 * include the key.
 *
 * A grant's optional `prefix` is a literal key prefix without a leading slash and ending in `/`
 * (e.g. `runs/churn/`); the grant then covers only keys under it, including listing.
 */
export interface IDataLake extends IConstruct {
  /** Key that encrypts every bucket. */
  readonly encryptionKey: kms.IKey;
  /** Training and scoring input data, one prefix per model: `<model>/<category>/<date>/...`. */
  readonly datasetsBucket: s3.IBucket;
  /** Model files, run outputs, metrics and logs: `runs/<model>/<runId>/...`, `experiments/...`. */
  readonly artifactsBucket: s3.IBucket;
  /** Batch predictions archive: `<model>/<category>/<date>/...`. */
  readonly predictionsBucket: s3.IBucket;

  /** Read (get/list) datasets, optionally under a key prefix. */
  grantReadDatasets(grantee: iam.IGrantable, prefix?: string): iam.Grant;
  /** Write datasets (ingestion: put and tag objects, no read or delete), optionally under a key prefix. */
  grantWriteDatasets(grantee: iam.IGrantable, prefix?: string): iam.Grant;
  /** Read artifacts, optionally under a key prefix. */
  grantReadArtifacts(grantee: iam.IGrantable, prefix?: string): iam.Grant;
  /** Read and write artifacts (put and tag objects, no delete), optionally under a key prefix. */
  grantWriteArtifacts(grantee: iam.IGrantable, prefix?: string): iam.Grant;
  /** Read predictions, optionally under a key prefix. */
  grantReadPredictions(grantee: iam.IGrantable, prefix?: string): iam.Grant;
  /** Read and write predictions (put and tag objects, no delete), optionally under a key prefix. */
  grantWritePredictions(grantee: iam.IGrantable, prefix?: string): iam.Grant;
}

/** Attributes of a data lake defined elsewhere (e.g. in another stack), for {@link DataLake.fromDataLakeAttributes}. */
export interface DataLakeAttributes {
  /** Datasets bucket. */
  readonly datasetsBucket: s3.IBucket;
  /** Artifacts bucket. */
  readonly artifactsBucket: s3.IBucket;
  /** Predictions archive bucket. */
  readonly predictionsBucket: s3.IBucket;
  /** Key that encrypts the buckets (used by grants for buckets imported without a key of their own). */
  readonly encryptionKey: kms.IKey;
}

const READ: BucketIntent = { read: true, write: false };
// Ingestion writes datasets it does not need to read back.
const WRITE_ONLY: BucketIntent = { read: false, write: true };
const READ_WRITE: BucketIntent = { read: true, write: true };

/** Grants shared by the data lake and imported data lakes. */
export abstract class DataLakeBase extends Construct implements IDataLake {
  abstract readonly encryptionKey: kms.IKey;
  abstract readonly datasetsBucket: s3.IBucket;
  abstract readonly artifactsBucket: s3.IBucket;
  abstract readonly predictionsBucket: s3.IBucket;

  grantReadDatasets(grantee: iam.IGrantable, prefix?: string): iam.Grant {
    return this.grant('grantReadDatasets', grantee, this.datasetsBucket, prefix, READ);
  }

  grantWriteDatasets(grantee: iam.IGrantable, prefix?: string): iam.Grant {
    return this.grant('grantWriteDatasets', grantee, this.datasetsBucket, prefix, WRITE_ONLY);
  }

  grantReadArtifacts(grantee: iam.IGrantable, prefix?: string): iam.Grant {
    return this.grant('grantReadArtifacts', grantee, this.artifactsBucket, prefix, READ);
  }

  grantWriteArtifacts(grantee: iam.IGrantable, prefix?: string): iam.Grant {
    return this.grant('grantWriteArtifacts', grantee, this.artifactsBucket, prefix, READ_WRITE);
  }

  grantReadPredictions(grantee: iam.IGrantable, prefix?: string): iam.Grant {
    return this.grant('grantReadPredictions', grantee, this.predictionsBucket, prefix, READ);
  }

  grantWritePredictions(grantee: iam.IGrantable, prefix?: string): iam.Grant {
    return this.grant('grantWritePredictions', grantee, this.predictionsBucket, prefix, READ_WRITE);
  }

  // A bucket imported with its own key (Bucket.fromBucketAttributes({ encryptionKey })) is
  // granted on that key; every other bucket on the data lake key.
  private grant(method: string, grantee: iam.IGrantable, bucket: s3.IBucket, prefix: string | undefined, intent: BucketIntent): iam.Grant {
    validateGrantPrefix(method, prefix);
    return grantBucket(grantee, { bucket, key: bucket.encryptionKey ?? this.encryptionKey, prefix }, intent);
  }
}
