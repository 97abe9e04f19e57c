export * from './capacity';
export * from './serving-props';
export * from './prediction-service';
export * from './service-access';
export { PredictionFrontEndBase } from './prediction-front-end-base';
export type { IPredictionFrontEnd } from './prediction-front-end-base';
export { PredictionServiceBase } from './prediction-service-base';
export type { IPredictionService, PredictionServiceAttributes } from './prediction-service-base';
export * from './service-authentication';
