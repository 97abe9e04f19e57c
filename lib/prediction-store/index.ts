export { PredictionStoreBase } from './prediction-store-base';
export type { IPredictionStore, PredictionStoreAttributes } from './prediction-store-base';
export * from './prediction-store';
