// Issue 13 §2 (hardening): the Batch training job runs as a non-root user stated in its job
// definition, unprivileged, with a read-only root filesystem and /opt/ml and /tmp as volumes.
import { Match, Template } from 'aws-cdk-lib/assertions';
import fc from 'fast-check';
import { GpuBatchCompute } from '../../lib/gpu-batch-compute';
import { TrainingBackend, TrainingImage } from '../../lib/training-pipeline';
import { testStack } from '../support/cdk';
import { pipelineStack } from './harness';

const image = TrainingImage.fromRegistry('123456789012.dkr.ecr.us-east-1.amazonaws.com/demand@sha256:abc');

function jobDefinition(user?: string): Template {
  const stack = testStack();
  const compute = new GpuBatchCompute(stack, 'Gpu', { maxvCpus: 32 });
  return pipelineStack({ backend: TrainingBackend.batch({ compute, image, command: ['python3', '/app/train.py'], user }) }, stack).template;
}

describe('Batch training job definition', () => {
  test('runs as uid 1000 by default, unprivileged, read-only root, /opt/ml and /tmp writable volumes', () => {
    jobDefinition().hasResourceProperties('AWS::Batch::JobDefinition', {
      ContainerProperties: Match.objectLike({
        User: '1000:1000',
        Privileged: false,
        ReadonlyRootFilesystem: true,
        MountPoints: Match.arrayWith([{ ContainerPath: '/opt/ml', SourceVolume: 'opt-ml' }, { ContainerPath: '/tmp', SourceVolume: 'tmp' }]),
      }),
    });
  });

  test('root is refused in any spelling, naming the field and the fix; any other user is written as given', () => {
    const root = fc.constantFrom('0', 'root', '0:0', 'root:root', '0:1000', ' root');
    fc.assert(fc.property(root, (user) => {
      expect(() => jobDefinition(user)).toThrow(/^user must not be root, but .* was provided: give a non-root "uid:gid" \(e.g. "1000:1000"\)/);
    }), { numRuns: 6 });
    const nonRoot = fc.tuple(fc.integer({ min: 1, max: 65534 }), fc.integer({ min: 0, max: 65534 })).map(([u, g]) => `${u}:${g}`);
    fc.assert(fc.property(nonRoot, (user) => {
      jobDefinition(user).hasResourceProperties('AWS::Batch::JobDefinition', { ContainerProperties: Match.objectLike({ User: user }) });
    }), { numRuns: 5 });
  });
});
