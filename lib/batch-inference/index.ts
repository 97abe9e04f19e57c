export * from './batch-inference-base';
export * from './batch-inference';
