import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RegistryContext, decodeToken, encodeToken, strip } from './context';
import { ConflictError, NotFoundError, ValidationError } from './errors';
import { ENTITY, GSI1, keys } from './keys';
import { Page, RUN_STATUSES, Run, RunJob, RunNote, RunStatus } from './types';
import { MetricSeries, validateMetricSeries } from './metric-series';
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
  /** The training image the run uses (`repo@sha256:...` when pinned). */
  readonly image?: string;
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
    image: v.optionalString('image', input.image, 512),
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
  /** The run's metric curves (see parseMetricSeries). */
  readonly metricSeries?: MetricSeries;
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
  const metricSeries = validateMetricSeries('metricSeries', input.metricSeries);
  // Every attribute goes through a name placeholder: several (metrics, status) are reserved words.
  const fields: Record<string, unknown> = { status, finishedAt: ctx.now().toISOString(), metrics, artifacts, logUrl, failureCause, version, metricSeries };
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

/** Tags a run may carry, and their sizes: labels, not documents. */
const MAX_TAGS = 50;
const TAG_NAME = /^[A-Za-z][A-Za-z0-9_.:/-]{0,63}$/;

export interface TagRunInput {
  readonly runId: string;
  /** Name to value; an empty value removes the tag. */
  readonly tags: Record<string, string>;
}

/**
 * Sets (or, with an empty value, removes) tags on a run of any status. Each tag is its own map
 * entry, so two people tagging one run at once both keep their tags.
 */
export async function tagRun(ctx: RegistryContext, input: TagRunInput): Promise<Run> {
  const runId = v.runId('runId', input.runId);
  const entries = Object.entries(input.tags ?? {});
  if (entries.length === 0) throw new ValidationError('tags', input.tags, 'give at least one name=value');
  for (const [name, value] of entries) {
    if (!TAG_NAME.test(name)) throw new ValidationError('tag name', name, 'use a letter then letters, digits, "_", ".", ":", "/" or "-" (at most 64)');
    if (typeof value !== 'string' || value.length > 256) throw new ValidationError(`tags.${name}`, value, 'use a text of at most 256 characters');
  }
  const existing = await requireRun(ctx, runId);
  const after = { ...(existing.tags ?? {}) };
  for (const [name, value] of entries) {
    if (value === '') delete after[name];
    else after[name] = value;
  }
  if (Object.keys(after).length > MAX_TAGS) throw new ValidationError('tags', `${Object.keys(after).length} tags`, `keep at most ${MAX_TAGS} tags on a run (remove some with name=)`);
  const names: Record<string, string> = { '#tags': 'tags' };
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  entries.forEach(([name, value], i) => {
    names[`#t${i}`] = name;
    if (value === '') removes.push(`#tags.#t${i}`);
    else { sets.push(`#tags.#t${i} = :t${i}`); values[`:t${i}`] = value; }
  });
  // Runs recorded before tags existed have no map: create it first (only if still absent).
  if (existing.tags === undefined) {
    try {
      await ctx.doc.send(new UpdateCommand({
        TableName: ctx.tableName, Key: keys.run(runId), UpdateExpression: 'SET #tags = :empty',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#tags)',
        ExpressionAttributeNames: { '#tags': 'tags' }, ExpressionAttributeValues: { ':empty': {} },
      }));
    } catch (e) {
      if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    }
  }
  const res = await ctx.doc.send(new UpdateCommand({
    TableName: ctx.tableName, Key: keys.run(runId),
    UpdateExpression: [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' '),
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
    ReturnValues: 'ALL_NEW',
  }));
  return strip<Run>(res.Attributes ?? {});
}

/** Notes kept per run (the oldest are never dropped: a note is audit). */
const MAX_NOTES = 100;

export interface AddRunNoteInput {
  readonly runId: string;
  readonly text: string;
  readonly actor: string;
}

/** Appends a note to a run of any status (atomic append; at most 100 notes of 2,000 characters). */
export async function addRunNote(ctx: RegistryContext, input: AddRunNoteInput): Promise<Run> {
  const runId = v.runId('runId', input.runId);
  const text = typeof input.text === 'string' ? input.text.trim() : '';
  if (text === '' || text.length > 2000) throw new ValidationError('note', input.text, 'write a note of 1 to 2,000 characters');
  const note: RunNote = { at: ctx.now().toISOString(), actor: v.nonEmpty('actor', input.actor, 'say who writes the note (a user name)', 256), text };
  try {
    const res = await ctx.doc.send(new UpdateCommand({
      TableName: ctx.tableName, Key: keys.run(runId),
      UpdateExpression: 'SET #notes = list_append(if_not_exists(#notes, :empty), :note)',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#notes) OR size(#notes) < :max)',
      ExpressionAttributeNames: { '#notes': 'notes' },
      ExpressionAttributeValues: { ':empty': [], ':note': [note], ':max': MAX_NOTES },
      ReturnValues: 'ALL_NEW',
    }));
    return strip<Run>(res.Attributes ?? {});
  } catch (e) {
    if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    const existing = await requireRun(ctx, runId);
    throw new ConflictError(`run ${runId} already has ${existing.notes?.length ?? 0} notes (the most kept): tag it instead, or note on a newer run`);
  }
}

export interface LinkExperimentRunInput {
  readonly runId: string;
  readonly experimentId: string;
  readonly mlflowRunId: string;
}

/** Records the MLflow run a registry run was mirrored to (ExperimentTracking). */
export async function linkExperimentRun(ctx: RegistryContext, input: LinkExperimentRunInput): Promise<void> {
  const runId = v.runId('runId', input.runId);
  const mlflow = {
    experimentId: v.nonEmpty('experimentId', input.experimentId, 'give the MLflow experiment id', 256),
    runId: v.nonEmpty('mlflowRunId', input.mlflowRunId, 'give the MLflow run id', 256),
  };
  await ctx.doc.send(new UpdateCommand({
    TableName: ctx.tableName, Key: keys.run(runId),
    UpdateExpression: 'SET #mlflow = :m', ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#mlflow': 'mlflow' }, ExpressionAttributeValues: { ':m': mlflow },
  }));
}
