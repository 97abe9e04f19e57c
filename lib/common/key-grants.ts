// Every customer key the library creates refuses grants that are not for an AWS resource
// (AWS Control Tower CT.KMS.PR.3). A grant lets its grantee use the key outside the key policy
// and IAM, and nothing in the platform hands out grants itself: SageMaker, EC2 (EBS volumes),
// Lambda and DynamoDB take their grants as services acting for a resource, which this statement
// lets through.
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';

/** Adds the statement denying `kms:CreateGrant` unless the grant is for an AWS resource or the caller is an AWS service. */
export function limitGrantsToAwsServices(key: kms.Key): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'GrantsOnlyForAwsResources',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
}
