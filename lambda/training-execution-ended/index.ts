import { TrainingDeps, depsFromEnv } from '../shared/training/deps';
import { ExecutionStatusEvent, closeRunsOfEndedExecution } from '../shared/training/execution-ended';
import { JobClients, JobExplanation, JobStateEvent, explainEndedJob, jobClientsFromEnv } from '../shared/training/job-ended';
import { loggedHandler } from '../shared/monitoring/logger';

/**
 * Records how a training execution or job ended: an execution that timed out, was stopped or
 * failed gets its RUNNING runs closed; an ended training job is recorded on its run (failure
 * reason, status history, billable seconds, console and log links).
 */
export async function executionEnded(event: ExecutionStatusEvent, deps?: TrainingDeps): Promise<{ closed: string[] }>;
export async function executionEnded(event: JobStateEvent, deps?: TrainingDeps, clients?: JobClients): Promise<JobExplanation>;
export async function executionEnded(event: ExecutionStatusEvent | JobStateEvent, deps?: TrainingDeps, clients?: JobClients): Promise<{ closed: string[] } | JobExplanation>;
export async function executionEnded(event: ExecutionStatusEvent | JobStateEvent, deps: TrainingDeps = depsFromEnv(), clients?: JobClients): Promise<{ closed: string[] } | JobExplanation> {
  if (event['detail-type'] === 'Step Functions Execution Status Change') return closeRunsOfEndedExecution(event as ExecutionStatusEvent, deps);
  return explainEndedJob(event as JobStateEvent, deps, clients ?? jobClientsFromEnv());
}

export const handler = loggedHandler('training-execution-ended', (event: ExecutionStatusEvent | JobStateEvent) => executionEnded(event));
