export * from './model-registry-base';
export * from './model-registry';
export * from './registry-events';
