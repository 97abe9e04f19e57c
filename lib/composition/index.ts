export * from './step-endpoint';
