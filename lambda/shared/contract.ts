// Cross-component contracts: S3 layout, container contract and metric names. Every construct
// and handler imports these instead of spelling paths or names itself.

/** Key prefix helpers (no leading slash, trailing slash on prefixes). */
export const layout = {
  /** Input data of a model/category for one execution date in the datasets bucket. */
  datasetPrefix: (model: string, category: string, date: string) => `${model}/${category}/${date}/`,
  /** Everything a run writes in the artifacts bucket. Experiments live under their own prefix so they can expire. */
  runPrefix: (model: string, runId: string, experiment: boolean) => `${experiment ? 'experiments' : 'runs'}/${model}/${runId}/`,
  /** Dataset manifest written by data validation (its hash is the dataset version). */
  manifestKey: (model: string, category: string, date: string) => `manifests/${model}/${category}/${date}/manifest.json`,
  /** Batch predictions in the predictions bucket (JSON Lines files). */
  predictionsPrefix: (model: string, category: string, date: string) => `${model}/${category}/${date}/`,
};

/**
 * Container contract (training and batch scoring), the same on SageMaker, Batch and locally.
 * SageMaker's file layout plus MLOPS_* variables. The run writes `metrics.json` (and optionally
 * `baseline.json`, the prediction/feature histograms used for drift) into the model directory
 * or the output data directory; both end up under the run's `output/` prefix.
 */
export const CONTAINER = {
  inputDataDir: '/opt/ml/input/data',
  hyperparametersFile: '/opt/ml/input/config/hyperparameters.json',
  modelDir: '/opt/ml/model',
  outputDataDir: '/opt/ml/output/data',
  metricsFile: 'metrics.json',
  /** Optional metric curves beside metrics.json: one `{"step": n, "<metric>": value}` object per line. */
  metricSeriesFile: 'metrics.jsonl',
  baselineFile: 'baseline.json',
  trainingChannel: 'training',
  /** Scoring: the production version's model files arrive in /opt/ml/input/data/model/. */
  scoringModelChannel: 'model',
  /** Scoring: the input data of the date arrives in /opt/ml/input/data/scoring/. */
  scoringInputChannel: 'scoring',
  env: {
    model: 'MLOPS_MODEL',
    category: 'MLOPS_CATEGORY',
    runId: 'MLOPS_RUN_ID',
    executionDate: 'MLOPS_EXECUTION_DATE',
    mode: 'MLOPS_MODE', // 'train' | 'score' | 'serve'
    modelVersion: 'MLOPS_MODEL_VERSION',
    /**
     * Overrides the `/opt/ml` root of the layout above, for local runs (the local stand-in and
     * tests point it at a temp folder) and the Batch staging wrapper. Unset on SageMaker. Training
     * code reads `os.environ.get("MLOPS_ML_ROOT", "/opt/ml")`; a test keeps the Python files
     * (container/batch-entrypoint/entrypoint.py, models/<name>/*.py) on this exact name.
     */
    mlRoot: 'MLOPS_ML_ROOT',
    /** Tests only: seconds each invocation of a serving container waits (a slow model). */
    serveDelaySeconds: 'MLOPS_SERVE_DELAY_SECONDS',
  },
} as const;

/**
 * Serving contract (real time): SageMaker hosting's. The training image, started with the
 * argument `serve` (SageMaker) or `MLOPS_MODE=serve`, loads the model from `/opt/ml/model` and
 * answers `GET /ping` (200 when ready) and `POST /invocations` with a JSON body
 * `{"features": {...}, "entityId"?: "..."}` -> `{"prediction": <any JSON>}`; a 4xx means the
 * input was refused. Port 8080 unless SageMaker sets `SAGEMAKER_BIND_TO_PORT` (inference
 * pipelines); tests set it too.
 */
export const SERVING = {
  mode: 'serve',
  port: 8080,
  portEnv: 'SAGEMAKER_BIND_TO_PORT',
  pingPath: '/ping',
  invocationsPath: '/invocations',
  modelDir: CONTAINER.modelDir,
} as const;

/**
 * Object tag that marks the outputs of a failed run for expiry. The training pipeline's failure
 * handler tags every object under the failed run's prefix (`layout.runPrefix`) with
 * `mlops:run-status=failed`; the DataLake's tag-filtered lifecycle rule expires them after
 * `failedRunOutputsExpiration`. Untagged objects are never touched by that rule, so a missed tag
 * keeps data rather than losing it.
 */
export const RUN_STATUS_TAG = {
  key: 'mlops:run-status',
  failed: 'failed',
} as const;

/** CloudWatch namespace and metric names published by handlers and the prediction server. */
export const METRICS = {
  namespace: 'CdkMlops',
  dimensions: { model: 'Model', category: 'Category' },
  predictionsWritten: 'PredictionsWritten',
  predictionsFailed: 'PredictionsFailed',
  /** Epoch seconds of the newest loaded batch's generatedAt; freshness = now - this. */
  predictionsGeneratedAt: 'PredictionsGeneratedAt',
  predictionAnswers: 'PredictionAnswers',
  fallbackAnswers: 'FallbackAnswers',
  ruleAnswers: 'RuleAnswers',
  storeErrors: 'PredictionStoreErrors',
  /** Failed registry reads of a served production version (the server keeps the last one until its maximum age). */
  productionReadFailures: 'ProductionVersionReadFailures',
  predictionDrift: 'PredictionDriftPSI',
  featureDrift: 'FeatureDriftPSI',
  evaluatedMetric: 'EvaluatedMetric',
  runsFailed: 'TrainingRunsFailed',
  runsSucceeded: 'TrainingRunsSucceeded',
} as const;

/** EventBridge source and detail types of registry change events. */
export const REGISTRY_EVENTS = {
  source: 'cdk-mlops.registry',
  versionRegistered: 'Model Version Registered',
  modelPromoted: 'Model Promoted',
} as const;

/**
 * SSM parameters an MlopsPlatform publishes so clients (the `mlops` CLI, other stacks) can find
 * it: everything under `/cdk-mlops/<platform>/`. The default platform name is `default`.
 */
export const PARAMETERS = {
  root: (platform: string) => `/cdk-mlops/${platform}/`,
  registryTable: (platform: string) => `/cdk-mlops/${platform}/registry/table-name`,
  predictionsTable: (platform: string) => `/cdk-mlops/${platform}/predictions/table-name`,
  datasetsBucket: (platform: string) => `/cdk-mlops/${platform}/data/datasets-bucket`,
  artifactsBucket: (platform: string) => `/cdk-mlops/${platform}/data/artifacts-bucket`,
  predictionsBucket: (platform: string) => `/cdk-mlops/${platform}/data/predictions-bucket`,
  trainingStateMachine: (platform: string, model: string) => `/cdk-mlops/${platform}/models/${model}/training-state-machine-arn`,
  batchInferenceStateMachine: (platform: string, model: string) => `/cdk-mlops/${platform}/models/${model}/batch-inference-state-machine-arn`,
  endpoint: (platform: string, model: string) => `/cdk-mlops/${platform}/models/${model}/endpoint`,
  /** The managed MLflow tracking server's ARN (ExperimentTracking on). */
  mlflowTrackingServer: (platform: string) => `/cdk-mlops/${platform}/experiments/mlflow-tracking-server-arn`,
  defaultPlatform: 'default',
  /** Environment variable that selects the platform for the CLI. */
  platformEnv: 'MLOPS_PLATFORM',
} as const;
