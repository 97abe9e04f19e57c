// Issue 13 §2 (hardening): VPC endpoint policies keep the network to the platform's buckets and
// the account, without breaking ECR pulls (image layers come from an AWS-owned bucket).
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import fc from 'fast-check';
import { ModelRegistry } from '../../lib/model-registry';
import { MlopsPlatform } from '../../lib/platform/mlops-platform';
import { PlatformNetwork } from '../../lib/platform/platform-network';
import { PredictionService } from '../../lib/prediction-service';
import { PredictionStore } from '../../lib/prediction-store';
import { testApp } from '../support/cdk';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const BUCKETS = ['platform-datasets', 'platform-artifacts', 'platform-predictions'];
const LAYERS = `arn:aws:s3:::prod-${REGION}-starport-layer-bucket`;

interface Statement { Effect: string; Action: string | string[]; Resource: string | string[]; Condition?: { StringEquals?: Record<string, string> } }
interface Request { action: string; resource: string; principalAccount: string; resourceAccount: string }

// IAM's allow evaluation for what these policies use: wildcards in Action and Resource, StringEquals.
const glob = (pattern: string, value: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`).test(value);
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
function allows(statements: Statement[], r: Request): boolean {
  const keys: Record<string, string> = { 'aws:PrincipalAccount': r.principalAccount, 'aws:ResourceAccount': r.resourceAccount };
  return statements.some((s) => s.Effect === 'Allow'
    && list(s.Action).some((a) => glob(a, r.action))
    && list(s.Resource).some((res) => glob(res, r.resource))
    && Object.entries(s.Condition?.StringEquals ?? {}).every(([k, v]) => keys[k] === v));
}

function envStack(): Stack {
  return new Stack(testApp(), 'Net', { env: { account: ACCOUNT, region: REGION } });
}
// The pseudo parameters an env-specific stack still leaves as references, resolved.
function resolve(node: any): any {
  if (Array.isArray(node)) return node.map(resolve);
  if (!node || typeof node !== 'object') return node;
  if (node['Fn::Join']) return (node['Fn::Join'][1] as unknown[]).map(resolve).join(node['Fn::Join'][0]);
  if (node.Ref) return ({ 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT } as Record<string, string>)[node.Ref] ?? `<${node.Ref}>`;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v)]));
}
function endpointPolicies(t: Template): Record<string, Statement[] | undefined> {
  const out: Record<string, Statement[] | undefined> = {};
  for (const e of Object.values(t.findResources('AWS::EC2::VPCEndpoint'))) {
    const name = (resolve(e.Properties.ServiceName) as string).replace(`com.amazonaws.${REGION}.`, '');
    out[name] = resolve(e.Properties.PolicyDocument)?.Statement;
  }
  return out;
}
function platformNetwork(): Record<string, Statement[] | undefined> {
  const stack = envStack();
  new PlatformNetwork(stack, 'Network', { buckets: BUCKETS.map((b) => s3.Bucket.fromBucketName(stack, b, b)) });
  return endpointPolicies(Template.fromStack(stack));
}

describe('platform network endpoint policies', () => {
  const policies = platformNetwork();
  const s3 = policies.s3!;

  test('every endpoint that takes a policy has one; the ECS endpoints (no policy support) have none', () => {
    expect(Object.keys(policies).sort()).toEqual(['dynamodb', 'ecr.api', 'ecr.dkr', 'ecs', 'ecs-agent', 'ecs-telemetry', 'logs', 's3']);
    for (const name of ['dynamodb', 'ecr.api', 'ecr.dkr', 'logs', 's3']) expect(policies[name]).toBeDefined();
    for (const name of ['ecs', 'ecs-agent', 'ecs-telemetry']) expect(policies[name]).toBeUndefined();
  });

  test('S3: the account reaches the platform buckets and nothing else; anyone may download ECR image layers', () => {
    const key = fc.stringMatching(/^[a-z0-9/._-]{1,40}$/);
    const account = fc.stringMatching(/^[0-9]{12}$/);
    const action = fc.constantFrom('s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:DeleteObject');
    fc.assert(fc.property(fc.constantFrom(...BUCKETS), key, action, (bucket, k, a) =>
      allows(s3, { action: a, resource: `arn:aws:s3:::${bucket}/${k}`, principalAccount: ACCOUNT, resourceAccount: ACCOUNT })));
    fc.assert(fc.property(fc.constantFrom(...BUCKETS), key, account.filter((x) => x !== ACCOUNT), (bucket, k, other) =>
      !allows(s3, { action: 's3:GetObject', resource: `arn:aws:s3:::${bucket}/${k}`, principalAccount: other, resourceAccount: ACCOUNT })));
    fc.assert(fc.property(fc.stringMatching(/^[a-z0-9-]{3,30}$/).filter((b) => !BUCKETS.includes(b)), key, action, (bucket, k, a) =>
      !allows(s3, { action: a, resource: `arn:aws:s3:::${bucket}/${k}`, principalAccount: ACCOUNT, resourceAccount: ACCOUNT })));
    // ECR presigns layer URLs with its own (AWS-owned) credentials.
    fc.assert(fc.property(key, account, (k, owner) =>
      allows(s3, { action: 's3:GetObject', resource: `${LAYERS}/${k}`, principalAccount: owner, resourceAccount: owner })));
    expect(allows(s3, { action: 's3:PutObject', resource: `${LAYERS}/x`, principalAccount: ACCOUNT, resourceAccount: ACCOUNT })).toBe(false);
  });

  test('DynamoDB: the account\'s tables in the region, by the account\'s principals', () => {
    const table = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/mlops-registry`;
    expect(allows(policies.dynamodb!, { action: 'dynamodb:GetItem', resource: table, principalAccount: ACCOUNT, resourceAccount: ACCOUNT })).toBe(true);
    expect(allows(policies.dynamodb!, { action: 'dynamodb:GetItem', resource: `arn:aws:dynamodb:${REGION}:999999999999:table/other`, principalAccount: ACCOUNT, resourceAccount: '999999999999' })).toBe(false);
    expect(allows(policies.dynamodb!, { action: 'dynamodb:GetItem', resource: table, principalAccount: '999999999999', resourceAccount: ACCOUNT })).toBe(false);
  });

  test('ECR and Logs: the account\'s principals only, images from any account\'s repository', () => {
    for (const name of ['ecr.api', 'ecr.dkr', 'logs']) {
      const p = policies[name]!;
      expect(allows(p, { action: 'ecr:BatchGetImage', resource: 'arn:aws:ecr:eu-west-1:763104351884:repository/pytorch-training', principalAccount: ACCOUNT, resourceAccount: '763104351884' })).toBe(true);
      expect(allows(p, { action: 'logs:PutLogEvents', resource: '*', principalAccount: '999999999999', resourceAccount: '999999999999' })).toBe(false);
    }
  });

  test('without buckets, S3 is held to the account\'s buckets (and ECR layers)', () => {
    const stack = envStack();
    new PlatformNetwork(stack, 'Network', { batchEndpoints: false });
    const p = endpointPolicies(Template.fromStack(stack)).s3!;
    expect(allows(p, { action: 's3:GetObject', resource: 'arn:aws:s3:::anything/x', principalAccount: ACCOUNT, resourceAccount: ACCOUNT })).toBe(true);
    expect(allows(p, { action: 's3:GetObject', resource: 'arn:aws:s3:::public-data/x', principalAccount: ACCOUNT, resourceAccount: '999999999999' })).toBe(false);
    expect(allows(p, { action: 's3:GetObject', resource: `${LAYERS}/x`, principalAccount: '999999999999', resourceAccount: '999999999999' })).toBe(true);
  });
});

describe('a standalone prediction service VPC', () => {
  test('has the same account-only endpoint policies', () => {
    const stack = envStack();
    new PredictionService(stack, 'Service', { registry: new ModelRegistry(stack, 'Registry'), predictionStore: new PredictionStore(stack, 'Predictions'), models: [{ model: 'demand-forecast' }] });
    const policies = endpointPolicies(Template.fromStack(stack));
    expect(Object.keys(policies).sort()).toEqual(['dynamodb', 'ecr.api', 'ecr.dkr', 'logs', 's3']);
    expect(Object.values(policies).every((p) => p !== undefined)).toBe(true);
    expect(allows(policies.s3!, { action: 's3:GetObject', resource: `${LAYERS}/x`, principalAccount: '999999999999', resourceAccount: '999999999999' })).toBe(true);
    expect(allows(policies['ecr.dkr']!, { action: 'ecr:BatchGetImage', resource: '*', principalAccount: '999999999999', resourceAccount: ACCOUNT })).toBe(false);
  });
});

describe('MlopsPlatform', () => {
  test('holds its network\'s S3 endpoint to the data lake\'s three buckets', () => {
    const stack = envStack();
    const platform = new MlopsPlatform(stack, 'Platform');
    const t = Template.fromStack(stack);
    const arn = (b: s3.IBucket) => ({ 'Fn::GetAtt': [stack.getLogicalId(b.node.defaultChild as CfnElement), 'Arn'] });
    const lake = platform.dataLake;
    const s3Policy = Object.values(t.findResources('AWS::EC2::VPCEndpoint')).map((e) => e.Properties.PolicyDocument?.Statement as Array<{ Sid: string; Resource: unknown[] }> | undefined)
      .find((st) => st?.some((x) => x.Sid === 'PlatformBuckets'))!;
    const resources = JSON.stringify(s3Policy.find((x) => x.Sid === 'PlatformBuckets')!.Resource);
    for (const b of [lake.datasetsBucket, lake.artifactsBucket, lake.predictionsBucket]) expect(resources).toContain(JSON.stringify(arn(b)));
  });
});
