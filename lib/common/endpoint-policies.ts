// VPC endpoint policies that keep a network's traffic to its own account and buckets. An
// endpoint policy needs a Principal; "*" with a condition on the calling account is the form the
// AWS PrivateLink guide gives for "principals of one account only".
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';

/** Any action of the endpoint's service, by principals of the stack's account only (ECR, CloudWatch Logs). */
export function accountPrincipalsStatement(scope: IConstruct): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AccountPrincipals',
    principals: [new iam.AnyPrincipal()],
    actions: ['*'],
    // Any resource: images may come from repositories of other accounts (e.g. AWS's own).
    resources: ['*'],
    conditions: { StringEquals: { 'aws:PrincipalAccount': Stack.of(scope).account } },
  });
}

/** DynamoDB through the gateway endpoint: the account's tables, by the account's principals. */
export function accountTablesStatement(scope: IConstruct): iam.PolicyStatement {
  const { account, region, partition } = Stack.of(scope);
  return new iam.PolicyStatement({
    sid: 'AccountTables',
    principals: [new iam.AnyPrincipal()],
    actions: ['dynamodb:*'],
    resources: [`arn:${partition}:dynamodb:${region}:${account}:table/*`],
    conditions: { StringEquals: { 'aws:PrincipalAccount': account } },
  });
}

/**
 * The S3 gateway endpoint's statements: the account's principals on the given buckets (else on
 * any bucket of the account), and ECR's layer downloads. Those come from an AWS-owned bucket
 * through URLs that ECR presigns, so that statement names the bucket and no account.
 */
export function s3GatewayStatements(scope: IConstruct, buckets: s3.IBucket[] | undefined): iam.PolicyStatement[] {
  const { account, region, partition } = Stack.of(scope);
  const principals = [new iam.AnyPrincipal()];
  const platform = buckets && buckets.length > 0
    ? new iam.PolicyStatement({
      sid: 'PlatformBuckets', principals, actions: ['s3:*'],
      resources: buckets.flatMap((b) => [b.bucketArn, b.arnForObjects('*')]),
      conditions: { StringEquals: { 'aws:PrincipalAccount': account } },
    })
    : new iam.PolicyStatement({
      sid: 'AccountBuckets', principals, actions: ['s3:*'], resources: ['*'],
      conditions: { StringEquals: { 'aws:PrincipalAccount': account, 'aws:ResourceAccount': account } },
    });
  return [platform, new iam.PolicyStatement({
    sid: 'EcrImageLayers', principals, actions: ['s3:GetObject'],
    resources: [`arn:${partition}:s3:::prod-${region}-starport-layer-bucket/*`],
  })];
}
