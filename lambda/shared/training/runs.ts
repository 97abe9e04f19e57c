import { METRICS } from '../contract';
import { ConflictError } from '../registry';
import { markFailedRunOutputs } from './failed-run-outputs';
import { emitRunMetrics } from './metrics';
import { TrainingDeps } from './deps';
import { CategoryOutcome, RunItem, StepError } from './types';

/** Records the run as started (idempotent: a retried start is a no-op). */
export async function startRun(item: RunItem, deps: TrainingDeps): Promise<void> {
  await deps.registry.startRun({
    runId: item.runId,
    model: item.model,
    category: item.category,
    executionDate: item.executionDate,
    hyperparameters: item.hyperparameters,
    experiment: item.experiment,
    trigger: item.trigger,
    executionArn: item.executionId,
    datasetVersion: item.datasetVersion,
  });
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
  return { category: item.category, runId: item.runId, outcome: 'FAILED', reason: cause };
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

// Failures worth another attempt: capacity shortages and Spot reclaims (the job itself was fine).
const TRANSIENT = /CapacityError|InsufficientInstanceCapacity|insufficient capacity|Host EC2 .* terminated|spot (instance )?interrupt|SpotInterruption|ThrottlingException|Rate exceeded|InternalServerError|ServiceUnavailable/i;

/**
 * Decides whether a failed training attempt is retried: transient causes are, up to the
 * configured attempts, with exponential backoff. Returns the item with the next attempt.
 */
export function classifyTrainingFailure(item: RunItem & { failure?: StepError }, deps: TrainingDeps): RunItem & { retryTraining: boolean; waitSeconds: number; failure?: StepError } {
  const text = `${item.failure?.Error ?? ''} ${item.failure?.Cause ?? ''}`;
  const transient = TRANSIENT.test(text);
  const retry = transient && item.attempt < deps.config.trainingAttempts;
  return {
    ...item,
    attempt: retry ? item.attempt + 1 : item.attempt,
    retryTraining: retry,
    waitSeconds: retry ? Math.min(3600, 60 * 2 ** (item.attempt - 1)) : 0,
  };
}
