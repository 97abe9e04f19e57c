import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { RegistryContext, allPages, backoff, cancellationCodes, decodeToken, encodeToken, isTransientTransactionError, strip } from './context';
import { ConflictError, NotFoundError, ValidationError } from './errors';
import { ENTITY, keys } from './keys';
import { addCategory, requireModel } from './models';
import { Direction, ModelVersion, Page, VERSION_STATUSES, VersionStatus, VersionStatusChange } from './types';
import * as v from './validate';

export interface RegisterVersionInput {
  readonly model: string;
  readonly category: string;
  readonly artifactUri: string;
  readonly metrics?: Record<string, number>;
  readonly datasetVersion?: string;
  readonly image?: string;
  /** Revision of the training code (e.g. a git commit). */
  readonly codeRevision?: string;
  readonly hyperparameters?: Record<string, string | number | boolean>;
  /** Training run that produced the version; makes registration idempotent per run. */
  readonly runId?: string;
  readonly executionDate?: string;
  readonly description?: string;
  /** @default 'REGISTERED' */
  readonly status?: VersionStatus;
  readonly actor: string;
}

/**
 * Registers a new version with the next number of (model, category): 1, 2, 3, ... with no gaps
 * or duplicates under concurrency. The counter bump and the version write are one conditional
 * transaction (optimistic concurrency on the counter), so a number is only used when its version
 * exists. Registering again with the same runId returns the version that run already registered.
 */
export async function registerVersion(ctx: RegistryContext, input: RegisterVersionInput): Promise<ModelVersion> {
  const model = v.modelName('model', input.model);
  const category = v.category('category', input.category);
  const base = {
    model,
    category,
    status: input.status === undefined ? 'REGISTERED' as const : v.oneOf('status', input.status, ['REGISTERED', 'PENDING_APPROVAL'] as const),
    artifactUri: uri('artifactUri', input.artifactUri),
    metrics: v.metrics('metrics', input.metrics),
    datasetVersion: v.optionalString('datasetVersion', input.datasetVersion, 256),
    image: v.optionalString('image', input.image, 512),
    codeRevision: v.optionalString('codeRevision', input.codeRevision, 256),
    hyperparameters: v.hyperparameters('hyperparameters', input.hyperparameters),
    runId: input.runId === undefined ? undefined : v.runId('runId', input.runId),
    executionDate: v.executionDate('executionDate', input.executionDate),
    description: v.optionalString('description', input.description),
    registeredBy: v.nonEmpty('actor', input.actor, 'say who is registering (a user name or a pipeline id)', 256),
  };
  const line = keys.line(model, category);

  if (base.runId !== undefined) {
    const existing = await versionOfRun(ctx, model, category, base.runId);
    // A retry after the version was committed: repair the category a throttled first call missed.
    if (existing) return withCategory(ctx, existing);
  }
  await requireModel(ctx, model);

  for (let attempt = 0; attempt < ctx.maxAttempts; attempt++) {
    const counter = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: { pk: line, sk: keys.counterSk }, ConsistentRead: true }));
    const latest = (counter.Item?.latest as number | undefined) ?? 0;
    const next = latest + 1;
    const record: ModelVersion = { ...base, version: next, registeredAt: ctx.now().toISOString() };
    const items = [
      {
        Update: {
          TableName: ctx.tableName,
          Key: { pk: line, sk: keys.counterSk },
          UpdateExpression: 'SET latest = :next, entity = :entity',
          ConditionExpression: latest === 0 ? 'attribute_not_exists(pk)' : 'latest = :latest',
          ExpressionAttributeValues: { ':next': next, ':entity': ENTITY.counter, ...(latest === 0 ? {} : { ':latest': latest }) },
        },
      },
      {
        Put: {
          TableName: ctx.tableName,
          Item: { pk: line, sk: keys.versionSk(next), entity: ENTITY.version, ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...(base.runId === undefined ? [] : [{
        Put: {
          TableName: ctx.tableName,
          Item: { pk: line, sk: keys.runRefSk(base.runId), entity: ENTITY.runRef, version: next },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      }]),
    ];
    // Only the transaction is retried: once it committed, a failure of anything after it must
    // not register the same artifact again under the next number.
    try {
      await ctx.doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (e) {
      const codes = cancellationCodes(e);
      if (codes?.[2] === 'ConditionalCheckFailed' && base.runId !== undefined) {
        const existing = await versionOfRun(ctx, model, category, base.runId);
        if (existing) return withCategory(ctx, existing);
      }
      const lostRace = codes?.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict') ?? false;
      if (!lostRace && !isTransientTransactionError(e)) throw e;
      await backoff(attempt);
      continue;
    }
    return withCategory(ctx, record);
  }
  throw new ConflictError(`could not register a version of ${model}/${category} after ${ctx.maxAttempts} attempts: too many concurrent registrations; retry later`);
}

export async function getVersion(ctx: RegistryContext, modelInput: string, categoryInput: string, versionInput: number): Promise<ModelVersion | undefined> {
  const model = v.modelName('model', modelInput);
  const category = v.category('category', categoryInput);
  const version = v.version('version', versionInput);
  const res = await ctx.doc.send(new GetCommand({
    TableName: ctx.tableName,
    Key: { pk: keys.line(model, category), sk: keys.versionSk(version) },
    ConsistentRead: true,
  }));
  return res.Item ? strip<ModelVersion>(res.Item) : undefined;
}

export async function requireVersion(ctx: RegistryContext, model: string, category: string, version: number): Promise<ModelVersion> {
  const found = await getVersion(ctx, model, category, version);
  if (!found) {
    throw new NotFoundError(`version ${version} of ${model}/${category}`, `list the versions with \`mlops versions ${model} --category ${category}\``);
  }
  return found;
}

/** Versions of (model, category), newest first, one page at a time. */
export async function listVersions(ctx: RegistryContext, modelInput: string, categoryInput: string, opts: { limit?: number; nextToken?: string } = {}): Promise<Page<ModelVersion>> {
  const model = v.modelName('model', modelInput);
  const category = v.category('category', categoryInput);
  const res = await ctx.doc.send(new QueryCommand({
    TableName: ctx.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
    ExpressionAttributeValues: { ':pk': keys.line(model, category), ':v': keys.versionPrefix },
    ScanIndexForward: false,
    Limit: v.limit('limit', opts.limit),
    ExclusiveStartKey: decodeToken(opts.nextToken, { pk: { equals: keys.line(model, category) }, sk: { startsWith: keys.versionPrefix } }),
  }));
  return { items: (res.Items ?? []).map((i) => strip<ModelVersion>(i)), nextToken: encodeToken(res.LastEvaluatedKey) };
}

/** Every version of (model, category), newest first (follows all pages). */
export function allVersions(ctx: RegistryContext, model: string, category: string): Promise<ModelVersion[]> {
  return allPages((nextToken) => listVersions(ctx, model, category, { nextToken }));
}

/**
 * The best version of (model, category) by a metric; rejected versions and versions without
 * the metric are skipped. Ties go to the newer version.
 */
export async function findBestVersion(ctx: RegistryContext, input: { model: string; category: string; metric: string; direction: Direction }): Promise<ModelVersion | undefined> {
  const metric = v.metricName('metric', input.metric);
  const direction = v.oneOf('direction', input.direction, ['maximize', 'minimize'] as const);
  let best: ModelVersion | undefined;
  for (const ver of await allVersions(ctx, input.model, input.category)) {
    const value = ver.metrics[metric];
    if (ver.status === 'REJECTED' || value === undefined) continue;
    const bestValue = best?.metrics[metric];
    if (bestValue === undefined || (direction === 'maximize' ? value > bestValue : value < bestValue)) best = ver;
  }
  return best;
}

/** Approves or rejects a version (or marks it pending approval). A production version cannot be rejected. */
export async function setVersionStatus(ctx: RegistryContext, input: {
  model: string; category: string; version: number; status: VersionStatus; actor: string; reason: string;
}): Promise<ModelVersion> {
  const model = v.modelName('model', input.model);
  const category = v.category('category', input.category);
  const version = v.version('version', input.version);
  const status = v.oneOf('status', input.status, VERSION_STATUSES);
  const actor = v.nonEmpty('actor', input.actor, 'say who is acting', 256);
  const reason = v.nonEmpty('reason', input.reason, 'say why, for the audit trail (e.g. "offline metrics reviewed")');
  const line = keys.line(model, category);
  const notFound = () => new NotFoundError(`version ${version} of ${model}/${category}`, `list the versions with \`mlops versions ${model} --category ${category}\``);
  const at = ctx.now().toISOString();
  const update = {
    TableName: ctx.tableName,
    Key: { pk: line, sk: keys.versionSk(version) },
    UpdateExpression: 'SET #s = :s, statusReason = :r, statusChangedAt = :t, statusChangedBy = :a',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':s': status, ':r': reason, ':t': at, ':a': actor },
  };
  // The status history: one item per change, written with the change.
  const change: VersionStatusChange = { model, category, version, status, actor, reason, at };
  const history = { Put: { TableName: ctx.tableName, Item: { pk: line, sk: keys.statusChangeSk(at, version, status), entity: ENTITY.statusChange, ...change } } };
  const conflict = () => new ConflictError(`version ${version} of ${model}/${category} changed while its status was being set (a promotion in progress?): check \`mlops versions ${model} --category ${category}\` and retry`);
  if (status !== 'REJECTED') {
    try {
      await ctx.doc.send(new TransactWriteCommand({ TransactItems: [{ Update: update }, history] }));
    } catch (e) {
      const codes = cancellationCodes(e);
      if (codes?.[0] === 'ConditionalCheckFailed') throw notFound();
      if (codes?.includes('TransactionConflict')) throw conflict();
      throw e;
    }
    return requireVersion(ctx, model, category, version);
  }
  // Rejecting checks the production pointer in the same transaction: promote's own transaction
  // checks the version is not rejected, so one of two racing calls always loses.
  try {
    await ctx.doc.send(new TransactWriteCommand({
      TransactItems: [
        {
          ConditionCheck: {
            TableName: ctx.tableName,
            Key: { pk: line, sk: keys.productionSk },
            ConditionExpression: 'attribute_not_exists(pk) OR version <> :v',
            ExpressionAttributeValues: { ':v': version },
          },
        },
        { Update: update },
        history,
      ],
    }));
  } catch (e) {
    const codes = cancellationCodes(e);
    if (codes?.[0] === 'ConditionalCheckFailed') {
      throw new ConflictError(`version ${version} of ${model}/${category} is in production and cannot be rejected: roll back or promote another version first`);
    }
    if (codes?.[1] === 'ConditionalCheckFailed') throw notFound();
    if (codes?.includes('TransactionConflict')) throw conflict();
    throw e;
  }
  return requireVersion(ctx, model, category, version);
}

/** Status changes of a (model, category)'s versions, newest first (`version` narrows to one). */
export async function listStatusHistory(ctx: RegistryContext, modelInput: string, categoryInput: string, opts: { version?: number; limit?: number; nextToken?: string } = {}): Promise<Page<VersionStatusChange>> {
  const model = v.modelName('model', modelInput);
  const category = v.category('category', categoryInput);
  const version = opts.version === undefined ? undefined : v.version('version', opts.version);
  const line = keys.line(model, category);
  const res = await ctx.doc.send(new QueryCommand({
    TableName: ctx.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
    ...(version === undefined ? {} : { FilterExpression: 'version = :v' }),
    ExpressionAttributeValues: { ':pk': line, ':p': keys.statusChangePrefix, ...(version === undefined ? {} : { ':v': version }) },
    ScanIndexForward: false,
    Limit: v.limit('limit', opts.limit),
    ExclusiveStartKey: decodeToken(opts.nextToken, { pk: { equals: line }, sk: { startsWith: keys.statusChangePrefix } }),
  }));
  return { items: (res.Items ?? []).map((i) => strip<VersionStatusChange>(i)), nextToken: encodeToken(res.LastEvaluatedKey) };
}

/** Attempts of the category update after a committed registration (throttling only). */
const CATEGORY_ATTEMPTS = 5;

/**
 * Records the version's category on the model (an idempotent set ADD), retrying throttling.
 * If it still fails, the error reaches the caller with the version committed; registering
 * again with the same runId returns that version and records the category then.
 */
async function withCategory(ctx: RegistryContext, version: ModelVersion): Promise<ModelVersion> {
  for (let attempt = 1; ; attempt++) {
    try {
      await addCategory(ctx, version.model, version.category);
      return version;
    } catch (e) {
      if (attempt >= CATEGORY_ATTEMPTS || !isTransientTransactionError(e)) throw e;
      await backoff(attempt);
    }
  }
}

async function versionOfRun(ctx: RegistryContext, model: string, category: string, runId: string): Promise<ModelVersion | undefined> {
  const ref = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: { pk: keys.line(model, category), sk: keys.runRefSk(runId) }, ConsistentRead: true }));
  const version = ref.Item?.version as number | undefined;
  return version === undefined ? undefined : getVersion(ctx, model, category, version);
}

function uri(field: string, value: unknown): string {
  if (typeof value !== 'string' || !/^(s3|https?|file):\/\/\S+$/.test(value) || value.length > 2048) {
    throw new ValidationError(field, value, 'use the URI of the model artifact, e.g. "s3://bucket/models/demand/run-1/model.tar.gz"');
  }
  return value;
}
