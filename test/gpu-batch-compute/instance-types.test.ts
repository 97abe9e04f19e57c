// GPU compute allows only the instance types it was asked for (issue 20 §6): a spec asking for
// g4dn.xlarge must not get a compute environment that also allows the g5 and g6 families, which
// Spot may then pick at 1.5-1.9x the price.
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { GpuBatchCompute } from '../../lib/gpu-batch-compute';
import { MlopsPlatform } from '../../lib/platform/mlops-platform';
import { specWith } from '../spec/fixtures';
import { testStack } from '../support/cdk';

/** InstanceTypes of every compute environment in the template. */
function allowedTypes(template: Template): string[][] {
  return Object.values(template.findResources('AWS::Batch::ComputeEnvironment')).map((ce) => ce.Properties.ComputeResources.InstanceTypes);
}

describe('GpuBatchCompute instance types', () => {
  test('exact instance types alone: the Spot and On-Demand environments allow only them', () => {
    const stack = testStack();
    new GpuBatchCompute(stack, 'Gpu', { instanceTypes: [new ec2.InstanceType('g4dn.xlarge')] });
    expect(allowedTypes(Template.fromStack(stack))).toEqual([['g4dn.xlarge'], ['g4dn.xlarge']]);
  });

  test('neither given: the g5 and g6 families', () => {
    const stack = testStack();
    new GpuBatchCompute(stack, 'Gpu');
    expect(allowedTypes(Template.fromStack(stack))).toEqual([['g5', 'g6'], ['g5', 'g6']]);
  });

  test('families and exact types both given: both are allowed, as asked', () => {
    const stack = testStack();
    new GpuBatchCompute(stack, 'Gpu', { instanceClasses: [ec2.InstanceClass.G6], instanceTypes: [new ec2.InstanceType('g4dn.xlarge')], spot: false });
    expect(allowedTypes(Template.fromStack(stack))).toEqual([['g4dn.xlarge', 'g6']]);
  });

  test('a spec asking for g4dn.xlarge on Batch gets compute environments of g4dn.xlarge only', () => {
    const stack = new Stack(testStack().node.root, 'Platform', { env: { account: '123456789012', region: 'eu-west-1' } });
    const spec = specWith({ training: { backend: 'batch', instanceType: 'g4dn.xlarge', maxVcpus: 8, command: ['python3', 'train.py'] } });
    new MlopsPlatform(stack, 'Platform', { models: [spec] });
    const types = allowedTypes(Template.fromStack(stack));
    expect(types.length).toBeGreaterThan(0);
    expect(types.every((t) => t.length === 1 && t[0] === 'g4dn.xlarge')).toBe(true);
  });
});
