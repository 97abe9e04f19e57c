import { ValidationError } from '../shared/registry';
import { TrainingDeps, depsFromEnv } from '../shared/training/deps';
import { Summary, notifyAborted, summarize } from '../shared/training/summarize';
import { CategoryOutcome, PlanOutput, StepError } from '../shared/training/types';
import { loggedHandler } from '../shared/monitoring/logger';

export type SummarizeEvent =
  | { readonly action: 'summarize'; readonly execution: PlanOutput & { readonly results: Array<CategoryOutcome | StepError> } }
  | { readonly action: 'abort'; readonly executionId: string; readonly state: { readonly error?: StepError; readonly executionDate?: string } };

/** Summarizes an execution (and notifies failures), or notifies an execution aborted before training. */
export async function summarizeExecution(event: SummarizeEvent, deps: TrainingDeps = depsFromEnv()): Promise<Summary | { Error: string; Cause: string }> {
  switch (event.action) {
    case 'summarize': return summarize(event.execution, deps);
    case 'abort': return notifyAborted({ executionId: event.executionId, executionDate: typeof event.state?.executionDate === 'string' ? event.state.executionDate : undefined, error: event.state?.error }, deps);
    default:
      throw new ValidationError('action', (event as { action?: unknown }).action, 'use summarize or abort');
  }
}

export const handler = loggedHandler('training-summarize', (event: SummarizeEvent) => summarizeExecution(event));
