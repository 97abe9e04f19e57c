export * from './model-endpoint';
export * from './instance-storage';
