import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';

/**
 * The predictions table: one item per (model, category, version, entity), expiring through
 * the `expiresAt` TTL attribute. Read by the prediction front ends, written by batch inference.
 */
export interface IPredictionStore extends IConstruct {
  /** The predictions table. */
  readonly table: dynamodb.ITable;
  /** Name of the predictions table. @attribute */
  readonly tableName: string;
  /** ARN of the predictions table. @attribute */
  readonly tableArn: string;
  /** Customer-managed key that encrypts the table. */
  readonly encryptionKey: kms.IKey;

  /** Point reads only (GetItem, BatchGetItem) plus decrypt: what a prediction front end needs. */
  grantReadPredictions(grantee: iam.IGrantable): iam.Grant;
  /** Writes (BatchWriteItem, PutItem) plus the key: what the batch loader needs. */
  grantWritePredictions(grantee: iam.IGrantable): iam.Grant;

  /** Throttled requests against the table. */
  metricThrottledRequests(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
}
