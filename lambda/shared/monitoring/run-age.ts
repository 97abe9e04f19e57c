// The age of a state machine's newest successful execution, published as a metric every hour.
// CloudWatch evaluates an alarm over at most 7 days, so "no success within the schedule" cannot
// be a heartbeat window for weekly or monthly schedules; an alarm on this age can.
import { DescribeStateMachineCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { METRICS } from '../contract';
import { emfLine } from '../emf';

/** Metric names of the published ages (hours, dimension Model). */
export const RUN_AGE_METRICS = {
  /** Hours since the model's training pipeline last succeeded. */
  training: 'HoursSinceTrainingSucceeded',
  /** Hours since the model's batch inference last succeeded (predictions loaded). */
  batchInference: 'HoursSinceBatchInferenceSucceeded',
} as const;

/** Target input of the hourly rule (set by MlopsMonitoring). */
export interface RunAgeEvent {
  readonly model: string;
  readonly metric: string;
  readonly stateMachineArn: string;
}

export interface RunAgeDeps {
  readonly sfn: Pick<SFNClient, 'send'>;
  readonly now: Date;
  /** Where the EMF line goes (stdout in Lambda: the runtime's JSON log format leaves it alone). */
  readonly write: (line: string) => void;
}

/** Publishes the hours since the newest success (or since the state machine was created, before any success). */
export async function publishRunAge(event: RunAgeEvent, deps: RunAgeDeps): Promise<{ hours: number; since: string }> {
  for (const k of ['model', 'metric', 'stateMachineArn'] as const) {
    if (typeof event?.[k] !== 'string' || event[k] === '') throw new Error(`${k} must be a non-empty string, but ${JSON.stringify(event?.[k])} was provided: check the rule's target input`);
  }
  const page = await deps.sfn.send(new ListExecutionsCommand({ stateMachineArn: event.stateMachineArn, statusFilter: 'SUCCEEDED', maxResults: 1 }));
  let since = page.executions?.[0]?.stopDate;
  if (!since) since = (await deps.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: event.stateMachineArn }))).creationDate;
  if (!since) throw new Error(`state machine ${event.stateMachineArn} has no successful execution and no creation date`);
  const hours = Math.max(0, (deps.now.getTime() - new Date(since).getTime()) / 3_600_000);
  deps.write(emfLine({
    timestamp: deps.now.getTime(),
    dimensions: { [METRICS.dimensions.model]: event.model },
    dimensionSets: [[METRICS.dimensions.model]],
    metrics: [{ name: event.metric, unit: 'None', value: Math.round(hours * 100) / 100 }],
  }));
  return { hours, since: new Date(since).toISOString() };
}
