export * from './prediction-store-base';
export * from './prediction-store';
