export * from './capacity';
export * from './serving-props';
export * from './prediction-service';
export * from './service-access';
export * from './service-authentication';
