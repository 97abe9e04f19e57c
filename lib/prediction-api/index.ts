export * from './prediction-api';
