import { TrainingDeps, depsFromEnv } from '../shared/training/deps';
import { ExecutionStatusEvent, closeRunsOfEndedExecution } from '../shared/training/execution-ended';
import { loggedHandler } from '../shared/monitoring/logger';

/** Closes the RUNNING runs of a training execution that timed out, was stopped or failed. */
export async function executionEnded(event: ExecutionStatusEvent, deps: TrainingDeps = depsFromEnv()): Promise<{ closed: string[] }> {
  return closeRunsOfEndedExecution(event, deps);
}

export const handler = loggedHandler('training-execution-ended', (event: ExecutionStatusEvent) => executionEnded(event));
