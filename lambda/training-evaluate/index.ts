import { TrainingDeps, depsFromEnv } from '../shared/training/deps';
import { Evaluation, evaluate } from '../shared/training/evaluate';
import { RunItem } from '../shared/training/types';
import { loggedHandler } from '../shared/monitoring/logger';

export interface EvaluateEvent {
  readonly item: RunItem & { job: { name: string } };
}

/** Reads the run's metrics.json, finishes the run and registers the version (see evaluate). */
export async function evaluateRun(event: EvaluateEvent, deps: TrainingDeps = depsFromEnv()): Promise<Evaluation> {
  return evaluate({ ...event.item, jobName: event.item.job.name }, deps);
}

export const handler = loggedHandler('training-evaluate', (event: EvaluateEvent) => evaluateRun(event));
