import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';

/** The model registry: one DynamoDB table holding models, versions, runs, production pointers and audit. */
export interface IModelRegistry extends IConstruct {
  /** The registry table. */
  readonly table: dynamodb.ITable;
  /** Name of the registry table. @attribute */
  readonly tableName: string;
  /** ARN of the registry table. @attribute */
  readonly tableArn: string;
  /** Customer-managed key of the table, when known. */
  readonly encryptionKey?: kms.IKey;

  /** Read models, versions, runs, production pointers and history (queries and the GSI). */
  grantRead(grantee: iam.IGrantable): iam.Grant;
  /** Read, plus create models, register versions and record runs (writes and transactions). */
  grantRegister(grantee: iam.IGrantable): iam.Grant;
  /** Read, plus promote/rollback and approve/reject (writes and transactions). */
  grantPromote(grantee: iam.IGrantable): iam.Grant;

  /** Throttled requests against the table (all operations). */
  metricThrottledRequests(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /** DynamoDB system errors (5xx) against the table. */
  metricSystemErrors(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /** Client errors (4xx, including conditional check failures of lost races). */
  metricUserErrors(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
}
