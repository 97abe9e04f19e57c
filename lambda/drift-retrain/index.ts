// Starts a model's training pipeline when its drift alarm goes to ALARM, at most once per
// cooldown. Invoked by an EventBridge rule on "CloudWatch Alarm State Change"; the rule's
// target input (set by MlopsMonitoring) names the model, its pipeline and the cooldown.
//
// Execution date: left to the pipeline, whose Plan step reads the execution's start time in
// the pipeline's own time zone (as for a manual start); an alarm at 00:30 in Paris trains on
// that Paris date, not on the UTC date before it.
// Rate limit: a start holds the slot for the cooldown, except when its execution failed in data
// validation (the day's data missing or invalid, nothing trained, nothing paid): the next alarm
// then takes the slot over instead of being swallowed until the cooldown ends. A run that
// failed later (training, evaluation) keeps the slot, so a broken training is not restarted on
// every alarm.
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/dynamo';
import { requireEnv } from '../shared/env';
import { DRIFT_TRIGGER, MONITORING_ENV } from '../shared/monitoring/constants';
import { acquireRetrainSlot, recordRetrainExecution, releaseRetrainSlot } from '../shared/monitoring/drift-state';
import { createLogger, startInvocation } from '../shared/monitoring/logger';

/** Target input of the drift rule (see lib/monitoring/drift-loop.ts). */
export interface DriftRetrainEvent {
  readonly model: string;
  readonly stateMachineArn: string;
  readonly cooldownSeconds: number;
  readonly alarmName?: string;
  /** New alarm state; only ALARM starts a run (the rule already filters, this is belt and braces). */
  readonly state?: string;
  readonly reason?: string;
  /** Event time (ISO 8601). */
  readonly time?: string;
}

export interface DriftRetrainResult {
  readonly status: 'STARTED' | 'RATE_LIMITED' | 'IGNORED';
  readonly model: string;
  readonly executionArn?: string;
  /** ISO time from which the next drift-triggered run may start. */
  readonly nextAllowedAt?: string;
}

/**
 * Input of the training execution started because of drift. It names no execution date: the
 * pipeline takes the start date in its own time zone.
 */
export interface DriftExecutionInput {
  readonly model: string;
  readonly trigger: typeof DRIFT_TRIGGER;
  readonly drift: { readonly alarmName?: string; readonly reason?: string; readonly at: string };
}

/**
 * Error of a training execution whose input data failed validation before anything was
 * trained: the name of lambda/shared/training/validate-data.ts's DataValidationError, which the
 * pipeline's abort path passes on as the execution's error (a test keeps the two equal).
 */
export const DATA_VALIDATION_ERROR = 'DataValidationError';

export interface DriftRetrainDeps {
  readonly doc: DynamoDBDocumentClient;
  readonly sfn: Pick<SFNClient, 'send'>;
  readonly stateTable: string;
  readonly now?: () => Date;
}

const logger = createLogger('drift-retrain');

export async function retrainOnDrift(event: DriftRetrainEvent, deps: DriftRetrainDeps): Promise<DriftRetrainResult> {
  validate(event);
  if (event.state !== undefined && event.state !== 'ALARM') {
    logger.info('alarm state is not ALARM; nothing to do', { state: event.state });
    return { status: 'IGNORED', model: event.model };
  }
  const now = (deps.now ?? (() => new Date()))();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const store = { doc: deps.doc, tableName: deps.stateTable };
  const request = { model: event.model, nowSeconds, cooldownSeconds: event.cooldownSeconds, alarmName: event.alarmName };
  let slot = await acquireRetrainSlot(store, request);
  if (!slot.acquired && slot.lastExecutionArn !== undefined && await failedInDataValidation(deps.sfn, slot.lastExecutionArn)) {
    logger.info('the execution holding the slot failed in data validation; taking the slot over', { heldBy: slot.lastExecutionArn });
    slot = await acquireRetrainSlot(store, { ...request, takeOverFrom: slot.lastStartedAt });
  }
  if (!slot.acquired) {
    const nextAllowedAt = slot.nextAllowedAt === undefined ? undefined : new Date(slot.nextAllowedAt * 1000).toISOString();
    logger.info('drift retraining rate-limited', { lastStartedAt: slot.lastStartedAt, nextAllowedAt });
    return { status: 'RATE_LIMITED', model: event.model, nextAllowedAt };
  }

  const input: DriftExecutionInput = {
    model: event.model,
    trigger: DRIFT_TRIGGER,
    drift: { alarmName: event.alarmName, reason: event.reason, at: event.time ?? now.toISOString() },
  };
  let executionArn: string;
  try {
    const res = await deps.sfn.send(new StartExecutionCommand({
      stateMachineArn: event.stateMachineArn,
      // Deterministic per slot: a retried start with the same name and input is idempotent.
      name: executionName(event.model, now),
      input: JSON.stringify(input),
    }));
    executionArn = res.executionArn ?? '';
  } catch (e) {
    await releaseRetrainSlot(store, { model: event.model, acquiredAt: nowSeconds, previousStartedAt: slot.previousStartedAt, previousExecutionArn: slot.previousExecutionArn });
    logger.error('could not start the training pipeline; slot released', { error: (e as Error).message });
    throw e;
  }
  await recordRetrainExecution(store, { model: event.model, acquiredAt: nowSeconds, executionArn });
  logger.info('drift retraining started', { executionArn, status: 'STARTED' });
  return { status: 'STARTED', model: event.model, executionArn, nextAllowedAt: new Date((slot.nextAllowedAt ?? nowSeconds) * 1000).toISOString() };
}

async function failedInDataValidation(sfn: Pick<SFNClient, 'send'>, executionArn: string): Promise<boolean> {
  const res = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  return res.status === 'FAILED' && res.error === DATA_VALIDATION_ERROR;
}

/** `drift-<model>-<yyyymmddThhmmss>`, within Step Functions' 80 characters and character set. */
export function executionName(model: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const safeModel = model.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80 - 'drift--'.length - stamp.length);
  return `drift-${safeModel}-${stamp}`;
}

function validate(event: DriftRetrainEvent): void {
  if (!event || typeof event.model !== 'string' || event.model === '') {
    throw new Error(`event.model must be the model name, but ${JSON.stringify(event?.model)} was provided: check the drift rule's target input`);
  }
  if (typeof event.stateMachineArn !== 'string' || !event.stateMachineArn.startsWith('arn:')) {
    throw new Error(`event.stateMachineArn must be a state machine ARN, but ${JSON.stringify(event.stateMachineArn)} was provided: check the drift rule's target input`);
  }
  if (typeof event.cooldownSeconds !== 'number') {
    throw new Error(`event.cooldownSeconds must be a number of seconds, but ${JSON.stringify(event.cooldownSeconds)} was provided`);
  }
}

let deps: DriftRetrainDeps | undefined;

export async function handler(event: DriftRetrainEvent, context?: { awsRequestId?: string }): Promise<DriftRetrainResult> {
  startInvocation(logger, context, { model: event?.model });
  deps ??= { doc: documentClient(), sfn: new SFNClient({}), stateTable: requireEnv(MONITORING_ENV.driftStateTable) };
  return retrainOnDrift(event, deps);
}
