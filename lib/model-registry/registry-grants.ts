import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';

// Registry records are never deleted by the platform, so no grant includes DeleteItem,
// BatchWriteItem or Scan: the audit trail cannot be erased through these grants.
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'];
// Transactions are authorised per item action (Put/Update/ConditionCheck), not by a transact action.
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'];

export type RegistryAccess = 'read' | 'write';

/** Grants table (and index) actions plus the key, the way every registry grant is built. */
export function grantRegistry(grantee: iam.IGrantable, tableArn: string, key: kms.IKey | undefined, access: RegistryAccess): iam.Grant {
  const actions = access === 'read' ? READ_ACTIONS : [...READ_ACTIONS, ...WRITE_ACTIONS];
  const grant = iam.Grant.addToPrincipal({
    grantee,
    actions,
    resourceArns: [tableArn, `${tableArn}/index/*`],
  });
  if (key) {
    if (access === 'read') key.grantDecrypt(grantee);
    else key.grantEncryptDecrypt(grantee);
  }
  return grant;
}
