import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { NagFindings, acknowledgeNag } from '../common/nag';
import { IDataLake } from '../data-lake/data-lake-base';
import { FeatureType } from '../spec/model-spec';

/** The Glue database Feature Store keeps offline-store tables in (its own default). */
export const FEATURE_STORE_DATABASE = 'sagemaker_featurestore';
/** Offline stores live under this prefix of the datasets bucket, one folder per group. */
export const OFFLINE_STORE_ROOT = 'feature-store/';

/** Where a group's offline store sits in the datasets bucket. */
export function offlineStorePrefix(featureGroupName: string): string {
  return `${OFFLINE_STORE_ROOT}${featureGroupName}/`;
}

/** The group's offline-store table, named at creation so queries (and other models) know it at synth. */
export function offlineStoreTable(featureGroupName: string): string {
  return featureGroupName.replace(/-/g, '_');
}

/**
 * What must be unique among the groups of an account and region: the name as its ARN spells it
 * (lowercase) and as its offline-store table (hyphens as underscores). The construct adds no
 * stack or model prefix, so the spec's name is the physical name.
 */
export function featureGroupIdentity(featureGroupName: string): string {
  return offlineStoreTable(featureGroupName).toLowerCase();
}

/** One feature of a group. */
export interface FeatureDefinition {
  readonly name: string;
  readonly type: FeatureType;
}

/** Props of {@link MlopsFeatureGroup}. */
export interface MlopsFeatureGroupProps {
  /** Feature group name, unique in the account and region. */
  readonly featureGroupName: string;
  /** The data lake: the offline store goes into its datasets bucket, encrypted with its key. */
  readonly dataLake: IDataLake;
  /** The feature identifying a record. */
  readonly recordIdentifier: string;
  /** The String feature holding the ISO-8601 event time. */
  readonly eventTime: string;
  /** The features, including the identifier and the event time. */
  readonly features: FeatureDefinition[];
  /**
   * Also enable the online store (latest record per identifier, low-latency reads), encrypted
   * with the data lake key.
   * @default false - offline store only: training needs history, not low-latency reads
   */
  readonly onlineStore?: boolean;
  /**
   * What the group holds.
   * @default - none
   */
  readonly description?: string;
}

/**
 * A SageMaker Feature Store feature group: the offline store in the data lake's datasets bucket
 * (`feature-store/<name>/`, SSE-KMS with the data lake key) as an Iceberg table in the
 * `sagemaker_featurestore` Glue database, and an optional online store with the same key.
 * Iceberg rather than Glue (Hive) format: Feature Store appends small files per write, and
 * Iceberg's compaction and snapshot isolation keep the training queries fast and consistent.
 */
export class MlopsFeatureGroup extends Construct {
  readonly featureGroupName: string;
  readonly featureGroupArn: string;
  /** Glue database and table of the offline store. */
  readonly databaseName: string;
  readonly tableName: string;
  readonly recordIdentifier: string;
  readonly eventTime: string;
  readonly onlineStore: boolean;
  /** The role Feature Store writes the offline store with. */
  readonly role: iam.Role;
  private readonly dataLake: IDataLake;

  constructor(scope: Construct, id: string, props: MlopsFeatureGroupProps) {
    super(scope, id);
    const names = props.features.map((f) => f.name);
    for (const [field, value] of [['recordIdentifier', props.recordIdentifier], ['eventTime', props.eventTime]] as const) {
      if (!names.includes(value)) throw new Error(`${field} ${JSON.stringify(value)} is not one of the features (${names.join(', ')}): add it to features or name one of them`);
    }
    const stack = Stack.of(this);
    this.dataLake = props.dataLake;
    this.featureGroupName = props.featureGroupName;
    this.recordIdentifier = props.recordIdentifier;
    this.eventTime = props.eventTime;
    this.onlineStore = props.onlineStore ?? false;
    this.databaseName = FEATURE_STORE_DATABASE;
    this.tableName = offlineStoreTable(props.featureGroupName);
    const prefix = offlineStorePrefix(props.featureGroupName);
    const key = props.dataLake.encryptionKey;

    this.role = new iam.Role(this, 'OfflineStoreRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `Feature Store writes the offline store of ${props.featureGroupName}`,
    });
    // Iceberg commits read their own metadata back; Feature Store also checks the bucket ACL and sets object ACLs.
    props.dataLake.grantReadDatasets(this.role, prefix);
    props.dataLake.grantWriteDatasets(this.role, prefix);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketAcl'], resources: [props.dataLake.datasetsBucket.bucketArn] }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObjectAcl'], resources: [props.dataLake.datasetsBucket.arnForObjects(`${prefix}*`)] }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['glue:GetDatabase', 'glue:CreateDatabase', 'glue:GetTable', 'glue:CreateTable', 'glue:UpdateTable'],
      resources: glueArns(stack, this.databaseName, this.tableName),
    }));

    const resource = new sagemaker.CfnFeatureGroup(this, 'Resource', {
      featureGroupName: props.featureGroupName,
      description: props.description,
      recordIdentifierFeatureName: props.recordIdentifier,
      eventTimeFeatureName: props.eventTime,
      featureDefinitions: props.features.map((f) => ({ featureName: f.name, featureType: f.type })),
      roleArn: this.role.roleArn,
      // Untyped in the L1 (JSON): written in CloudFormation's own casing.
      offlineStoreConfig: {
        S3StorageConfig: { S3Uri: props.dataLake.datasetsBucket.s3UrlForObject(prefix), KmsKeyId: key.keyArn },
        TableFormat: 'Iceberg',
        DataCatalogConfig: { Catalog: 'AwsDataCatalog', Database: this.databaseName, TableName: this.tableName },
      },
      onlineStoreConfig: this.onlineStore ? { EnableOnlineStore: true, SecurityConfig: { KmsKeyId: key.keyArn } } : undefined,
    });
    // Feature Store checks the role's access when the group is created.
    resource.node.addDependency(this.role);
    this.featureGroupArn = featureGroupArn(stack, resource.ref);
    acknowledgeNag(this,
      NagFindings.objectsUnder(this, props.dataLake.datasetsBucket.bucketArn, prefix),
    );
  }

  /**
   * Lets `grantee` put records (`sagemaker:PutRecord` on this group). Feature Store writes the
   * offline store itself, with its own role: the writer needs no S3 access. With the online
   * store, the writer also uses the data lake key (Feature Store encrypts with the caller's grant).
   */
  grantWrite(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:PutRecord'], resourceArns: [this.featureGroupArn] });
    if (!this.onlineStore) return grant;
    return grant.combine(iam.Grant.addToPrincipal({
      grantee, actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resourceArns: [this.dataLake.encryptionKey.keyArn],
    }));
  }
}

/** Catalog, database and table ARNs of an offline-store table. */
export function glueArns(stack: Stack, database: string, table: string): string[] {
  return [
    stack.formatArn({ service: 'glue', resource: 'catalog' }),
    stack.formatArn({ service: 'glue', resource: 'database', resourceName: database }),
    stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${database}/${table}` }),
  ];
}

/** A feature group's ARN from its name (the ARN spells the name in lowercase). */
export function featureGroupArn(stack: Stack, featureGroupName: string): string {
  return stack.formatArn({ service: 'sagemaker', resource: 'feature-group', resourceName: featureGroupName });
}
