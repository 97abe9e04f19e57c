import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RegistryContext, decodeToken, encodeToken, strip } from './context';
import { ConflictError, NotFoundError, ValidationError } from './errors';
import { ENTITY, GSI1, keys } from './keys';
import { Page, RUN_STATUSES, Run, RunJob, RunStatus } from './types';
import * as v from './validate';

export interface StartRunInput {
  readonly runId: string;
  readonly model: string;
  readonly category: string;
  readonly executionDate?: string;
  readonly hyperparameters?: Record<string, string | number | boolean>;
  /** @default false */
  readonly experiment?: boolean;
  readonly trigger?: string;
  readonly executionArn?: string;
  readonly datasetVersion?: string;
}

/** Records a run as RUNNING. Starting the same run again while it runs is a no-op (Step Functions retries). */
export async function startRun(ctx: RegistryContext, input: StartRunInput): Promise<Run> {
  const run: Run = {
    runId: v.runId('runId', input.runId),
    model: v.modelName('model', input.model),
    category: v.category('category', input.category),
    status: 'RUNNING',
    startedAt: ctx.now().toISOString(),
    executionDate: v.executionDate('executionDate', input.executionDate),
    hyperparameters: v.hyperparameters('hyperparameters', input.hyperparameters),
    metrics: {},
    artifacts: {},
    experiment: input.experiment ?? false,
    trigger: v.optionalString('trigger', input.trigger, 64),
    executionArn: v.optionalString('executionArn', input.executionArn, 2048),
    datasetVersion: v.optionalString('datasetVersion', input.datasetVersion, 256),
  };
  if (typeof run.experiment !== 'boolean') throw new ValidationError('experiment', input.experiment, 'use true or false');
  try {
    await ctx.doc.send(new PutCommand({
      TableName: ctx.tableName,
      Item: { ...keys.run(run.runId), gsi1pk: keys.runsIndex(run.model), gsi1sk: `${run.startedAt}#${run.runId}`, entity: ENTITY.run, ...run },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
    return run;
  } catch (e) {
    if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    const existing = await requireRun(ctx, run.runId);
    if (existing.status !== 'RUNNING' || existing.model !== run.model || existing.category !== run.category) {
      throw new ConflictError(`run ${run.runId} already exists (${existing.model}/${existing.category}, ${existing.status}): use a new run id`);
    }
    return existing;
  }
}

export interface FinishRunInput {
  readonly runId: string;
  readonly status: RunStatus;
  readonly metrics?: Record<string, number>;
  readonly artifacts?: Record<string, string>;
  readonly logUrl?: string;
  readonly failureCause?: string;
  readonly version?: number;
}

/** Finishes a RUNNING run. Finishing it again with the same status is a no-op; a different final status is a conflict. */
export async function finishRun(ctx: RegistryContext, input: FinishRunInput): Promise<Run> {
  const runId = v.runId('runId', input.runId);
  const status = v.oneOf('status', input.status, RUN_STATUSES.filter((s) => s !== 'RUNNING'));
  const metrics = v.metrics('metrics', input.metrics);
  const artifacts = v.stringMap('artifacts', input.artifacts);
  const logUrl = v.optionalString('logUrl', input.logUrl, 2048);
  const failureCause = v.optionalString('failureCause', input.failureCause?.slice(0, 4096), 4096);
  const version = input.version === undefined ? undefined : v.version('version', input.version);
  // Every attribute goes through a name placeholder: several (metrics, status) are reserved words.
  const fields: Record<string, unknown> = { status, finishedAt: ctx.now().toISOString(), metrics, artifacts, logUrl, failureCause, version };
  const set = Object.entries(fields).filter(([, value]) => value !== undefined);
  try {
    const res = await ctx.doc.send(new UpdateCommand({
      TableName: ctx.tableName,
      Key: keys.run(runId),
      UpdateExpression: `SET ${set.map(([k]) => `#${k} = :${k}`).join(', ')}`,
      ConditionExpression: 'attribute_exists(pk) AND #status = :running',
      ExpressionAttributeNames: Object.fromEntries(set.map(([k]) => [`#${k}`, k])),
      ExpressionAttributeValues: { ...Object.fromEntries(set.map(([k, value]) => [`:${k}`, value])), ':running': 'RUNNING' },
      ReturnValues: 'ALL_NEW',
    }));
    return strip<Run>(res.Attributes ?? {});
  } catch (e) {
    if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    const existing = await requireRun(ctx, runId);
    if (existing.status === status) return existing;
    throw new ConflictError(`run ${runId} already finished as ${existing.status}; it cannot become ${status}`);
  }
}

export interface RecordRunJobInput {
  readonly runId: string;
  readonly job: RunJob;
  /** Link to the job's log, also kept as the run's `logUrl`. */
  readonly logUrl: string;
}

/**
 * Records a run's training job as it ended, and its `logUrl`, whatever the run's status. An
 * earlier attempt never replaces a later one (job events arrive in any order); recording the same
 * attempt again replaces it (a redelivered event). Returns the run, or undefined when the run
 * does not exist or a later attempt is already recorded.
 */
export async function recordRunJob(ctx: RegistryContext, input: RecordRunJobInput): Promise<Run | undefined> {
  const runId = v.runId('runId', input.runId);
  const job = input.job;
  if (!Number.isInteger(job.attempt) || job.attempt < 1) throw new ValidationError('job.attempt', job.attempt, 'use the attempt number of the job name (<runId>-<attempt>), from 1 up');
  const logUrl = v.optionalString('logUrl', input.logUrl, 2048);
  // Bounded: a run item stays far below DynamoDB's 400 KB whatever a job reports.
  const item: RunJob = {
    ...job,
    ...(job.failureReason === undefined ? {} : { failureReason: job.failureReason.slice(0, 4096) }),
    statusHistory: job.statusHistory.slice(-50).map((h) => (h.message === undefined ? h : { ...h, message: h.message.slice(0, 1024) })),
  };
  try {
    const res = await ctx.doc.send(new UpdateCommand({
      TableName: ctx.tableName,
      Key: keys.run(runId),
      UpdateExpression: 'SET #job = :job, #logUrl = :logUrl',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#job) OR #job.#attempt <= :attempt)',
      ExpressionAttributeNames: { '#job': 'job', '#logUrl': 'logUrl', '#attempt': 'attempt' },
      ExpressionAttributeValues: { ':job': item, ':logUrl': logUrl, ':attempt': job.attempt },
      ReturnValues: 'ALL_NEW',
    }));
    return strip<Run>(res.Attributes ?? {});
  } catch (e) {
    if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
    throw e;
  }
}

export async function getRun(ctx: RegistryContext, runIdInput: string): Promise<Run | undefined> {
  const runId = v.runId('runId', runIdInput);
  const res = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: keys.run(runId), ConsistentRead: true }));
  return res.Item ? strip<Run>(res.Item) : undefined;
}

export async function requireRun(ctx: RegistryContext, runId: string): Promise<Run> {
  const run = await getRun(ctx, runId);
  if (!run) throw new NotFoundError(`run ${runId}`, 'list runs with `mlops runs <model>`');
  return run;
}

export interface ListRunsInput {
  readonly model: string;
  readonly category?: string;
  readonly status?: RunStatus;
  /** Runs started at or after this ISO time. */
  readonly since?: string;
  /** Runs started before this ISO time. */
  readonly until?: string;
  readonly limit?: number;
  readonly nextToken?: string;
}

/**
 * Runs of a model, newest first, by start time range; category and status filter the page
 * (a filtered page may hold fewer than `limit` items: follow `nextToken`).
 */
export async function listRuns(ctx: RegistryContext, input: ListRunsInput): Promise<Page<Run>> {
  const model = v.modelName('model', input.model);
  const category = input.category === undefined ? undefined : v.category('category', input.category);
  const status = input.status === undefined ? undefined : v.oneOf('status', input.status, RUN_STATUSES);
  const since = v.isoTime('since', input.since) ?? '0000';
  const until = v.isoTime('until', input.until) ?? '9999';
  const filters: string[] = [];
  const values: Record<string, unknown> = { ':pk': keys.runsIndex(model), ':from': since, ':to': until };
  const names: Record<string, string> = {};
  if (category !== undefined) { filters.push('category = :c'); values[':c'] = category; }
  if (status !== undefined) { filters.push('#s = :s'); values[':s'] = status; names['#s'] = 'status'; }
  const res = await ctx.doc.send(new QueryCommand({
    TableName: ctx.tableName,
    IndexName: GSI1,
    KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
    FilterExpression: filters.length ? filters.join(' AND ') : undefined,
    ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
    ExpressionAttributeValues: values,
    ScanIndexForward: false,
    Limit: v.limit('limit', input.limit),
    ExclusiveStartKey: decodeToken(input.nextToken, {
      gsi1pk: { equals: keys.runsIndex(model) }, gsi1sk: { startsWith: '' }, pk: { startsWith: keys.runPkPrefix }, sk: { equals: keys.runSk },
    }),
  }));
  return { items: (res.Items ?? []).map((i) => strip<Run>(i)), nextToken: encodeToken(res.LastEvaluatedKey) };
}
