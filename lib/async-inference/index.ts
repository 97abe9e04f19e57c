export * from './async-inference';
