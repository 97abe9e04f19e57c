import { NagRuleCompliance } from 'cdk-nag';
import { MlopsNagRule } from '../mlops-nag-rule';
import { identityStatements } from '../support/policy-statements';

/**
 * The data actions of S3 (objects and their listing), ECR (image layers) and KMS (cryptographic
 * use of a key). Actions without resource-level permissions (s3:ListAllMyBuckets,
 * ecr:GetAuthorizationToken) are not among them: they can only be granted on `*`.
 */
const DATA_ACTIONS = [
  's3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:ListBucket', 's3:ListBucketVersions',
  's3:ListMultipartUploadParts', 's3:AbortMultipartUpload', 's3:RestoreObject', 's3:ReplicateObject',
  'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability', 'ecr:PutImage', 'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:BatchDeleteImage',
  'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:CreateGrant', 'kms:Sign', 'kms:Verify', 'kms:GenerateMac', 'kms:VerifyMac',
];

/** Whether a policy action (with IAM wildcards) covers one of the data actions. */
function coversDataAction(action: string): boolean {
  const pattern = new RegExp(`^${action.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return DATA_ACTIONS.some((a) => pattern.test(a));
}

/**
 * `*`, or an S3, ECR or KMS ARN that names no account and only wildcards for the resource
 * (`arn:aws:s3:::*`, `arn:aws:kms:*:*:key/*`): every bucket, repository or key there is.
 */
function anyResource(resource: string): boolean {
  if (resource === '*') return true;
  const arn = /^arn:[^:]*:(s3|ecr|kms):[^:]*:([^:]*):(.*)$/.exec(resource);
  return arn !== null && (arn[2] === '' || arn[2] === '*') && /^(?:key\/|alias\/|repository\/)?[*/]+$/.test(arn[3]);
}

/** No identity policy allows an S3, ECR or KMS data action on every resource. */
export const iamNoDataActionOnAnyResource: MlopsNagRule = {
  id: 'IamNoDataActionOnAnyResource',
  info: 'An IAM policy allows an S3, ECR or KMS data action on every resource ("*").',
  explanation: 'Reading and writing objects, pulling or pushing images and using keys on "*" reaches every bucket, repository and key the account can, '
    + 'other teams\' and other accounts\' included; the standard packs report it only as a generic wildcard that is routinely acknowledged. '
    + 'Name the buckets (and prefixes), repositories and keys. Findings name the action: Mlops-IamNoDataActionOnAnyResource[<action>].',
  check: (node) => {
    const statements = identityStatements(node);
    if (statements.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
    const actions = statements
      .filter((s) => s.effect === 'Allow' && s.resources.some(anyResource))
      .flatMap((s) => (s.notAction ? ['NotAction'] : s.actions.filter(coversDataAction)));
    return actions.length > 0 ? [...new Set(actions)] : NagRuleCompliance.COMPLIANT;
  },
};
