// Environment variable names shared by constructs (which set them) and handlers (which read
// them), so the two can never drift apart.
export const ENV = {
  registryTable: 'MLOPS_REGISTRY_TABLE',
  predictionsTable: 'MLOPS_PREDICTIONS_TABLE',
  datasetsBucket: 'MLOPS_DATASETS_BUCKET',
  artifactsBucket: 'MLOPS_ARTIFACTS_BUCKET',
  predictionsBucket: 'MLOPS_PREDICTIONS_BUCKET',
  notificationTopic: 'MLOPS_NOTIFICATION_TOPIC',
} as const;

/** Reads a required environment variable, failing with the name when it is missing. */
export function requireEnv(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`environment variable ${name} is not set; the construct that creates this function sets it`);
  return v;
}
