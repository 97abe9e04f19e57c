import { RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { backUpTable } from '../common/table-backup';
import { PREDICTIONS_SCHEMA } from '../../lambda/shared/predictions/schema';
import { IPredictionStore, ImportedPredictionStore, PredictionStoreAttributes, PredictionStoreBase } from './prediction-store-base';

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
export class PredictionStore extends PredictionStoreBase {
  /** Imports a predictions table defined elsewhere (another stack or account), with its key so grants include it. */
  static fromPredictionStoreAttributes(scope: Construct, id: string, attrs: PredictionStoreAttributes): IPredictionStore {
    return new ImportedPredictionStore(scope, id, attrs);
  }

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
}
