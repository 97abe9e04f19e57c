import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

// Explicit actions rather than the `s3:GetObject*` / `s3:List*` wildcards of `bucket.grantRead`:
// grantees get exactly what reading or writing data needs, and their stacks get no action-wildcard
// IAM5 findings from cdk-nag. No delete: buckets are versioned systems of record and lifecycle rules expire
// what may go.
const LIST_ACTIONS = ['s3:ListBucket'];
const OBJECT_READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'];
const OBJECT_WRITE_ACTIONS = ['s3:PutObject', 's3:PutObjectTagging', 's3:AbortMultipartUpload'];
// SSE-KMS: reading needs Decrypt; writing needs GenerateDataKey, and Decrypt for multipart
// uploads. Encrypt completes the write intent; the kms:ViaService condition keeps all of them to S3.
const KEY_READ_ACTIONS = ['kms:Decrypt'];
const KEY_WRITE_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'];

/** What a grant gives access to: a bucket, the key that encrypts it, an optional key prefix. */
export interface BucketAccess {
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
  readonly prefix?: string;
}

/** What a grant allows on objects: reading (list and get), writing (put and tag), or both. */
export interface BucketIntent {
  readonly read: boolean;
  readonly write: boolean;
}

/**
 * Grants `intent` on the bucket (scoped to the prefix when given) and the matching actions on
 * the key: Decrypt to read; Encrypt, Decrypt and GenerateDataKey to write.
 */
export function grantBucket(grantee: iam.IGrantable, access: BucketAccess, intent: BucketIntent): iam.Grant {
  const grants: iam.Grant[] = [];
  if (intent.read) grants.push(grantList(grantee, access), grantObjects(grantee, access, OBJECT_READ_ACTIONS));
  if (intent.write) grants.push(grantObjects(grantee, access, OBJECT_WRITE_ACTIONS));
  grants.push(grantKey(grantee, access, intent.write ? KEY_WRITE_ACTIONS : KEY_READ_ACTIONS));
  return grants.reduce((all, g) => all.combine(g));
}

function grantList(grantee: iam.IGrantable, { bucket, prefix }: BucketAccess): iam.Grant {
  return iam.Grant.addToPrincipalOrResource({
    grantee,
    actions: LIST_ACTIONS,
    resourceArns: [bucket.bucketArn],
    resource: bucket,
    // ListBucket is a bucket-level action; the s3:prefix condition is what scopes it.
    conditions: prefix === undefined ? undefined : { StringLike: { 's3:prefix': [`${prefix}*`] } },
  });
}

function grantObjects(grantee: iam.IGrantable, { bucket, prefix }: BucketAccess, actions: string[]): iam.Grant {
  return iam.Grant.addToPrincipalOrResource({
    grantee,
    actions,
    resourceArns: [bucket.arnForObjects(`${prefix ?? ''}*`)],
    resource: bucket,
  });
}

// The key may only be used through S3 in the bucket's region: a role allowed to read the data
// lake cannot call kms:Decrypt on other ciphertexts encrypted with the same key.
function grantKey(grantee: iam.IGrantable, { bucket, key }: BucketAccess, actions: string[]): iam.Grant {
  return iam.Grant.addToPrincipalOrResource({
    grantee,
    actions,
    resourceArns: [key.keyArn],
    resourceSelfArns: ['*'],
    resource: key,
    conditions: { StringEquals: { 'kms:ViaService': `s3.${bucket.env.region}.amazonaws.com` } },
  });
}
