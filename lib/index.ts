export * from './data-lake';
export * from './model-registry';
export * from './platform/mlops-platform-stack';
export * from './common/mlops-function';
