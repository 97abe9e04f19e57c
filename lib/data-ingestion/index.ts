export * from './data-ingestion';
export * from './train-on-arrival';
export type { HttpIngestionSource, IngestionSource, S3IngestionSource } from './ingestion-source';
