export * from './sagemaker-execution';
export * from './job-statements';
export * from './volume-key';
