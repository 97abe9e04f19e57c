import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { validateImportedArn } from '../common/import-attributes';
import { systemErrorsMetric } from '../monitoring/store-alarms';

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

  /** Throttled requests against the table (AWS/DynamoDB ThrottledRequests, Sum per minute). */
  metricThrottledRequests(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /**
   * DynamoDB system errors (5xx) of the operations the table alarms watch, summed (AWS/DynamoDB
   * SystemErrors, per minute unless `period` says otherwise; other options are not used).
   */
  metricSystemErrors(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
}

/** Attributes of a predictions table defined elsewhere, for {@link PredictionStore.fromPredictionStoreAttributes}. */
export interface PredictionStoreAttributes {
  /** ARN of the predictions table. */
  readonly tableArn: string;
  /** Customer-managed key that encrypts the table (readers need kms:Decrypt on it). */
  readonly encryptionKey: kms.IKey;
}

/** Grants and metrics shared by the predictions table and imported ones. */
export abstract class PredictionStoreBase extends Construct implements IPredictionStore {
  abstract readonly table: dynamodb.ITable;
  abstract readonly tableName: string;
  abstract readonly tableArn: string;
  abstract readonly encryptionKey: kms.IKey;

  grantReadPredictions(grantee: iam.IGrantable): iam.Grant {
    this.encryptionKey.grantDecrypt(grantee);
    return this.table.grant(grantee, 'dynamodb:GetItem', 'dynamodb:BatchGetItem');
  }

  grantWritePredictions(grantee: iam.IGrantable): iam.Grant {
    this.encryptionKey.grantEncryptDecrypt(grantee);
    return this.table.grant(grantee, 'dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:DescribeTable');
  }

  metricThrottledRequests(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return new cloudwatch.Metric({
      namespace: 'AWS/DynamoDB',
      metricName: 'ThrottledRequests',
      dimensionsMap: { TableName: this.tableName },
      statistic: 'Sum',
      period: Duration.minutes(1),
      ...props,
    });
  }

  metricSystemErrors(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return systemErrorsMetric(this.table, props?.period ?? Duration.minutes(1));
  }
}

/** A predictions table known by its ARN and key (another stack, another account). */
export class ImportedPredictionStore extends PredictionStoreBase {
  readonly table: dynamodb.ITable;
  readonly tableName: string;
  readonly tableArn: string;
  readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, attrs: PredictionStoreAttributes) {
    super(scope, id);
    validateImportedArn('PredictionStore.fromPredictionStoreAttributes', 'tableArn', attrs.tableArn,
      'dynamodb', /^table\/[A-Za-z0-9_.-]{3,255}$/, 'arn:aws:dynamodb:<region>:<account>:table/<name>');
    this.table = dynamodb.Table.fromTableAttributes(this, 'Table', { tableArn: attrs.tableArn, encryptionKey: attrs.encryptionKey });
    this.tableName = this.table.tableName;
    this.tableArn = this.table.tableArn;
    this.encryptionKey = attrs.encryptionKey;
  }
}
