// Names shared by the MlopsMonitoring construct (which sets them) and the drift handlers (which
// read them), so the two cannot drift apart.

/** Environment variables of the drift handlers. */
export const MONITORING_ENV = {
  /** Table holding the drift-retrain rate-limit items (`DRIFT#<model>`); by default the registry table. */
  driftStateTable: 'MLOPS_DRIFT_STATE_TABLE',
} as const;

/** Key layout of the drift-retrain rate-limit item; the prefix keeps it apart from registry items. */
export const DRIFT_STATE = {
  pkPrefix: 'DRIFT#',
  pk: (model: string) => `DRIFT#${model}`,
  sk: '#RETRAIN',
  entity: 'DRIFT_RETRAIN',
} as const;

/** Value of `trigger` in the input of a training execution started because of drift. */
export const DRIFT_TRIGGER = 'drift';

/** Extra dimension of the per-feature drift metric. */
export const FEATURE_DIMENSION = 'Feature';

/**
 * Field names of the structured JSON log lines every handler and the prediction server write
 * (see logger.ts). The saved Logs Insights queries filter on these, so they are a contract.
 */
export const LOG_FIELDS = {
  /** Model name. */
  model: 'model',
  /** Category (segment) of the model. */
  category: 'category',
  /** Training run id (`runs/<model>/<runId>/`). */
  runId: 'runId',
  /** Step Functions execution ARN of the pipeline that does the work. */
  executionArn: 'executionArn',
  /** Request id of the online request or the Lambda invocation. */
  requestId: 'requestId',
  /** Outcome of a run or step: SUCCEEDED, FAILED, STOPPED. */
  status: 'status',
  /** Source of an online answer: model, rule or fallback. */
  source: 'source',
  /** Name of the rule that produced a rule or fallback answer. */
  rule: 'rule',
  /** Server-side latency of an online answer in milliseconds. */
  latencyMs: 'latencyMs',
  /** Powertools log level field. */
  level: 'level',
} as const;
