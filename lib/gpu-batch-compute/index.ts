export * from './gpu-batch-compute';
