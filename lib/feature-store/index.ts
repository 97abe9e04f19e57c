export * from './as-of-query';
export * from './feature-group';
export * from './feature-query';
