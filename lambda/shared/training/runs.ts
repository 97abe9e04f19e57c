import { METRICS } from '../contract';
import { ConflictError } from '../registry';
import { markFailedRunOutputs } from './failed-run-outputs';
import { emitRunMetrics } from './metrics';
import { TrainingDeps } from './deps';
import { runItem } from './plan';
import { CategoryOutcome, PlannedRun, RunItem, StepError, briefReason } from './types';
import { readManifest } from './validate-data';

/**
 * Derives the branch's run item from the planned run (locations, and the dataset version from
 * the manifest validation wrote) and records the run as started (idempotent: a retried start is
 * a no-op). Returns the item the rest of the branch works on.
 */
/** The run in the registry, RUNNING (idempotent: a retried step finds it there). */
function registerRun(item: RunItem, deps: TrainingDeps): Promise<unknown> {
  return deps.registry.startRun({
    runId: item.runId,
    model: item.model,
    category: item.category,
    executionDate: item.executionDate,
    hyperparameters: item.hyperparameters,
    experiment: item.experiment,
    trigger: item.trigger,
    executionArn: item.executionId,
    datasetVersion: item.datasetVersion,
    image: item.image ?? deps.config.image,
  });
}

export async function startRun(run: PlannedRun, deps: TrainingDeps): Promise<RunItem> {
  const manifest = await readManifest(runItem(run, deps), deps);
  if (!manifest) throw new Error(`no dataset manifest for ${run.model}/${run.category} ${run.executionDate}: the ValidateData step writes it before any run starts; start the execution again`);
  const item: RunItem = { ...runItem(run, deps), datasetVersion: manifest.datasetVersion, rows: manifest.rows };
  await registerRun(item, deps);
  return item;
}

/**
 * Records a category whose input failed validation: the run is started (without a dataset
 * version) and finished FAILED with every problem found, so `mlops runs` shows why the category
 * was not trained that day. Idempotent like startRun and recordFailure.
 */
export async function recordRejectedData(run: PlannedRun & { failure?: StepError }, deps: TrainingDeps): Promise<CategoryOutcome> {
  const item = runItem(run, deps);
  await registerRun(item, deps);
  return recordFailure({ ...item, failure: run.failure, stage: 'data validation' }, deps);
}

/** Time the failure handler may spend tagging outputs (its function times out after 60 s). */
export const TAGGING_BUDGET_MS = 40_000;

/**
 * Records a failed branch: the run becomes FAILED with the cause, unless it had already
 * finished (a failure after registration, e.g. while promoting, leaves the run SUCCEEDED and is
 * reported in the outcome only). A run recorded FAILED (now or by an earlier attempt of this
 * handler) gets its outputs tagged for expiry (`RUN_STATUS_TAG`), best effort. Never throws for
 * a recorded failure, so the Map goes on.
 */
export async function recordFailure(item: RunItem & { failure?: StepError; stage?: string }, deps: TrainingDeps): Promise<CategoryOutcome> {
  const cause = describeFailure(item.failure, item.stage);
  let recordedFailed = false;
  try {
    // Idempotent: a run already FAILED is returned as is, so a retried handler tags again.
    await deps.registry.finishRun({ runId: item.runId, status: 'FAILED', failureCause: cause });
    recordedFailed = true;
  } catch (e) {
    // The run may never have started (failure in StartRun: nothing was written under its
    // prefix) or may have finished otherwise (its outputs are not a failed run's to expire).
    if (!(e instanceof ConflictError) && (e as { code?: string }).code !== 'NOT_FOUND') throw e;
  }
  if (recordedFailed) await markFailedRunOutputs(item, deps, { deadline: Date.now() + TAGGING_BUDGET_MS });
  emitRunMetrics(deps, item.model, item.category, [{ name: METRICS.runsFailed, unit: 'Count', value: 1 }]);
  return { category: item.category, runId: item.runId, outcome: 'FAILED', reason: briefReason(cause) };
}

export function describeFailure(failure: StepError | undefined, stage?: string): string {
  const error = failure?.Error ?? 'Error';
  let cause = failure?.Cause ?? 'no cause given';
  // Lambda errors arrive as a JSON document; keep the message, not the stack.
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string; FailureReason?: string; StatusReason?: string };
    cause = parsed.errorMessage ?? parsed.FailureReason ?? parsed.StatusReason ?? cause;
  } catch { /* plain text */ }
  return `${stage ? `${stage}: ` : ''}${error}: ${cause}`.slice(0, 4000);
}

// Failures that no retry fixes, whatever the error name carrying them (SageMaker reports
// validation and quota errors alike as AmazonSageMakerException): checked first.
const PERMANENT = /ValidationException|must be unique|already exists|AccessDenied|not authorized|InvalidParameter/i;
// The service refused to create the job (quota, throttling): no job exists, the same name is retried.
const QUOTA = /ResourceLimitExceeded|ThrottlingException|Rate exceeded|TooManyRequests/i;
// The job was created but got no instances: a new job name is needed.
const CAPACITY = /CapacityError|InsufficientInstanceCapacity|insufficient capacity/i;
// Failures during the job worth another attempt (Spot reclaims, service faults).
const TRANSIENT = /Host EC2 .* terminated|spot (instance )?interrupt|SpotInterruption|InternalServerError|ServiceUnavailable/i;

/** First wait after a quota or capacity error, and the longest single wait (minute scale). */
export const CAPACITY_WAIT_SECONDS = { first: 60, max: 900 } as const;

type Classified = RunItem & { retryTraining: boolean; waitSeconds: number; failure?: StepError };

/**
 * Decides whether a failed training attempt is retried, and after how long. Quota and capacity
 * errors wait at minute scale (60 s doubling to 15 min) until `capacityWaitSeconds` of waiting
 * is used up, without using up training attempts; other transient failures (Spot reclaims)
 * are retried up to `trainingAttempts`; validation errors never.
 */
export function classifyTrainingFailure(item: RunItem & { failure?: StepError }, deps: TrainingDeps): Classified {
  const text = `${item.failure?.Error ?? ''} ${item.failure?.Cause ?? ''}`;
  const stop: Classified = { ...item, retryTraining: false, waitSeconds: 0 };
  if (PERMANENT.test(text)) return stop;
  const quota = QUOTA.test(text);
  if (quota || CAPACITY.test(text)) {
    const waited = item.capacityWaitedSeconds ?? 0;
    const retries = item.capacityRetries ?? 0;
    const wait = Math.min(CAPACITY_WAIT_SECONDS.max, CAPACITY_WAIT_SECONDS.first * 2 ** Math.min(retries, 10));
    if (waited + wait > deps.config.capacityWaitSeconds) return stop;
    return {
      ...item,
      attempt: quota ? item.attempt : item.attempt + 1,
      capacityRetries: retries + 1,
      capacityWaitedSeconds: waited + wait,
      // Only created jobs count as training attempts.
      capacityJobs: (item.capacityJobs ?? 0) + (quota ? 0 : 1),
      retryTraining: true,
      waitSeconds: wait,
    };
  }
  const trainingAttempt = item.attempt - (item.capacityJobs ?? 0);
  if (!TRANSIENT.test(text) || trainingAttempt >= deps.config.trainingAttempts) return stop;
  return { ...item, attempt: item.attempt + 1, retryTraining: true, waitSeconds: Math.min(3600, 60 * 2 ** (trainingAttempt - 1)) };
}
