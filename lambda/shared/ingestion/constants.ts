// Names the DataIngestion construct and its handlers share, so they cannot drift apart.

/** Environment variables of the ingestion handlers. */
export const INGESTION_ENV = {
  /** JSON {@link IngestionCadence}. */
  cadence: 'MLOPS_INGEST_CADENCE',
  /** JSON {@link DeliveryConfig} without the clients. */
  config: 'MLOPS_INGEST_CONFIG',
  /** JSON {@link TrainOnArrivalConfig}. */
  trainOnArrival: 'MLOPS_TRAIN_ON_ARRIVAL_CONFIG',
} as const;

/** Environment variables the ingestion job's container receives (the container contract). */
export const INGEST_JOB_ENV = {
  mode: 'MLOPS_MODE',
  windowStart: 'MLOPS_INGEST_WINDOW_START',
  windowEnd: 'MLOPS_INGEST_WINDOW_END',
  /** The spec's categories, comma-separated: one output folder each. */
  categories: 'MLOPS_INGEST_CATEGORIES',
  /** The model's feature groups (spec `features`), comma-separated: where the job may PutRecord. */
  featureGroups: 'MLOPS_FEATURE_GROUPS',
} as const;

/** Environment of the staging wrapper (container/ingest-entrypoint), removed before the job's command runs. */
export const INGEST_STAGING_ENV = {
  /** S3 URI the wrapper uploads /opt/ml/output/data/ to (`<uri><category>/<file>`). */
  outputUri: 'MLOPS_INGEST_OUTPUT_URI',
  /** JSON array: the job's command. */
  command: 'MLOPS_INGEST_COMMAND',
  /** The Batch staging wrapper's source (S3 and credentials), compressed. */
  stager: 'MLOPS_STAGER',
  /** The ingestion wrapper's source, compressed. */
  ingestStager: 'MLOPS_INGEST_STAGER',
  /** KMS key of the staged output. */
  kmsKeyId: 'MLOPS_KMS_KEY_ID',
} as const;

/** Where the job writes inside the container, one folder per category. */
export const INGEST_OUTPUT_DIR = '/opt/ml/output/data';

/** Metrics the delivery handler emits (namespace METRICS.namespace; dimension Model). */
export const INGESTION_METRICS = {
  /** Rows delivered by one window, all categories together (0 = an empty delivery). */
  rowsDelivered: 'IngestedRows',
  /** 1 when a window delivered no row at all, else 0. */
  emptyDeliveries: 'EmptyIngestionDeliveries',
} as const;

/** The data-arrival event (EventBridge) a delivery emits; training can be triggered by it. */
export const INGESTION_EVENTS = {
  source: 'cdk-mlops.ingestion',
  dataArrived: 'Data Arrived',
} as const;

/** The Task states of DataIngestion's state machine: the construct names them, local mode maps them to code. */
export const INGESTION_STATES = {
  window: 'Compute window',
  job: 'Run ingestion job',
  /** A built-in source (data.ingestion.source) instead of the job. */
  fetch: 'Fetch from source',
  deliver: 'Validate and write delivery',
} as const;
