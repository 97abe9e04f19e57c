export * from './prediction-api';
export { PredictionApiBase } from './prediction-api-base';
export type { IPredictionApi, PredictionApiAttributes } from './prediction-api-base';
