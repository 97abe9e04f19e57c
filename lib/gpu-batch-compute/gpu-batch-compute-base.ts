import { Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import { Construct, IConstruct } from 'constructs';
import { validateImportedArn } from '../common/import-attributes';

/**
 * A GPU job queue for training and batch scoring. AWS Batch publishes no CloudWatch metrics of
 * its own, so there are no metric methods: failed jobs are counted from the training pipeline's
 * execution log (`MlopsMonitoring.monitorTrainingPipeline` with `logGroup`).
 */
export interface IGpuBatchCompute extends IConstruct {
  /** The job queue. */
  readonly jobQueue: batch.IJobQueue;
  /** The max vCPU cap of each compute environment: the largest job the queue can ever place. */
  readonly maxvCpus: number;
}

/** Attributes of a GPU compute defined elsewhere, for {@link GpuBatchCompute.fromGpuBatchComputeAttributes}. */
export interface GpuBatchComputeAttributes {
  /** ARN of the job queue. */
  readonly jobQueueArn: string;
  /** The max vCPU cap of its compute environments (a training job asking for more is rejected at synth). */
  readonly maxvCpus: number;
}

/** A GPU job queue known by its ARN (another stack, another account). */
export class ImportedGpuBatchCompute extends Construct implements IGpuBatchCompute {
  readonly jobQueue: batch.IJobQueue;
  readonly maxvCpus: number;

  constructor(scope: Construct, id: string, attrs: GpuBatchComputeAttributes) {
    super(scope, id);
    const where = 'GpuBatchCompute.fromGpuBatchComputeAttributes';
    validateImportedArn(where, 'jobQueueArn', attrs.jobQueueArn, 'batch', /^job-queue\/[A-Za-z0-9_-]{1,128}$/, 'arn:aws:batch:<region>:<account>:job-queue/<name>');
    if (!Token.isUnresolved(attrs.maxvCpus) && (!Number.isInteger(attrs.maxvCpus) || attrs.maxvCpus < 1)) {
      throw new Error(`${where}: maxvCpus must be a whole number of at least 1, but ${attrs.maxvCpus} was provided`);
    }
    this.jobQueue = batch.JobQueue.fromJobQueueArn(this, 'JobQueue', attrs.jobQueueArn);
    this.maxvCpus = attrs.maxvCpus;
  }
}
