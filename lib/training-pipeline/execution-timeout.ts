import { Duration } from 'aws-cdk-lib';

/** What bounds the longest execution of a training pipeline. */
export interface WorstCaseInput {
  readonly categories: number;
  readonly maxConcurrency: number;
  /** Attempts of a job that failed for a transient reason (each may run to `taskTimeout`). */
  readonly trainingAttempts: number;
  /** TimeoutSeconds of the Train state (SageMaker: maxWait + 1 h; Batch: maxRuntime x Spot attempts + 1 h). */
  readonly taskTimeout: Duration;
  /** Longest total wait for quota or capacity per category. */
  readonly capacityWait: Duration;
  /** Manual promotion only: how long approvals are waited for (once, for all categories, after the Map). */
  readonly approvalTimeout?: Duration;
}

/** Standard workflows run at most one year. */
export const MAX_EXECUTION = Duration.days(365);
// The Lambda steps of one category (validate, start, classify, evaluate, gate, promote, record), each with
// a 2-minute timeout and up to 6 retries, and of the execution (plan, validation, summary).
const CATEGORY_STEPS = Duration.hours(2);
const EXECUTION_STEPS = Duration.hours(1);

/**
 * The longest an execution can legitimately run: the Map runs categories in waves of
 * `maxConcurrency`, and in the worst case every category of a wave runs every training attempt
 * to the Train timeout, waits out its capacity budget and the backoffs between attempts; then
 * (manual promotion) the approvals, all waited for at once, take the whole approval timeout.
 * Capped at one year (the Standard limit).
 */
export function worstCaseExecution(input: WorstCaseInput): Duration {
  const waves = Math.ceil(input.categories / input.maxConcurrency);
  let backoff = 0;
  for (let k = 1; k < input.trainingAttempts; k++) backoff += Math.min(3600, 60 * 2 ** (k - 1));
  const perCategory = input.trainingAttempts * input.taskTimeout.toSeconds() + input.capacityWait.toSeconds() + backoff + CATEGORY_STEPS.toSeconds();
  const approvals = input.approvalTimeout?.toSeconds() ?? 0;
  return Duration.seconds(Math.min(MAX_EXECUTION.toSeconds(), EXECUTION_STEPS.toSeconds() + waves * perCategory + approvals));
}
