export { TrainingPipelineBase } from './training-pipeline-base';
export type { ITrainingPipeline, TrainingPipelineAttributes } from './training-pipeline-base';
export * from './training-pipeline';
export * from './training-backend';
export * from './training-image';
export * from './training-policies';
export * from './pre-training-step';
