// Two-phase promotion, second phase: the served pointer (what prediction servers read) follows
// the production pointer (the desired version) once that version's predictions are loaded.
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { RegistryContext, backoff, cancellationCodes, isTransientTransactionError, strip } from './context';
import { ConflictError, ValidationError } from './errors';
import { ENTITY, keys } from './keys';
import { EndpointRecord, PredictionLoad, ProductionPointer, PromotionEvent, ServedPointer } from './types';
import * as v from './validate';

async function getItem<T>(ctx: RegistryContext, pk: string, sk: string): Promise<T | undefined> {
  const res = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: { pk, sk }, ConsistentRead: true }));
  return res.Item ? strip<T>(res.Item) : undefined;
}

/** The stored served pointer only (no carry-over of a pointer from before two-phase promotion). */
export function getServedItem(ctx: RegistryContext, model: string, category: string): Promise<ServedPointer | undefined> {
  return getItem<ServedPointer>(ctx, keys.line(model, category), keys.servedSk);
}

/** A production pointer from before two-phase promotion, read as the served pointer it was. */
export function carriedOver(pointer: ProductionPointer): ServedPointer {
  return { model: pointer.model, category: pointer.category, version: pointer.version, sequence: pointer.sequence, since: pointer.since, promotedAt: pointer.since };
}

/**
 * The version servers answer with for (model, category): the served pointer, or a production
 * pointer written before two-phase promotion (it was served), else undefined.
 */
export async function getServed(ctx: RegistryContext, modelInput: string, categoryInput: string): Promise<ServedPointer | undefined> {
  const model = v.modelName('model', modelInput);
  const category = v.category('category', categoryInput);
  const served = await getServedItem(ctx, model, category);
  if (served) return served;
  const desired = await getItem<ProductionPointer>(ctx, keys.line(model, category), keys.productionSk);
  return desired && !desired.servedTracked ? carriedOver(desired) : undefined;
}

/** The newest completed load of a version's predictions, or undefined. */
export async function getLoad(ctx: RegistryContext, modelInput: string, categoryInput: string, versionInput: number): Promise<PredictionLoad | undefined> {
  const model = v.modelName('model', modelInput);
  const category = v.category('category', categoryInput);
  return getItem<PredictionLoad>(ctx, keys.line(model, category), keys.loadSk(v.version('version', versionInput)));
}

/** Whether a load's predictions are still there at `now` (TTL not reached). */
export function isFresh(load: PredictionLoad | undefined, now: Date): load is PredictionLoad {
  return load !== undefined && Date.parse(load.expiresAt) > now.getTime();
}

export interface MarkLoadedInput {
  readonly model: string;
  readonly category: string;
  readonly version: number;
  /** generatedAt of the loaded batch. */
  readonly generatedAt: string;
  /** Hours the loaded predictions stay valid. */
  readonly ttlHours: number;
}

export interface MarkLoadedResult {
  readonly load: PredictionLoad;
  /** The served pointer after the call. */
  readonly served?: ServedPointer;
  /** True when this load moved the served pointer. */
  readonly flipped: boolean;
}

/**
 * Records that a version's predictions are loaded and, when that version is the desired one and
 * not yet served, moves the served pointer to it. The flip is one conditional transaction (the
 * desired pointer unchanged, the served pointer unchanged, the promotion's audit record gains
 * `servedAt`), so a promotion or another load racing with it is never overwritten.
 */
export async function markLoaded(ctx: RegistryContext, input: MarkLoadedInput): Promise<MarkLoadedResult> {
  const model = v.modelName('model', input.model);
  const category = v.category('category', input.category);
  const version = v.version('version', input.version);
  const generatedAt = v.isoTime('generatedAt', input.generatedAt);
  if (generatedAt === undefined) throw new ValidationError('generatedAt', input.generatedAt, 'pass the ISO time the batch was generated');
  if (!(input.ttlHours > 0)) throw new ValidationError('ttlHours', input.ttlHours, 'pass the predictions\' TTL in hours (greater than 0)');
  const line = keys.line(model, category);
  for (let attempt = 0; attempt < ctx.maxAttempts; attempt++) {
    const now = ctx.now().toISOString();
    const load: PredictionLoad = {
      model, category, version, generatedAt, loadedAt: now,
      expiresAt: new Date(Date.parse(generatedAt) + Math.round(input.ttlHours * 3600) * 1000).toISOString(),
    };
    const desired = await getItem<ProductionPointer>(ctx, line, keys.productionSk);
    const stored = await getServedItem(ctx, model, category);
    const served = stored ?? (desired && !desired.servedTracked ? carriedOver(desired) : undefined);
    // The last load wins: its items are the ones in the predictions table (same keys per version).
    const putLoad = { TableName: ctx.tableName, Item: { pk: line, sk: keys.loadSk(version), entity: ENTITY.load, ...load } };
    if (desired?.version !== version || served?.version === version) {
      // Not the desired version (promoted away meanwhile), or already served: only the load is recorded.
      await ctx.doc.send(new PutCommand(putLoad));
      return { load, served, flipped: false };
    }
    const next: ServedPointer = { model, category, version, sequence: desired.sequence, since: now, promotedAt: desired.since, generatedAt };
    try {
      await ctx.doc.send(new TransactWriteCommand({
        TransactItems: [{ Put: putLoad }, ...servedMoveItems(ctx, line, next, stored, desired.sequence, now)],
      }));
      return { load, served: next, flipped: true };
    } catch (e) {
      const lostRace = cancellationCodes(e)?.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict') ?? false;
      if (!lostRace && !isTransientTransactionError(e)) throw e;
      await backoff(attempt);
    }
  }
  throw new ConflictError(`could not record the load of ${model}/${category} version ${version} after ${ctx.maxAttempts} attempts: too many concurrent promotions; retry`);
}

/**
 * Records on the promotion's audit record why the desired version could not be scored. The
 * served pointer stays where it was. Returns the promotion event written to, or undefined when
 * the version is not waiting to be served (promoted away meanwhile, or already served).
 */
export async function recordScoringFailure(ctx: RegistryContext, input: { model: string; category: string; version: number; reason: string }): Promise<PromotionEvent | undefined> {
  const model = v.modelName('model', input.model);
  const category = v.category('category', input.category);
  const version = v.version('version', input.version);
  const reason = v.nonEmpty('reason', input.reason, 'say why scoring failed (the job\'s error and cause)', 4096);
  const line = keys.line(model, category);
  const desired = await getItem<ProductionPointer>(ctx, line, keys.productionSk);
  const served = await getServed(ctx, model, category);
  if (desired?.version !== version || served?.version === version) return undefined;
  const event = await getItem<PromotionEvent>(ctx, line, keys.eventSk(desired.sequence));
  if (!event) return undefined;
  const at = ctx.now().toISOString();
  try {
    await ctx.doc.send(new TransactWriteCommand({
      TransactItems: [{
        Update: {
          TableName: ctx.tableName,
          Key: { pk: line, sk: keys.eventSk(desired.sequence) },
          UpdateExpression: 'SET scoringFailure = :r, scoringFailedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(servedAt)',
          ExpressionAttributeValues: { ':r': reason, ':at': at },
        },
      }],
    }));
  } catch (e) {
    // Served meanwhile (a concurrent load of the same version won): nothing failed for users.
    if (cancellationCodes(e)?.[0] === 'ConditionalCheckFailed') return undefined;
    throw e;
  }
  return { ...event, scoringFailure: reason, scoringFailedAt: at };
}

/** What the model's real-time endpoint serves for (model, category), or undefined before its first shift. */
export function getEndpointRecord(ctx: RegistryContext, modelInput: string, categoryInput: string): Promise<EndpointRecord | undefined> {
  return getItem<EndpointRecord>(ctx, keys.line(v.modelName('model', modelInput), v.category('category', categoryInput)), keys.endpointSk);
}

export type RecordEndpointInput = Omit<EndpointRecord, 'updatedAt'>;

/**
 * Records the endpoint's shift for a promotion. Conditional on the promotion's sequence: a record
 * of a newer promotion is never overwritten by an older one (a late or replayed event), while the
 * same promotion may move its own record on (UPDATING -> IN_SERVICE or FAILED). Returns the
 * record written, or undefined when a newer promotion's record is there.
 */
export async function recordEndpoint(ctx: RegistryContext, input: RecordEndpointInput): Promise<EndpointRecord | undefined> {
  const model = v.modelName('model', input.model);
  const category = v.category('category', input.category);
  const record: EndpointRecord = {
    ...input, model, category,
    version: v.version('version', input.version),
    ...(input.failureReason !== undefined ? { failureReason: input.failureReason.slice(0, 4096) } : {}),
    updatedAt: ctx.now().toISOString(),
  };
  try {
    await ctx.doc.send(new PutCommand({
      TableName: ctx.tableName,
      Item: { pk: keys.line(model, category), sk: keys.endpointSk, entity: ENTITY.endpoint, ...record },
      ConditionExpression: 'attribute_not_exists(pk) OR #seq <= :seq',
      ExpressionAttributeNames: { '#seq': 'sequence' },
      ExpressionAttributeValues: { ':seq': record.sequence },
    }));
    return record;
  } catch (e) {
    if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
    throw e;
  }
}

export interface MarkShiftedInput {
  readonly model: string;
  readonly category: string;
  readonly version: number;
  /** Sequence of the promotion whose shift settled in service. */
  readonly sequence: number;
}

export interface MarkShiftedResult {
  /** The served pointer after the call. */
  readonly served?: ServedPointer;
  /** True when this shift moved the served pointer. */
  readonly flipped: boolean;
}

/**
 * Records that a real-time endpoint's shift to a promotion's version settled in service: for an
 * online model (the promotion says scoring BY_ENDPOINT) the served pointer moves to the version,
 * in one conditional transaction like markLoaded's (the desired pointer still at this promotion's
 * sequence, the served pointer unchanged, the audit record gains `servedAt`). A shift of an older
 * promotion (a newer one is desired), of a `both` model (served by its batch load) or of a version
 * already served moves nothing.
 */
export async function markShifted(ctx: RegistryContext, input: MarkShiftedInput): Promise<MarkShiftedResult> {
  const model = v.modelName('model', input.model);
  const category = v.category('category', input.category);
  const version = v.version('version', input.version);
  if (!Number.isInteger(input.sequence) || input.sequence < 1) throw new ValidationError('sequence', input.sequence, 'pass the promotion\'s sequence (a whole number >= 1)');
  const line = keys.line(model, category);
  for (let attempt = 0; attempt < ctx.maxAttempts; attempt++) {
    const desired = await getItem<ProductionPointer>(ctx, line, keys.productionSk);
    const stored = await getServedItem(ctx, model, category);
    if (desired?.sequence !== input.sequence || desired.version !== version || stored?.version === version) return { served: stored, flipped: false };
    const event = await getItem<PromotionEvent>(ctx, line, keys.eventSk(desired.sequence));
    if (event?.scoring !== 'BY_ENDPOINT') return { served: stored, flipped: false };
    const now = ctx.now().toISOString();
    const next: ServedPointer = { model, category, version, sequence: desired.sequence, since: now, promotedAt: desired.since };
    try {
      await ctx.doc.send(new TransactWriteCommand({
        TransactItems: servedMoveItems(ctx, line, next, stored, desired.sequence, now),
      }));
      return { served: next, flipped: true };
    } catch (e) {
      const lostRace = cancellationCodes(e)?.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict') ?? false;
      if (!lostRace && !isTransientTransactionError(e)) throw e;
      await backoff(attempt);
    }
  }
  throw new ConflictError(`could not record the shift of ${model}/${category} to version ${version} after ${ctx.maxAttempts} attempts: too many concurrent promotions; retry`);
}

/**
 * The served pointer's move as transaction items: the pointer is put only if it is unchanged
 * since read (`stored`), the desired pointer must still be at `sequence`, and that promotion's
 * audit record gains `servedAt`. markLoaded and markShifted move it the same way.
 */
function servedMoveItems(ctx: RegistryContext, line: string, next: ServedPointer, stored: ServedPointer | undefined, sequence: number, now: string) {
  return [
    {
      Put: {
        TableName: ctx.tableName,
        Item: { pk: line, sk: keys.servedSk, entity: ENTITY.served, ...next },
        ConditionExpression: stored ? '#seq = :seq' : 'attribute_not_exists(pk)',
        ...(stored ? { ExpressionAttributeNames: { '#seq': 'sequence' }, ExpressionAttributeValues: { ':seq': stored.sequence } } : {}),
      },
    },
    {
      ConditionCheck: {
        TableName: ctx.tableName,
        Key: { pk: line, sk: keys.productionSk },
        ConditionExpression: '#seq = :seq',
        ExpressionAttributeNames: { '#seq': 'sequence' },
        ExpressionAttributeValues: { ':seq': sequence },
      },
    },
    {
      Update: {
        TableName: ctx.tableName,
        Key: { pk: line, sk: keys.eventSk(sequence) },
        UpdateExpression: 'SET servedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': now },
      },
    },
  ];
}
