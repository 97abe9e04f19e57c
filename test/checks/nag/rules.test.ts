// Every MlopsChecks rule against compliant and non-compliant fixtures (and resources it does not
// apply to). Rules are pure functions of an L1 resource, called here directly.
import { CfnResource, Duration } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import fc from 'fast-check';
import { MlopsChecks } from '../../../lib/checks/nag';
import { MLOPS_NAG_RULES } from '../../../lib/checks/nag/rules';
import { batchJobNonRootUser } from '../../../lib/checks/nag/rules/batch-job-non-root-user';
import { sageMakerInterContainerEncryption } from '../../../lib/checks/nag/rules/sagemaker-inter-container-encryption';
import { fixtureStack, roleAndKey, sageMakerTask, trainingRequest } from './fixtures';

const { COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE } = NagRuleCompliance;
type Build = () => CfnResource;
interface Fixtures {
  readonly compliant: Array<[string, Build]>;
  readonly nonCompliant: Array<[string, Build, NagRuleResult]>;
  readonly notApplicable: Array<[string, Build]>;
}

const training = (overrides: Record<string, unknown>, opts: { withVpc?: boolean } = {}): Build => () => {
  const stack = fixtureStack(opts);
  return sageMakerTask(stack, 'createTrainingJob', trainingRequest(stack, overrides));
};
const model = (props: Partial<sagemaker.CfnModelProps>, opts: { withVpc?: boolean } = {}): Build => () => {
  const stack = fixtureStack(opts);
  return new sagemaker.CfnModel(stack, 'Model', { executionRoleArn: roleAndKey(stack).roleArn, primaryContainer: { image: 'img' }, ...props });
};
const endpointConfig = (props: Partial<sagemaker.CfnEndpointConfigProps>): Build => () => {
  const stack = fixtureStack();
  return new sagemaker.CfnEndpointConfig(stack, 'Config', {
    productionVariants: [{ variantName: 'main', modelName: 'm', instanceType: 'ml.c5.large', initialInstanceCount: 1 }],
    ...props,
  });
};
const capture = (kmsKeyId?: string): sagemaker.CfnEndpointConfig.DataCaptureConfigProperty => ({
  enableCapture: true, initialSamplingPercentage: 10, destinationS3Uri: 's3://b/capture/', kmsKeyId, captureOptions: [{ captureMode: 'Input' }, { captureMode: 'Output' }],
});
const role = (props: Partial<iam.CfnRoleProps>): Build => () => new iam.CfnRole(fixtureStack(), 'Role', {
  assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
  ...props,
});
const policy = (...statements: Array<Record<string, unknown>>): Build => () => new iam.CfnPolicy(fixtureStack(), 'Policy', {
  policyName: 'p', roles: ['r'], policyDocument: { Version: '2012-10-17', Statement: statements.map((s) => ({ Effect: 'Allow', ...s })) },
});
const jobDefinition = (container: Record<string, unknown>): Build => () => new batch.CfnJobDefinition(fixtureStack(), 'JobDefinition', {
  type: 'container',
  containerProperties: { image: 'img', resourceRequirements: [{ type: 'VCPU', value: '1' }, { type: 'MEMORY', value: '2048' }], readonlyRootFilesystem: true, user: '1000', ...container },
});
const table = (props: Partial<dynamodb.CfnTableProps>): Build => () => new dynamodb.CfnTable(fixtureStack(), 'Table', {
  keySchema: [{ attributeName: 'pk', keyType: 'HASH' }], attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }], billingMode: 'PAY_PER_REQUEST', ...props,
});
const ttl = { attributeName: 'expiresAt', enabled: true };
const pitr = { pointInTimeRecoveryEnabled: true };
const bucket = (props: s3.BucketProps): Build => () => new s3.Bucket(fixtureStack(), 'Bucket', props).node.defaultChild as CfnResource;

const FIXTURES: Record<string, Fixtures> = {
  SageMakerInVpc: {
    compliant: [['a training task with VpcConfig', training({}, { withVpc: true })], ['a model with VpcConfig', model({ vpcConfig: { securityGroupIds: ['sg-1'], subnets: ['subnet-1'] } }, { withVpc: true })]],
    nonCompliant: [
      ['a training task without VpcConfig in an app with a VPC', training({ VpcConfig: undefined }, { withVpc: true }), ['Train']],
      ['a model without VpcConfig in an app with a VPC', model({}, { withVpc: true }), NON_COMPLIANT],
    ],
    notApplicable: [['a training task without VpcConfig in an app without a VPC', training({ VpcConfig: undefined })], ['a bucket', bucket({})]],
  },
  SageMakerNetworkIsolation: {
    compliant: [['a training task with isolation', training({})], ['isolation decided at run time (JSONPath)', training({ 'EnableNetworkIsolation': undefined, 'EnableNetworkIsolation.$': '$.isolated' })], ['an isolated model', model({ enableNetworkIsolation: true })]],
    nonCompliant: [
      ['a training task without isolation', training({ EnableNetworkIsolation: undefined }), ['Train']],
      ['a training task with isolation off', training({ EnableNetworkIsolation: false }), ['Train']],
      ['a model without isolation', model({}), NON_COMPLIANT],
      ['a processing task without isolation', () => { const s = fixtureStack(); return sageMakerTask(s, 'createProcessingJob', { ProcessingResources: { ClusterConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10, VolumeKmsKeyId: roleAndKey(s).keyArn } } }, 'Score'); }, ['Score']],
    ],
    notApplicable: [['an endpoint config', endpointConfig({})], ['a transform task (its model carries isolation)', () => sageMakerTask(fixtureStack(), 'createTransformJob', { ModelName: 'm' })]],
  },
  SageMakerVolumeKms: {
    compliant: [
      ['a training task with VolumeKmsKeyId', training({})],
      ['an endpoint config with KmsKeyId', () => { const s = fixtureStack(); return new sagemaker.CfnEndpointConfig(s, 'C', { kmsKeyId: roleAndKey(s).keyArn, productionVariants: [{ variantName: 'v', modelName: 'm', instanceType: 'ml.c5.large', initialInstanceCount: 1 }] }); }],
    ],
    nonCompliant: [
      ['a training task without VolumeKmsKeyId', training({ ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 } }), ['Train']],
      ['an endpoint config without KmsKeyId', endpointConfig({}), NON_COMPLIANT],
      ['a transform task without VolumeKmsKeyId', () => sageMakerTask(fixtureStack(), 'createTransformJob', { TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 }, TransformOutput: { S3OutputPath: 's3://b/o/', KmsKeyId: 'k' } }, 'Score'), ['Score']],
    ],
    notApplicable: [
      ['an instance type with local NVMe storage, which rejects a key', training({ ResourceConfig: { InstanceType: 'ml.g5.xlarge', InstanceCount: 1, VolumeSizeInGB: 10 } })],
      ['a model', model({})], ['a serverless endpoint config', endpointConfig({ productionVariants: [{ variantName: 'v', modelName: 'm', serverlessConfig: { maxConcurrency: 1, memorySizeInMb: 2048 } }] })]],
  },
  SageMakerOutputKms: {
    compliant: [['a training task with an output key', training({})], ['an endpoint config capturing with a key', endpointConfig({ dataCaptureConfig: capture('key') })]],
    nonCompliant: [
      ['a training task without an output key', training({ OutputDataConfig: { 'S3OutputPath.$': '$.outputUri' } }), ['Train']],
      ['an endpoint config capturing without a key', endpointConfig({ dataCaptureConfig: capture() }), NON_COMPLIANT],
    ],
    notApplicable: [['an endpoint config that writes nothing to S3', endpointConfig({})], ['a model', model({})]],
  },
  SageMakerInterContainerEncryption: {
    compliant: [['two instances with encryption', training({ ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 2, VolumeKmsKeyId: 'k' }, EnableInterContainerTrafficEncryption: true })]],
    nonCompliant: [
      ['two instances without encryption', training({ ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 2, VolumeKmsKeyId: 'k' } }), ['Train']],
      ['an instance count known only at run time, without encryption', training({ ResourceConfig: { 'InstanceType': 'ml.m5.large', 'InstanceCount.$': '$.instances', 'VolumeKmsKeyId': 'k' } }), ['Train']],
    ],
    notApplicable: [['one instance', training({})], ['a model', model({})]],
  },
  SageMakerEndpointDataCapture: {
    compliant: [['capture on', endpointConfig({ dataCaptureConfig: capture('key') })]],
    nonCompliant: [
      ['no DataCaptureConfig', endpointConfig({}), NON_COMPLIANT],
      ['capture switched off', endpointConfig({ dataCaptureConfig: { ...capture('key'), enableCapture: false } }), NON_COMPLIANT],
      ['an endpoint config task without capture', () => sageMakerTask(fixtureStack(), 'createEndpointConfig', { 'EndpointConfigName.$': '$.name', 'ProductionVariants': [{ VariantName: 'v', ModelName: 'm', InstanceType: 'ml.c5.large', InitialInstanceCount: 1 }], 'KmsKeyId': 'k' }, 'Config'), ['Config']],
    ],
    notApplicable: [['a training task', training({})], ['a model', model({})]],
  },
  IamNoManagedFullAccess: {
    compliant: [['a role with a narrow AWS-managed policy', () => new iam.Role(fixtureStack(), 'R', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')] }).node.defaultChild as CfnResource]],
    nonCompliant: [
      ['AmazonSageMakerFullAccess', () => new iam.Role(fixtureStack(), 'R', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'), managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSageMakerFullAccess')] }).node.defaultChild as CfnResource, ['AmazonSageMakerFullAccess']],
      ['AdministratorAccess and AmazonS3FullAccess as literal ARNs', role({ managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::aws:policy/AmazonS3FullAccess'] }), ['AdministratorAccess', 'AmazonS3FullAccess']],
    ],
    notApplicable: [['a role without managed policies', role({})], ['a bucket', bucket({})]],
  },
  IamNoDataActionOnAnyResource: {
    compliant: [
      ['object actions on one bucket', policy({ Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::datasets/*' })],
      ['actions that only exist on "*"', policy({ Action: ['ecr:GetAuthorizationToken', 's3:ListAllMyBuckets', 'cloudwatch:PutMetricData'], Resource: '*' })],
      ['a Deny on "*"', () => new iam.CfnPolicy(fixtureStack(), 'P', { policyName: 'p', roles: ['r'], policyDocument: { Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] } })],
      ['pulls from the repositories of one account', policy({ Action: ['ecr:BatchGetImage'], Resource: 'arn:aws:ecr:eu-west-1:111111111111:repository/*' })],
    ],
    nonCompliant: [
      ['s3:GetObject* on "*"', policy({ Action: ['s3:GetObject*', 's3:GetBucketLocation'], Resource: '*' }), ['s3:GetObject*']],
      ['kms:Decrypt on every key of every account', policy({ Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:*:key/*' }), ['kms:Decrypt']],
      ['image pulls on "*" in a role\'s inline policy', role({ policies: [{ policyName: 'pull', policyDocument: { Statement: [{ Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: '*' }] } }] }), ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']],
      ['s3:* on every bucket', policy({ Action: 's3:*', Resource: ['arn:aws:s3:::*', 'arn:aws:s3:::*/*'] }), ['s3:*']],
      ['NotAction on "*"', policy({ NotAction: 'iam:*', Resource: '*' }), ['NotAction']],
    ],
    notApplicable: [['a key (its policy\'s "*" is the key itself)', () => new kms.Key(fixtureStack(), 'K').node.defaultChild as CfnResource], ['a role without inline policies', role({})]],
  },
  BatchJobUnprivileged: {
    compliant: [['not privileged', jobDefinition({})], ['privileged false', jobDefinition({ privileged: false })]],
    nonCompliant: [['privileged', jobDefinition({ privileged: true }), NON_COMPLIANT]],
    notApplicable: [['a bucket', bucket({})]],
  },
  BatchJobReadOnlyRootFilesystem: {
    compliant: [['read-only root filesystem', jobDefinition({})]],
    nonCompliant: [['writable root filesystem', jobDefinition({ readonlyRootFilesystem: undefined }), NON_COMPLIANT], ['explicitly writable', jobDefinition({ readonlyRootFilesystem: false }), NON_COMPLIANT]],
    notApplicable: [['a table', table({})]],
  },
  BatchJobNonRootUser: {
    compliant: [['uid 1000', jobDefinition({})], ['a named user with a group', jobDefinition({ user: 'trainer:trainer' })]],
    nonCompliant: [
      ['no user (the image default, usually root)', jobDefinition({ user: undefined }), NON_COMPLIANT],
      ['root', jobDefinition({ user: 'root' }), NON_COMPLIANT],
      ['uid 0 with a group', jobDefinition({ user: '0:1000' }), NON_COMPLIANT],
    ],
    notApplicable: [['a bucket', bucket({})]],
  },
  PredictionsTableTtl: {
    compliant: [['TTL on', table({ timeToLiveSpecification: ttl, pointInTimeRecoverySpecification: pitr })]],
    nonCompliant: [
      ['a TTL attribute with TTL off', table({ timeToLiveSpecification: { attributeName: 'expiresAt', enabled: false } }), NON_COMPLIANT],
      ['tagged as predictions, no TTL', table({ tags: [{ key: MlopsChecks.PREDICTIONS_TABLE_TAG_KEY, value: MlopsChecks.PREDICTIONS_TABLE_TAG_VALUE }] }), NON_COMPLIANT],
      ['named predictions, no TTL', table({ tableName: 'churn-predictions' }), NON_COMPLIANT],
    ],
    notApplicable: [['a registry table (no TTL attribute, tag or name)', table({ tableName: 'registry' })]],
  },
  PredictionsTablePitr: {
    compliant: [
      ['TTL and PITR', table({ timeToLiveSpecification: ttl, pointInTimeRecoverySpecification: pitr })],
      ['a TableV2 (global table) with PITR', () => new dynamodb.TableV2(fixtureStack(), 'T', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, timeToLiveAttribute: 'expiresAt', pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true } }).node.defaultChild as CfnResource],
    ],
    nonCompliant: [
      ['TTL without PITR', table({ timeToLiveSpecification: ttl }), NON_COMPLIANT],
      ['a TableV2 (global table) with TTL, without PITR', () => new dynamodb.TableV2(fixtureStack(), 'T', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, timeToLiveAttribute: 'expiresAt' }).node.defaultChild as CfnResource, NON_COMPLIANT],
    ],
    notApplicable: [['a table without TTL, tag or predictions name', table({})]],
  },
  S3BucketLifecycle: {
    compliant: [['an expiration rule', bucket({ lifecycleRules: [{ expiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(7) }] })]],
    nonCompliant: [['no rules', bucket({}), NON_COMPLIANT], ['only a disabled rule', bucket({ lifecycleRules: [{ enabled: false, expiration: Duration.days(30) }] }), NON_COMPLIANT]],
    notApplicable: [['a table', table({})]],
  },
};

test('every rule has compliant, non-compliant and not-applicable fixtures, an info and an explanation', () => {
  expect(Object.keys(FIXTURES).sort()).toEqual(MLOPS_NAG_RULES.map((r) => r.id).sort());
  for (const rule of MLOPS_NAG_RULES) {
    const f = FIXTURES[rule.id];
    expect([rule.id, f.compliant.length > 0, f.nonCompliant.length > 0, f.notApplicable.length > 0]).toEqual([rule.id, true, true, true]);
    expect([rule.id, rule.info]).toEqual([rule.id, expect.stringMatching(/^[A-Z].{20,}\.$/)]);
    expect([rule.id, rule.explanation]).toEqual([rule.id, expect.stringMatching(/^[A-Z].{80,}\.$/s)]);
  }
});

describe.each(MLOPS_NAG_RULES.map((r) => [r.id, r] as const))('%s', (id, rule) => {
  test.each(FIXTURES[id].compliant)('compliant: %s', (_, build) => expect(rule.check(build())).toBe(COMPLIANT));
  test.each(FIXTURES[id].nonCompliant)('non-compliant: %s', (_, build, expected) => expect(rule.check(build())).toEqual(expected));
  test.each(FIXTURES[id].notApplicable)('not applicable: %s', (_, build) => expect(rule.check(build())).toBe(NOT_APPLICABLE));
});

test('a Batch User passes exactly when its user part is not uid 0 (any uid and group a team chooses)', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 65534 }), fc.option(fc.integer({ min: 0, max: 65534 })), (uid, gid) => {
    const user = gid === null ? `${uid}` : `${uid}:${gid}`;
    expect(batchJobNonRootUser.check(jobDefinition({ user })())).toBe(uid === 0 ? NON_COMPLIANT : COMPLIANT);
  }), { numRuns: 40 });
});

test('inter-container encryption is required from two instances on, whatever the count', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 100 }), fc.boolean(), (count, encrypted) => {
    const result = sageMakerInterContainerEncryption.check(training({
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: count, VolumeKmsKeyId: 'k' }, EnableInterContainerTrafficEncryption: encrypted,
    })());
    expect(result).toEqual(count === 1 ? NOT_APPLICABLE : encrypted ? COMPLIANT : ['Train']);
  }), { numRuns: 40 });
});
