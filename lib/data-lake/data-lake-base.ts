import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';

/**
 * The platform's storage: datasets, artifacts (models, run outputs, metrics, logs) and
 * predictions, all encrypted with one customer-managed key. Grants are by intent and always
 * include the key.
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
  /** Write datasets (ingestion), optionally under a key prefix. */
  grantWriteDatasets(grantee: iam.IGrantable, prefix?: string): iam.Grant;
  /** Read artifacts, optionally under a key prefix. */
  grantReadArtifacts(grantee: iam.IGrantable, prefix?: string): iam.Grant;
  /** Read and write artifacts, optionally under a key prefix. */
  grantWriteArtifacts(grantee: iam.IGrantable, prefix?: string): iam.Grant;
  /** Read predictions, optionally under a key prefix. */
  grantReadPredictions(grantee: iam.IGrantable, prefix?: string): iam.Grant;
  /** Read and write predictions, optionally under a key prefix. */
  grantWritePredictions(grantee: iam.IGrantable, prefix?: string): iam.Grant;
}
