import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { backUpTable } from '../common/table-backup';
import { PREDICTIONS_SCHEMA } from '../../lambda/shared/predictions/schema';
import { IPredictionStore } from './prediction-store-base';

/** Props of {@link PredictionStore}. */
export interface PredictionStoreProps {
  /**
   * Customer-managed key for the table.
   * @default - a new key with rotation enabled (retained with the table)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the table (and a created key) when removed from the stack.
   * @default RemovalPolicy.RETAIN - predictions are the serving state; losing them means
   * fallback answers until the next batch
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Point-in-time recovery.
   * @default true
   */
  readonly pointInTimeRecovery?: boolean;
  /**
   * Deletion protection of the table.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * An AWS Backup plan to add the table to (vault lock, copies to another account or region,
   * retention beyond 35 days).
   * @default - no plan: point-in-time recovery (35 days) is the table's backup
   */
  readonly backupPlan?: backup.IBackupPlan;
}

/**
 * The predictions table: on-demand billing (daily load bursts and spiky reads), encrypted with
 * a customer-managed key, point-in-time recovery, TTL on `expiresAt` (set by the loader to
 * generatedAt + TTL), retained by default. Readers must still treat `expiresAt <= now` as
 * missing: DynamoDB deletes expired items lazily.
 */
export class PredictionStore extends Construct implements IPredictionStore {
  public readonly table: dynamodb.Table;
  public readonly tableName: string;
  public readonly tableArn: string;
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: PredictionStoreProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: 'cdk-mlops predictions table',
      enableKeyRotation: true,
      removalPolicy,
    });
    // Table (not TableV2): TableV2 cannot render a customer-managed key in an
    // environment-agnostic stack.
    this.table = new dynamodb.Table(this, 'Resource', {
      partitionKey: { name: PREDICTIONS_SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery ?? true },
      timeToLiveAttribute: PREDICTIONS_SCHEMA.ttlAttribute,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy,
    });
    backUpTable(this.table, props.backupPlan, props.pointInTimeRecovery ?? true);
    this.tableName = this.table.tableName;
    this.tableArn = this.table.tableArn;
  }

  public grantReadPredictions(grantee: iam.IGrantable): iam.Grant {
    this.encryptionKey.grantDecrypt(grantee);
    return this.table.grant(grantee, 'dynamodb:GetItem', 'dynamodb:BatchGetItem');
  }

  public grantWritePredictions(grantee: iam.IGrantable): iam.Grant {
    this.encryptionKey.grantEncryptDecrypt(grantee);
    return this.table.grant(grantee, 'dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:DescribeTable');
  }

  public metricThrottledRequests(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return new cloudwatch.Metric({
      namespace: 'AWS/DynamoDB',
      metricName: 'ThrottledRequests',
      dimensionsMap: { TableName: this.tableName },
      statistic: 'Sum',
      period: Duration.minutes(1),
      ...props,
    });
  }
}
