// The platform as top-level stacks (issue 10 §1, §2): one platform stack, one stack per model,
// shared resources imported through SSM parameters (never exports), one network for all models.
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { modelCopies } from '../../bench/synth/model-copies';
import { DataLake } from '../../lib/data-lake/data-lake';
import { ModelRegistry } from '../../lib/model-registry/model-registry';
import { MlopsModelStack } from '../../lib/platform/mlops-model-stack';
import { MlopsPlatform } from '../../lib/platform/mlops-platform';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { NetworkProvisioning } from '../../lib/platform/platform-network';
import { nagFindings, testApp } from '../support/cdk';

const ENV = { account: '123456789012', region: 'eu-west-1' };

/** Every template of the app, by stack name, as the JSON CloudFormation receives. */
function templates(app: App): Record<string, string> {
  return Object.fromEntries(app.synth().stacks.map((s) => [s.stackName, JSON.stringify(s.template)]));
}

function countOf(template: string, type: string): number {
  return Object.values<any>(JSON.parse(template).Resources).filter((r) => r.Type === type).length;
}

describe('MlopsPlatformStacks', () => {
  test.each([
    ['env-agnostic', undefined],
    ['env-specific', ENV],
  ])('%s: every stack kind is nag-clean (AwsSolutions, 0 unacknowledged findings)', (_kind, env) => {
    // Copies 0-3: batch only, HTTP API, ALB + Fargate, Batch GPU training with ALB + Fargate.
    expect(nagFindings((app) => { new MlopsPlatformStacks(app, { models: modelCopies(4), stackProps: { env } }); })).toEqual([]);
  });

  // 6 models (every shape, some twice) share one VPC and one set of endpoints, all in the platform stack.
  const app = testApp();
  const stacks = new MlopsPlatformStacks(app, { models: modelCopies(6) });
  const all = templates(app);

  test('one platform stack and one stack per model, deployed after the platform stack', () => {
    expect(Object.keys(all).sort()).toEqual(['MlopsPlatformStack', ...modelCopies(6).map((s) => `MlopsPlatformStack-${s.name}`)].sort());
    for (const s of stacks.modelStacks) expect(s.dependencies).toEqual([stacks.platformStack]);
  });

  test('6 models: exactly one VPC and one set of endpoints, used by every Batch compute and service', () => {
    const total = (type: string) => Object.values(all).reduce((n, t) => n + countOf(t, type), 0);
    expect(total('AWS::EC2::VPC')).toBe(1);
    expect(countOf(all.MlopsPlatformStack, 'AWS::EC2::VPC')).toBe(1);
    // S3 and DynamoDB gateways + ECS, ECS agent, ECS telemetry, ECR API, ECR Docker, Logs.
    expect(total('AWS::EC2::VPCEndpoint')).toBe(8);
    expect(countOf(all.MlopsPlatformStack, 'AWS::EC2::VPCEndpoint')).toBe(8);
    const networked = stacks.modelStacks.filter((s) => s.deployment.predictionService || s.deployment.spec.training.backend === 'batch');
    expect(networked.map((s) => s.deployment.spec.name)).toEqual(['model-02', 'model-03']);
    for (const s of networked) {
      const parameters = Template.fromStack(s).toJSON().Parameters as Record<string, { Default?: string }>;
      expect(Object.values(parameters).map((p) => p.Default)).toContain('/cdk-mlops/default/platform/isolated-subnet-0');
    }
  });

  test('the network exists before any model: 2 isolated + 2 public subnets (no public IP on launch), 2 gateways + 6 interface endpoints', () => {
    const empty = testApp();
    new MlopsPlatformStacks(empty, {});
    const platform = Template.fromJSON(JSON.parse(templates(empty).MlopsPlatformStack));
    platform.resourceCountIs('AWS::EC2::VPC', 1);
    platform.resourceCountIs('AWS::EC2::VPCEndpoint', 8);
    platform.resourceCountIs('AWS::EC2::Subnet', 4);
    platform.resourceCountIs('AWS::EC2::NatGateway', 0);
    platform.resourcePropertiesCountIs('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false }, 4);
    // The isolated subnets keep the CIDRs they had before public subnets existed (no replacement).
    platform.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '10.0.0.0/20', Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-type', Value: 'Isolated' }]) });
    platform.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '10.0.16.0/20', Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-type', Value: 'Isolated' }]) });
  });

  test('network ON_DEMAND (the cost opt-out): no network without a networked model; the first one, then the first Batch model, change the platform stack once', () => {
    const platformOf = (models: number[]) => {
      const a = testApp();
      new MlopsPlatformStacks(a, { models: modelCopies(4).filter((_, i) => models.includes(i)), network: NetworkProvisioning.ON_DEMAND });
      return templates(a).MlopsPlatformStack;
    };
    const none = platformOf([0, 1]);
    const served = platformOf([0, 1, 2]);
    const batch = platformOf([0, 1, 2, 3]);
    expect(countOf(none, 'AWS::EC2::VPC')).toBe(0);
    expect(countOf(served, 'AWS::EC2::VPCEndpoint')).toBe(5);
    expect(countOf(batch, 'AWS::EC2::VPCEndpoint')).toBe(8);
    expect(new Set([none, served, batch]).size).toBe(3);
  });

  test('a GIVEN vpc is published in SSM parameters, and model stacks import it (no network created)', () => {
    const given = testApp();
    const vpc = ec2.Vpc.fromVpcAttributes(new Stack(given, 'Team', { env: ENV }), 'TeamVpc', {
      vpcId: 'vpc-0team', vpcCidrBlock: '10.9.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      isolatedSubnetIds: ['subnet-0iso0', 'subnet-0iso1'], isolatedSubnetRouteTableIds: ['rtb-0', 'rtb-1'],
    });
    const withVpc = new MlopsPlatformStacks(given, { models: modelCopies(4), vpc, stackProps: { env: ENV } });
    const t = templates(given);
    const platform = Template.fromJSON(JSON.parse(t.MlopsPlatformStack));
    platform.resourceCountIs('AWS::EC2::VPC', 0);
    platform.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    for (const [name, value] of [['vpc-id', 'vpc-0team'], ['vpc-cidr', '10.9.0.0/16'], ['isolated-subnet-0', 'subnet-0iso0'], ['isolated-subnet-1', 'subnet-0iso1']]) {
      platform.hasResourceProperties('AWS::SSM::Parameter', { Name: `/cdk-mlops/default/platform/${name}`, Value: value });
    }
    expect(withVpc.platformStack.platform.reference.networkAvailabilityZones).toBe(2);
    const gpu = JSON.parse(t['MlopsPlatformStack-model-03']);
    const defaults = Object.values<{ Default?: string }>(gpu.Parameters).map((p) => p.Default);
    expect(defaults).toEqual(expect.arrayContaining(['/cdk-mlops/default/platform/vpc-id', '/cdk-mlops/default/platform/isolated-subnet-1', '/cdk-mlops/default/platform/vpc-cidr']));
  });

  test('no stack exports or imports a value: model stacks read the platform through SSM parameters', () => {
    for (const [name, t] of Object.entries(all)) {
      expect([name, t.includes('Fn::ImportValue')]).toEqual([name, false]);
      const outputs = Object.values<any>(JSON.parse(t).Outputs ?? {});
      expect([name, outputs.filter((o) => o.Export)]).toEqual([name, []]);
    }
  });

  test('a model stack declares only the SSM parameters it uses (no unreferenced parameter)', () => {
    for (const s of stacks.modelStacks) {
      const t = JSON.parse(all[s.stackName]);
      const body = JSON.stringify({ ...t, Parameters: undefined });
      const unused = Object.keys(t.Parameters).filter((p) => p !== 'BootstrapVersion' && !body.includes(`{"Ref":"${p}"}`));
      expect([s.stackName, unused]).toEqual([s.stackName, []]);
    }
  });

  test(`every model stack stays within the resource budget (${MlopsModelStack.RESOURCE_BUDGET})`, () => {
    for (const s of stacks.modelStacks) {
      const n = Object.keys(JSON.parse(all[s.stackName]).Resources).length;
      expect([s.stackName, n <= MlopsModelStack.RESOURCE_BUDGET]).toEqual([s.stackName, true]);
    }
  });

  // Generated model mixes and every model shape: add-model.test.ts.
  test('adding a model adds its stack and leaves every other template byte-identical', () => {
    const more = testApp();
    new MlopsPlatformStacks(more, { models: modelCopies(7) });
    const after = templates(more);
    expect(Object.keys(after).filter((n) => !(n in all))).toEqual(['MlopsPlatformStack-model-06']);
    for (const [name, template] of Object.entries(all)) expect([name, after[name] === template]).toEqual([name, true]);
  });
});

describe('MlopsPlatform as one construct', () => {
  test('its models that need a network (ALB + Fargate, Batch GPU) share one VPC and one set of endpoints', () => {
    const stack = new Stack(testApp(), 'One');
    // The two shapes that need the network; every shape in one stack passes 500 resources.
    new MlopsPlatform(stack, 'Platform', { models: modelCopies(4).slice(2) });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EC2::VPC', 1);
    t.resourceCountIs('AWS::EC2::VPCEndpoint', 8);
  });

  test('takes an existing VPC, data lake and registry (imported) and creates none of them', () => {
    const stack = new Stack(testApp(), 'Existing', { env: ENV });
    const key = new kms.Key(stack, 'Key');
    const bucket = (id: string) => s3.Bucket.fromBucketAttributes(stack, id, { bucketName: `existing-${id.toLowerCase()}`, encryptionKey: key });
    const dataLake = DataLake.fromDataLakeAttributes(stack, 'Lake', {
      encryptionKey: key, datasetsBucket: bucket('Datasets'), artifactsBucket: bucket('Artifacts'), predictionsBucket: bucket('Predictions'),
    });
    const registry = ModelRegistry.fromRegistryAttributes(stack, 'Registry', { tableArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/existing-registry', encryptionKey: key });
    const vpc = new ec2.Vpc(stack, 'TeamVpc', { natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    // Three models (the GPU one among them): four in one stack pass CloudFormation's 500 resources
    // since each model's owner gets a topic; past ~3 models, use MlopsPlatformStacks.
    const platform = new MlopsPlatform(stack, 'Platform', { models: modelCopies(4).slice(1), dataLake, registry, vpc });
    expect(platform.vpc()).toBe(vpc);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EC2::VPC', 1);
    t.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    // Only the predictions table is new; buckets: each prediction service's access-log bucket only.
    t.resourceCountIs('AWS::DynamoDB::Table', 1);
    t.resourceCountIs('AWS::S3::Bucket', platform.models.filter((m) => m.predictionService).length);
  });
});

test('a model stack that needs the network refuses a platform reference without one, naming the fix', () => {
  expect(() => new MlopsModelStack(testApp(), 'Gpu', { spec: modelCopies(4)[3], platform: { platformName: 'default' } }))
    .toThrow(/model model-03 needs the platform network .*networkAvailabilityZones is 0: call platform.vpc\(\)/);
});
