import { Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { GpuBatchCompute } from '../../lib/gpu-batch-compute';
import { nagFindings, testStack } from '../support/cdk';

describe('GpuBatchCompute', () => {
  const stack = testStack();
  new GpuBatchCompute(stack, 'Gpu');
  const template = Template.fromStack(stack);

  test('Spot first (price-capacity-optimized), On-Demand fallback, both scaling from 0 to the vCPU cap', () => {
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({ Type: 'SPOT', AllocationStrategy: 'SPOT_PRICE_CAPACITY_OPTIMIZED', MinvCpus: 0, MaxvCpus: 16, InstanceTypes: ['g5', 'g6'] }),
    });
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({ Type: 'EC2', MinvCpus: 0, MaxvCpus: 16 }),
    });
    const queue = Object.values(template.findResources('AWS::Batch::JobQueue'))[0] as { Properties: { ComputeEnvironmentOrder: Array<{ Order: number; ComputeEnvironment: unknown }> } };
    const order = queue.Properties.ComputeEnvironmentOrder.map((o) => [o.Order, JSON.stringify(o.ComputeEnvironment).replace(/^.*"(Gpu[A-Za-z]+?)[0-9A-F]{8}".*$/, '$1')]);
    expect(order).toEqual([[1, 'GpuSpotComputeEnvironment'], [2, 'GpuOnDemandComputeEnvironment']]);
  });

  test('GPU AMI, encrypted gp3 root volume, IMDSv2 only with hop limit 1', () => {
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({ Ec2Configuration: [{ ImageType: 'ECS_AL2023_NVIDIA' }] }),
    });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: Match.objectLike({ Encrypted: true, VolumeSize: 100, VolumeType: 'gp3' }) }],
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
      }),
    });
  });

  test('private isolated subnets without a NAT gateway, with the gateway and interface endpoints instances need', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    const services = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).map((e) => JSON.stringify((e as { Properties: { ServiceName: unknown } }).Properties.ServiceName));
    for (const s of ['.s3', '.dynamodb', 'ecs-agent', 'ecs-telemetry', '.ecs', 'ecr.api', 'ecr.dkr', '.logs']) {
      expect(services.some((x) => x.includes(s))).toBe(true);
    }
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({ Subnets: Match.arrayWith([{ Ref: Match.stringLikeRegexp('GpuVpcgpuSubnet') }]) }),
    });
  });

  test('the cap, the instance families and Spot are configurable; an existing VPC is used as is', () => {
    const s = testStack();
    const vpc = new ec2.Vpc(s, 'Existing', { natGateways: 1 });
    new GpuBatchCompute(s, 'Gpu', { vpc, maxvCpus: 64, instanceClasses: [ec2.InstanceClass.G6E], spot: false });
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::Batch::ComputeEnvironment', 1);
    t.hasResourceProperties('AWS::Batch::ComputeEnvironment', { ComputeResources: Match.objectLike({ Type: 'EC2', MaxvCpus: 64, InstanceTypes: ['g6e'] }) });
    t.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test.each([
    [{ maxvCpus: 0 }, /maxvCpus must be a whole number between 1 and 10000, but 0 was provided/],
    [{ spot: false, onDemandFallback: false }, /spot and onDemandFallback are both false/],
    [{ rootVolumeSizeGiB: 10 }, /rootVolumeSizeGiB must be a whole number between 30 and 16384, but 10 was provided/],
    [{ instanceClasses: [] }, /instanceClasses is empty/],
  ])('rejects %j', (props, message) => {
    expect(() => new GpuBatchCompute(testStack(), 'Gpu', props)).toThrow(message);
  });

  test('skips validation of an unresolved cap', () => {
    expect(() => new GpuBatchCompute(testStack(), 'Gpu', { maxvCpus: Token.asNumber({ Ref: 'Cap' }) })).not.toThrow();
  });

  test('cdk-nag AwsSolutions is clean', () => {
    expect(nagFindings((app) => { new GpuBatchCompute(new Stack(app, 'S'), 'Gpu'); })).toEqual([]);
  });
});
