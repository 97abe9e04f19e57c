import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { MlopsFunction } from '../common/mlops-function';
import { IDataLake } from '../data-lake/data-lake-base';
import { grantBucket } from '../data-lake/data-lake-grants';
import { DataFormat, IngestionSourceSpec } from '../spec/model-spec';
import { DEFAULT_SECRET_HEADER, FetchConfig, HEADER_NAME_PATTERN, INGEST_SOURCE_ENV, SOURCE_LIMITS, sourceUrlProblem } from '../../lambda/shared/ingestion/source';

/** A prefix of a bucket, in this or another account, whose new objects each run copies. */
export interface S3IngestionSource {
  /** The source bucket (e.g. `s3.Bucket.fromBucketName(this, 'Source', 'partner-exports')`); another account must grant read in its bucket policy. */
  readonly bucket: s3.IBucket;
  /**
   * Key prefix ending in "/"; each category's objects are under `<prefix><category>/`.
   * @default '' - the categories are top-level folders of the bucket
   */
  readonly prefix?: string;
  /**
   * The KMS key the source objects are encrypted with (SSE-KMS with a customer key); the fetch function gets kms:Decrypt on it.
   * @default - the objects use SSE-S3 or an AWS managed key, which needs no grant
   */
  readonly encryptionKey?: kms.IKey;
}

/** An HTTP(S) endpoint each run GETs once per category. */
export interface HttpIngestionSource {
  /**
   * `https://...`; may hold `{category}`, `{start}` and `{end}` (the window, ISO instants),
   * replaced URL-encoded. Plain `http://` is accepted for loopback hosts only (tests).
   */
  readonly url: string;
  /**
   * Secrets Manager secret whose SecretString is sent as the value of `header` (or a JSON object
   * `{"header": ..., "value": ...}` naming both). The fetch function may read only this secret.
   * @default - no header is sent
   */
  readonly secret?: secretsmanager.ISecret;
  /**
   * Header that carries the secret.
   * @default 'Authorization'
   */
  readonly header?: string;
}

/** A built-in source of {@link DataIngestion}: exactly one of `s3` and `http`. */
export interface IngestionSource {
  /**
   * Copy new objects from an S3 prefix.
   * @default - not an S3 source
   */
  readonly s3?: S3IngestionSource;
  /**
   * GET an HTTP(S) endpoint.
   * @default - not an HTTP source
   */
  readonly http?: HttpIngestionSource;
}

/** What the fetch step needs from its DataIngestion. */
export interface SourceFetchProps {
  readonly model: string;
  readonly categories: string[];
  readonly format: DataFormat;
  readonly dataLake: IDataLake;
  readonly stagingPrefix: string;
  readonly logRetention: logs.RetentionDays;
}

/** Refuses a source that is not exactly one of s3 and http, or whose values the fetch function would refuse. */
export function validateIngestionSource(source: IngestionSource): void {
  if ((source.s3 === undefined) === (source.http === undefined)) {
    throw new Error(`DataIngestion source must set exactly one of s3 and http, but ${source.s3 ? 'both' : 'neither'} was provided: pass { s3: { bucket, prefix } } or { http: { url } }`);
  }
  const prefix = source.s3?.prefix;
  if (prefix !== undefined && !Token.isUnresolved(prefix) && prefix !== '' && (!prefix.endsWith('/') || prefix.startsWith('/'))) {
    throw new Error(`DataIngestion source.s3.prefix must be a key prefix ending in "/" without a leading "/", but ${JSON.stringify(prefix)} was provided: write e.g. "exports/demand/"`);
  }
  const url = source.http?.url;
  const wrong = url === undefined || Token.isUnresolved(url) ? undefined : sourceUrlProblem(url);
  if (wrong) throw new Error(`DataIngestion source.http.url must be ${wrong}, but ${JSON.stringify(url)} was provided: write e.g. "https://api.example.com/export/{category}?from={start}&to={end}"`);
  const header = source.http?.header;
  if (header !== undefined && !new RegExp(HEADER_NAME_PATTERN).test(header)) {
    throw new Error(`DataIngestion source.http.header must be an HTTP header name, but ${JSON.stringify(header)} was provided: write e.g. "Authorization" or "X-Api-Key"`);
  }
}

/**
 * The fetch function of a source: its own role reads the source only (the bucket's prefix and its
 * key, or the one secret) and writes the run's staging prefix, nothing else.
 */
export function createSourceFetch(scope: Construct, source: IngestionSource, props: SourceFetchProps): MlopsFunction {
  const { dataLake } = props;
  const config: FetchConfig = {
    model: props.model, categories: props.categories, format: props.format,
    stagingBucket: dataLake.artifactsBucket.bucketName, stagingPrefix: props.stagingPrefix, kmsKeyId: dataLake.encryptionKey.keyArn,
    limits: SOURCE_LIMITS,
    ...(source.s3 ? { s3: { bucket: source.s3.bucket.bucketName, prefix: source.s3.prefix ?? '' } } : {}),
    ...(source.http ? { http: { url: source.http.url, header: source.http.header ?? DEFAULT_SECRET_HEADER, ...(source.http.secret ? { secretId: secretId(source.http.secret) } : {}) } } : {}),
  };
  const fn = new MlopsFunction(scope, 'Fetch', {
    handlerName: 'ingestion-fetch', description: `Fetches ${props.model}'s data from its ${source.s3 ? 'S3' : 'HTTP'} source`,
    environment: { [INGEST_SOURCE_ENV]: Stack.of(scope).toJsonString(config) },
    // One object or response in memory at a time (at most SOURCE_LIMITS.maxBytes), sequentially.
    timeout: Duration.minutes(15), memorySize: 1024, logRetention: props.logRetention,
  });
  const role = fn.role!;
  grantBucket(role, { bucket: dataLake.artifactsBucket, key: dataLake.encryptionKey, prefix: props.stagingPrefix }, { read: false, write: true });
  if (source.s3) grantSourceBucket(role, source.s3);
  if (source.http?.secret) {
    const secret = source.http.secret;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`] }));
    secret.encryptionKey?.grantDecrypt(role);
  }
  return fn;
}

/** The id the handler asks Secrets Manager for: the complete ARN when known, else the name. */
function secretId(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? secret.secretName;
}

// Explicit statements rather than bucket.grantRead: an imported bucket of another account takes
// no resource policy from us, and grantRead would add s3:GetBucket* and s3:List* wildcards.
function grantSourceBucket(role: iam.IRole, source: S3IngestionSource): void {
  const prefix = source.prefix ?? '';
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:ListBucket'], resources: [source.bucket.bucketArn],
    conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [source.bucket.arnForObjects(`${prefix}*`)] }));
  if (source.encryptionKey) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt'], resources: [source.encryptionKey.keyArn],
      // Only to read S3 objects (in whichever region the source bucket is).
      conditions: { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } },
    }));
  }
}

/**
 * The construct's source from the spec's `data.ingestion.source`: the bucket, key and secret
 * imported by name or ARN (a secret name is matched with Secrets Manager's random suffix).
 */
export function ingestionSourceFromSpec(scope: Construct, spec: IngestionSourceSpec): IngestionSource {
  if (spec.s3) {
    return {
      s3: {
        bucket: s3.Bucket.fromBucketName(scope, 'IngestionSourceBucket', spec.s3.bucket), prefix: spec.s3.prefix,
        ...(spec.s3.kmsKey ? { encryptionKey: kms.Key.fromKeyArn(scope, 'IngestionSourceKey', spec.s3.kmsKey) } : {}),
      },
    };
  }
  const http = spec.http!;
  const secret = http.secret === undefined ? undefined : http.secret.startsWith('arn:')
    ? secretsmanager.Secret.fromSecretCompleteArn(scope, 'IngestionSourceSecret', http.secret)
    : secretsmanager.Secret.fromSecretNameV2(scope, 'IngestionSourceSecret', http.secret);
  return { http: { url: http.url, header: http.header, ...(secret ? { secret } : {}) } };
}
