export * from './model-endpoint';
export * from './instance-storage';
export * from './endpoint-update';
