import * as iam from 'aws-cdk-lib/aws-iam';
import { ARTIFACT_PREFIXES } from '../data-lake/data-lake-layout';
import { IDataLake } from '../data-lake/data-lake-base';

/**
 * Lets the failure handler mark a failed run's outputs for expiry: list the model's run prefixes
 * and read/replace object tags under them (the tag set is read first so other tags are kept).
 * Narrower than `grantWriteArtifacts`: no object read or write, and no key use (object tags are
 * not encrypted with the bucket key).
 */
export function grantTagRunOutputs(grantee: iam.IGrantable, dataLake: IDataLake, modelName: string): iam.Grant {
  const bucket = dataLake.artifactsBucket;
  const prefixes = [ARTIFACT_PREFIXES.runs, ARTIFACT_PREFIXES.experiments].map((p) => `${p}${modelName}/`);
  const list = iam.Grant.addToPrincipalOrResource({
    grantee,
    actions: ['s3:ListBucket'],
    resourceArns: [bucket.bucketArn],
    resource: bucket,
    // ListBucket is a bucket-level action; the s3:prefix condition is what scopes it.
    conditions: { StringLike: { 's3:prefix': prefixes.map((p) => `${p}*`) } },
  });
  const tag = iam.Grant.addToPrincipalOrResource({
    grantee,
    actions: ['s3:GetObjectTagging', 's3:PutObjectTagging'],
    resourceArns: prefixes.map((p) => bucket.arnForObjects(`${p}*`)),
    resource: bucket,
  });
  return list.combine(tag);
}
