// Rate limit of drift-triggered retraining: one small item per model (`DRIFT#<model>` /
// `#RETRAIN`) in a table the construct passes in (the registry table by default; the prefix
// keeps it apart from registry items, which all start with MODEL# or RUN#). Taking the slot is
// one conditional write, so two alarm events arriving together cannot both start a run.
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DRIFT_STATE } from './constants';

export interface RetrainSlot {
  /** True when this caller took the slot and should start the training execution. */
  readonly acquired: boolean;
  /** Epoch seconds of the start that holds the slot (this one when acquired). */
  readonly lastStartedAt?: number;
  /** Epoch seconds from which a new start is allowed. */
  readonly nextAllowedAt?: number;
  /** What the slot held before this call; pass it to releaseRetrainSlot when the start fails. */
  readonly previousStartedAt?: number;
  /** The execution of that previous start; pass it to releaseRetrainSlot as well. */
  readonly previousExecutionArn?: string;
  /** Execution started with the slot held (when not acquired and the start was recorded). */
  readonly lastExecutionArn?: string;
}

export interface DriftStateOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
}

/**
 * Takes the retrain slot of `model` at `nowSeconds` if the last start is at least
 * `cooldownSeconds` ago (or there was none).
 */
export async function acquireRetrainSlot(opts: DriftStateOptions, input: {
  model: string; nowSeconds: number; cooldownSeconds: number; alarmName?: string;
  /**
   * Take the slot from the start at this epoch second even inside the cooldown (its execution
   * failed before training anything); only if that start still holds it.
   */
  takeOverFrom?: number;
}): Promise<RetrainSlot> {
  if (!Number.isInteger(input.cooldownSeconds) || input.cooldownSeconds < 0) {
    throw new Error(`cooldownSeconds must be a whole number >= 0, but ${input.cooldownSeconds} was provided`);
  }
  const takeOver = input.takeOverFrom !== undefined;
  try {
    const res = await opts.doc.send(new UpdateCommand({
      TableName: opts.tableName,
      Key: { pk: DRIFT_STATE.pk(input.model), sk: DRIFT_STATE.sk },
      UpdateExpression: 'SET lastStartedAt = :now, lastAlarmName = :alarm, entity = :entity, model = :model REMOVE lastExecutionArn ADD starts :one',
      ConditionExpression: takeOver ? 'lastStartedAt = :held' : 'attribute_not_exists(lastStartedAt) OR lastStartedAt <= :cutoff',
      ExpressionAttributeValues: {
        ':now': input.nowSeconds,
        ...(takeOver ? { ':held': input.takeOverFrom } : { ':cutoff': input.nowSeconds - input.cooldownSeconds }),
        ':alarm': input.alarmName ?? 'unknown',
        ':entity': DRIFT_STATE.entity,
        ':model': input.model,
        ':one': 1,
      },
      ReturnValues: 'ALL_OLD',
    }));
    return {
      acquired: true,
      lastStartedAt: input.nowSeconds,
      nextAllowedAt: input.nowSeconds + input.cooldownSeconds,
      previousStartedAt: res.Attributes?.lastStartedAt as number | undefined,
      previousExecutionArn: res.Attributes?.lastExecutionArn as string | undefined,
    };
  } catch (e) {
    if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    const current = await opts.doc.send(new GetCommand({
      TableName: opts.tableName,
      Key: { pk: DRIFT_STATE.pk(input.model), sk: DRIFT_STATE.sk },
      ConsistentRead: true,
    }));
    const last = current.Item?.lastStartedAt as number | undefined;
    return {
      acquired: false,
      lastStartedAt: last,
      nextAllowedAt: last === undefined ? undefined : last + input.cooldownSeconds,
      lastExecutionArn: current.Item?.lastExecutionArn as string | undefined,
    };
  }
}

/**
 * Gives the slot back after the training execution could not be started, so the next alarm
 * is not swallowed by a start that never happened. Only undoes our own write.
 */
export async function releaseRetrainSlot(opts: DriftStateOptions, input: {
  model: string; acquiredAt: number; previousStartedAt?: number; previousExecutionArn?: string;
}): Promise<void> {
  const arn = input.previousExecutionArn;
  const restore = input.previousStartedAt === undefined
    ? { UpdateExpression: 'REMOVE lastStartedAt', ExpressionAttributeValues: { ':mine': input.acquiredAt } }
    : {
      UpdateExpression: `SET lastStartedAt = :prev${arn === undefined ? '' : ', lastExecutionArn = :arn'}`,
      ExpressionAttributeValues: { ':mine': input.acquiredAt, ':prev': input.previousStartedAt, ...(arn === undefined ? {} : { ':arn': arn }) },
    };
  try {
    await opts.doc.send(new UpdateCommand({
      TableName: opts.tableName,
      Key: { pk: DRIFT_STATE.pk(input.model), sk: DRIFT_STATE.sk },
      ConditionExpression: 'lastStartedAt = :mine',
      ...restore,
    }));
  } catch (e) {
    // Someone else took the slot since: theirs stands.
    if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
  }
}

/** Records the execution that used the slot (for `mlops` and humans reading the table). */
export async function recordRetrainExecution(opts: DriftStateOptions, input: {
  model: string; acquiredAt: number; executionArn: string;
}): Promise<void> {
  try {
    await opts.doc.send(new UpdateCommand({
      TableName: opts.tableName,
      Key: { pk: DRIFT_STATE.pk(input.model), sk: DRIFT_STATE.sk },
      UpdateExpression: 'SET lastExecutionArn = :arn',
      ConditionExpression: 'lastStartedAt = :mine',
      ExpressionAttributeValues: { ':arn': input.executionArn, ':mine': input.acquiredAt },
    }));
  } catch (e) {
    if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
  }
}
