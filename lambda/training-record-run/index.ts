import { ValidationError } from '../shared/registry';
import { TrainingDeps, depsFromEnv } from '../shared/training/deps';
import { classifyTrainingFailure, recordFailure, recordRejectedData, startRun } from '../shared/training/runs';
import { CategoryOutcome, PlannedRun, RunItem, StepError } from '../shared/training/types';
import { loggedHandler } from '../shared/monitoring/logger';

export type RecordRunEvent =
  | { readonly action: 'start'; readonly item: PlannedRun }
  | { readonly action: 'fail'; readonly stage?: string; readonly item: RunItem & { failure?: StepError } }
  | { readonly action: 'classify'; readonly item: RunItem & { failure?: StepError } }
  | { readonly action: 'reject-data'; readonly item: PlannedRun & { failure?: StepError } };

/** Run bookkeeping of one category's branch: start, classify a training failure, record a failure or rejected input data. */
export async function recordRun(event: RecordRunEvent, deps: TrainingDeps = depsFromEnv()): Promise<RunItem | CategoryOutcome | ReturnType<typeof classifyTrainingFailure>> {
  switch (event.action) {
    case 'start':
      return startRun(event.item, deps);
    case 'classify':
      return classifyTrainingFailure(event.item, deps);
    case 'fail':
      return recordFailure({ ...event.item, stage: event.stage }, deps);
    case 'reject-data':
      return recordRejectedData(event.item, deps);
    default:
      throw new ValidationError('action', (event as { action?: unknown }).action, 'use start, classify, fail or reject-data');
  }
}

export const handler = loggedHandler('training-record-run', (event: RecordRunEvent) => recordRun(event));
