export * from './gpu-batch-compute';
export type { GpuBatchComputeAttributes, IGpuBatchCompute } from './gpu-batch-compute-base';
