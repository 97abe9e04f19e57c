import { allPages } from '../registry/context';
import { TrainingDeps } from './deps';
import { recordFailure } from './runs';
import { RunItem } from './types';

/** EventBridge "Step Functions Execution Status Change" (the fields used). */
export interface ExecutionStatusEvent {
  readonly 'detail-type': string;
  readonly detail: {
    readonly executionArn: string;
    readonly stateMachineArn: string;
    readonly status: string;
    readonly name?: string;
    /** Epoch milliseconds. */
    readonly startDate?: number;
    readonly error?: string | null;
    readonly cause?: string | null;
  };
}


// Runs are recorded after the execution starts; allow for clock skew between the services.
const SKEW_MS = 5 * 60_000;

/**
 * Closes the runs an execution left RUNNING when it timed out, was stopped or failed outside
 * the branches' own catches: each becomes FAILED with the execution's status as the cause (and
 * its outputs are tagged for expiry), as a branch's failure handler would have done. Idempotent:
 * EventBridge delivers at least once, and a run already closed is not listed again.
 */
export async function closeRunsOfEndedExecution(event: ExecutionStatusEvent, deps: TrainingDeps): Promise<{ closed: string[] }> {
  const { executionArn, status, startDate, error, cause } = event.detail;
  const since = typeof startDate === 'number' ? new Date(startDate - SKEW_MS).toISOString() : undefined;
  const running = await allPages((nextToken) => deps.registry.listRuns({ model: deps.config.model, status: 'RUNNING', since, nextToken }));
  const closed: string[] = [];
  for (const run of running.filter((r) => r.executionArn === executionArn)) {
    const item = { model: run.model, category: run.category, runId: run.runId, experiment: run.experiment, executionId: executionArn } as RunItem;
    const why = `execution ${status}${error ? `: ${error}` : ''}${cause ? ` (${cause})` : ''}; the run was still RUNNING`;
    await recordFailure({ ...item, stage: 'Execution', failure: { Error: `Execution${status === 'TIMED_OUT' ? 'TimedOut' : status === 'ABORTED' ? 'Aborted' : 'Failed'}`, Cause: why } }, deps);
    closed.push(run.runId);
  }
  return { closed };
}
