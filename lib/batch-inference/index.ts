export { BatchInferenceBase } from './batch-inference-base';
export type { BatchInferenceAttributes, IBatchInference } from './batch-inference-base';
export * from './batch-inference';
