export * from './data-ingestion';
export * from './train-on-arrival';
