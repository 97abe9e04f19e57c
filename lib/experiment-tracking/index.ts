export * from './experiment-tracking';
