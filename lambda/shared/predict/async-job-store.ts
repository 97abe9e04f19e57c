// The job items of the asynchronous composition, one per job in the model's jobs table (key
// `jobId`, TTL attribute `expiresAt`). Every transition is a conditional write, so a message SQS
// delivers twice, or a retry after a worker died mid-job, can never move a finished job again.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/** QUEUED -> RUNNING (once per delivery) -> SUCCEEDED or FAILED (final). */
export type AsyncJobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface AsyncJobItem {
  readonly jobId: string;
  readonly model: string;
  readonly category: string;
  readonly entityId?: string;
  readonly status: AsyncJobStatus;
  /** Deliveries that started the model call. */
  readonly attempts: number;
  readonly submittedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** The served version that answered (SUCCEEDED), or was asked (FAILED after the call). */
  readonly version?: number;
  /** S3 key of the result document (SUCCEEDED). */
  readonly resultKey?: string;
  /** Why the job failed (FAILED). */
  readonly error?: string;
  /** Epoch seconds after which the job is gone (DynamoDB TTL; reads treat it as gone at once). */
  readonly expiresAt: number;
}

export const JOB_TABLE_KEY = 'jobId';
export const JOB_TTL_ATTRIBUTE = 'expiresAt';

export class AsyncJobStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  /** Writes a new QUEUED job; a jobId already taken throws (ids are random UUIDs). */
  async create(item: AsyncJobItem): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(jobId)' }));
  }

  /** The job, or undefined when it does not exist or has expired (TTL deletes up to days late). */
  async get(jobId: string, nowMs: number): Promise<AsyncJobItem | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { jobId }, ConsistentRead: true }));
    const item = out.Item as AsyncJobItem | undefined;
    return item && item.expiresAt * 1000 > nowMs ? item : undefined;
  }

  /** QUEUED or RUNNING -> RUNNING, counting the attempt; false when the job is already final (or gone). */
  async start(jobId: string, at: string): Promise<boolean> {
    return this.conditional(new UpdateCommand({
      TableName: this.tableName, Key: { jobId },
      UpdateExpression: 'SET #s = :running, startedAt = :at ADD attempts :one',
      ConditionExpression: 'attribute_exists(jobId) AND #s IN (:queued, :running)',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':running': 'RUNNING', ':queued': 'QUEUED', ':at': at, ':one': 1 },
    }));
  }

  /** RUNNING -> SUCCEEDED; false when another delivery finished the job first. */
  async succeed(jobId: string, version: number, resultKey: string, at: string): Promise<boolean> {
    return this.conditional(new UpdateCommand({
      TableName: this.tableName, Key: { jobId },
      UpdateExpression: 'SET #s = :done, version = :v, resultKey = :k, finishedAt = :at',
      ConditionExpression: '#s = :running',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':done': 'SUCCEEDED', ':running': 'RUNNING', ':v': version, ':k': resultKey, ':at': at },
    }));
  }

  /** QUEUED or RUNNING -> FAILED with the reason; false when the job is already final. */
  async fail(jobId: string, error: string, at: string, version?: number): Promise<boolean> {
    return this.conditional(new UpdateCommand({
      TableName: this.tableName, Key: { jobId },
      UpdateExpression: `SET #s = :failed, #e = :e, finishedAt = :at${version !== undefined ? ', version = :v' : ''}`,
      ConditionExpression: 'attribute_exists(jobId) AND #s IN (:queued, :running)',
      ExpressionAttributeNames: { '#s': 'status', '#e': 'error' },
      ExpressionAttributeValues: {
        ':failed': 'FAILED', ':queued': 'QUEUED', ':running': 'RUNNING', ':e': error.slice(0, 1000), ':at': at,
        ...(version !== undefined ? { ':v': version } : {}),
      },
    }));
  }

  private async conditional(command: UpdateCommand): Promise<boolean> {
    try {
      await this.doc.send(command);
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException || (e as Error)?.name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }
}
