export * from './data-ingestion';
