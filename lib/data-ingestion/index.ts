export * from './data-ingestion';
export * from './train-on-arrival';
export * from './ingestion-source';
