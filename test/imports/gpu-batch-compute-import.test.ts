import { Template } from 'aws-cdk-lib/assertions';
import { DataLake } from '../../lib/data-lake/data-lake';
import { GpuBatchCompute } from '../../lib/gpu-batch-compute/gpu-batch-compute';
import { ModelRegistry } from '../../lib/model-registry/model-registry';
import { MetricDirection, TrainingBackend, TrainingImage, TrainingPipeline } from '../../lib/training-pipeline';
import { ENV, OTHER_ACCOUNT, agnosticConsumer, importOf, logicalId, producerAndConsumer } from './support';

const image = TrainingImage.fromRegistry(`${ENV.account}.dkr.ecr.${ENV.region}.amazonaws.com/demand@sha256:abc`);

describe('GpuBatchCompute.fromGpuBatchComputeAttributes', () => {
  const { producer, consumer } = producerAndConsumer();
  const compute = new GpuBatchCompute(producer, 'Gpu', { maxvCpus: 32 });
  const imported = GpuBatchCompute.fromGpuBatchComputeAttributes(consumer, 'Gpu', { jobQueueArn: compute.jobQueue.jobQueueArn, maxvCpus: compute.maxvCpus });
  new TrainingPipeline(consumer, 'Training', {
    modelName: 'demand-forecast', categories: ['books'],
    dataLake: new DataLake(consumer, 'DataLake'), registry: new ModelRegistry(consumer, 'Registry'),
    backend: TrainingBackend.batch({ compute: imported, image, command: ['python3', '/app/train.py'], vcpus: 8, gpus: 1, memoryMiB: 30000 }),
    evaluation: { metric: 'rmse', direction: MetricDirection.MINIMIZE },
  });

  test('a training pipeline in another stack submits its jobs to the producer\'s queue', () => {
    const queueArn = importOf(producer, { 'Fn::GetAtt': [logicalId(producer, 'AWS::Batch::JobQueue', 'Gpu'), 'JobQueueArn'] });
    const template = JSON.stringify(Template.fromStack(consumer).toJSON());
    expect(template).toContain(JSON.stringify(queueArn));
    expect(Object.keys(Template.fromStack(consumer).findResources('AWS::Batch::JobQueue'))).toEqual([]);
  });

  test('the imported vCPU cap still rejects a job that could never be placed', () => {
    expect(() => TrainingBackend.batch({ compute: imported, image, command: ['train'], vcpus: 64, gpus: 1, memoryMiB: 30000 })).toThrow(/vcpus.*64.*32/);
  });
});

test('an imported queue of another account: literal ARN, and the attributes are checked', () => {
  const stack = agnosticConsumer();
  const arn = `arn:aws:batch:eu-west-1:${OTHER_ACCOUNT}:job-queue/gpu`;
  const imported = GpuBatchCompute.fromGpuBatchComputeAttributes(stack, 'Gpu', { jobQueueArn: arn, maxvCpus: 16 });
  expect(imported.jobQueue.jobQueueArn).toBe(arn);
  expect(() => GpuBatchCompute.fromGpuBatchComputeAttributes(stack, 'Bad1', { jobQueueArn: 'gpu', maxvCpus: 16 }))
    .toThrow(/jobQueueArn must be an ARN like arn:aws:batch:<region>:<account>:job-queue\/<name>, but "gpu" was provided/);
  expect(() => GpuBatchCompute.fromGpuBatchComputeAttributes(stack, 'Bad2', { jobQueueArn: arn, maxvCpus: 0.5 }))
    .toThrow(/maxvCpus must be a whole number of at least 1, but 0.5 was provided/);
});
