// What the FargateModelService construct hands its update function (one JSON environment
// variable), and the environment of the model container, named once for the construct, the
// function and the start wrapper (container/model-service-entrypoint/entrypoint.py).

/** ECS's EventBridge detail type for service deployments (the rule and the handler match it). */
export const ECS_DEPLOYMENT_STATE_CHANGE = 'ECS Deployment State Change';

/** Environment variable holding the JSON ModelServiceSettings. */
export const MODEL_SERVICE_SETTINGS_ENV = 'MLOPS_MODEL_SERVICE_SETTINGS';

/** Environment of the model container. */
export const MODEL_SERVICE_ENV = {
  /** The Batch staging wrapper's source (S3 and credentials), compressed. */
  stager: 'MLOPS_STAGER',
  /** The start wrapper's source, compressed. */
  serveStager: 'MLOPS_SERVE_STAGER',
  /** JSON array: the image's serve command. */
  command: 'MLOPS_SERVE_COMMAND',
  /** The served version's artifact (s3:// prefix or model.tar.gz), pinned per promotion; absent in the deploy's revision. */
  modelDataUrl: 'MLOPS_MODEL_DATA_URL',
  /** S3 endpoint override (emulators only). */
  s3Endpoint: 'MLOPS_S3_ENDPOINT',
} as const;

export interface ModelServiceSettings {
  readonly model: string;
  /** The model's categories: each has its own endpoint record in the registry. */
  readonly categories: string[];
  /** Cluster name or ARN of the service. */
  readonly cluster: string;
  /** Name of the ECS service (recorded as the endpoint name). */
  readonly serviceName: string;
  /** The container whose environment pins the version. */
  readonly containerName: string;
}
