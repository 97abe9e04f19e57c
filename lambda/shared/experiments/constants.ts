/** Environment of the experiment-mirror function (set by ExperimentTracking). */
export const EXPERIMENT_TRACKING_ENV = {
  trackingServerArn: 'MLOPS_MLFLOW_TRACKING_SERVER_ARN',
  /** Prepended to the model name to form the MLflow experiment name (`<platform>/`). */
  experimentPrefix: 'MLOPS_MLFLOW_EXPERIMENT_PREFIX',
} as const;

/** Environment variables a training container gets when tracking is on (the MLflow client's own names). */
export const MLFLOW_CONTAINER_ENV = {
  trackingUri: 'MLFLOW_TRACKING_URI',
  experimentName: 'MLFLOW_EXPERIMENT_NAME',
} as const;
