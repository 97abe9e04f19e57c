import { TrainingDeps, logWith } from './deps';
import { describeFailure } from './runs';
import { abortedMessage, summaryMessage } from './messages';
import { CategoryOutcome, Outcome, PlanOutput, StepError, briefReason } from './types';

/** Longest execution failure cause kept in the state (the notification lists every category). */
const CAUSE_MAX = 4000;

export type RunStatus = 'SUCCEEDED' | 'PARTIALLY_FAILED' | 'FAILED';

/**
 * What Summarize puts in the execution state: counts and category names only (the outcomes with
 * their reasons are in the notification and the registry), so it fits next to the Map results.
 */
export interface Summary {
  readonly status: RunStatus;
  /** Outcomes by kind, e.g. { PROMOTED: 3, FAILED: 1 }. */
  readonly counts: Partial<Record<Outcome, number>>;
  readonly promotedCategories: string[];
  readonly failedCategories: string[];
  /**
   * Categories to score with their production version: every category of the execution,
   * promoted or not. Predictions expire (TTL = RPO), so they are refreshed daily even when the
   * champion keeps winning or a challenger failed to train.
   */
  readonly scoreCategories: string[];
  /** Whether the failure or partial failure was notified (false: publishing failed, see the log). */
  readonly notified: boolean;
  /** Start batch inference (never for experiments). */
  readonly startBatchInference: boolean;
  /** Why the execution fails (only when status is FAILED). */
  readonly cause: string;
}

/**
 * Per-category outcomes of an execution. The execution fails only when more categories failed
 * than tolerated; a failure or partial failure is notified with every category's outcome.
 */
export async function summarize(input: PlanOutput & { results: Array<CategoryOutcome | StepError> }, deps: TrainingDeps): Promise<Summary> {
  const outcomes = input.results.map((r, i) => toOutcome(r, input.runs[i]?.category ?? `#${i}`, input.runs[i]?.runId ?? ''));
  const failed = outcomes.filter((o) => o.outcome === 'FAILED');
  const tolerated = deps.config.toleratedFailurePercentage;
  const failedPercent = outcomes.length === 0 ? 0 : (failed.length / outcomes.length) * 100;
  const status: RunStatus = failed.length === 0 ? 'SUCCEEDED' : failedPercent > tolerated ? 'FAILED' : 'PARTIALLY_FAILED';
  let notified = true;
  if (status !== 'SUCCEEDED') {
    const { subject, message } = summaryMessage({ model: input.model, executionDate: input.executionDate, executionId: input.executionId, status, outcomes, failed: failed.length, tolerated });
    // A notification failure must not cost the day's scoring: log it and go on.
    try {
      await deps.notifier.publish(subject, message);
    } catch (e) {
      notified = false;
      logWith(deps)('WARN', 'training summary not notified', { executionId: input.executionId, status, error: (e as Error).name, message: (e as Error).message });
    }
  }
  const promotedCategories = outcomes.filter((o) => o.outcome === 'PROMOTED').map((o) => o.category);
  const counts: Partial<Record<Outcome, number>> = {};
  for (const o of outcomes) counts[o.outcome] = (counts[o.outcome] ?? 0) + 1;
  return {
    status,
    counts,
    promotedCategories,
    failedCategories: failed.map((o) => o.category),
    scoreCategories: outcomes.map((o) => o.category),
    notified,
    startBatchInference: outcomes.length > 0 && !input.experiment,
    cause: status === 'FAILED'
      ? `${failed.length} of ${outcomes.length} categories failed, more than the tolerated ${tolerated}%: ${failed.map((o) => `${o.category} (${o.reason})`).join('; ')}`.slice(0, CAUSE_MAX)
      : '',
  };
}

/** The execution stopped before the Map (planning failed; data validation runs per category inside it): tell the owners why. */
export async function notifyAborted(input: { executionId?: string; executionDate?: string; error?: StepError }, deps: TrainingDeps): Promise<{ Error: string; Cause: string }> {
  const error = input.error?.Error ?? 'Error';
  const cause = describeFailure(input.error).replace(/^[^:]*: /, '');
  const { subject, message } = abortedMessage({ model: deps.config.model, executionDate: input.executionDate, executionId: input.executionId ?? 'unknown', error, cause });
  await deps.notifier.publish(subject, message);
  return { Error: error, Cause: cause };
}

function toOutcome(r: CategoryOutcome | StepError, category: string, runId: string): CategoryOutcome {
  if (r && typeof r === 'object' && 'outcome' in r) return r;
  // A branch that failed without reaching its own catch (only possible if recording failed too).
  return { category, runId, outcome: 'FAILED', reason: briefReason(describeFailure(r as StepError)) };
}
