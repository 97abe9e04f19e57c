import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mlopsCommand } from '../../../cli/command-line';
import { RegistryContext, allPages, backoff, cancellationCodes, decodeToken, encodeToken, isTransientTransactionError, strip } from './context';
import { ConflictError, NotFoundError } from './errors';
import { ENTITY, keys } from './keys';
import { RetainedArtifact, retainArtifact } from './artifact-retention';
import { getModel } from './models';
import { requireVersion } from './versions';
import { Page, ProductionPointer, PromotionEvent, PromotionKind, ScoringNeed, ServedPointer } from './types';
import { carriedOver, getLoad, getServedItem, isFresh } from './serving';
import * as v from './validate';

export interface PromoteInput {
  readonly model: string;
  readonly category: string;
  readonly version: number;
  readonly actor: string;
  readonly reason: string;
  /**
   * Optimistic concurrency: promote only if this is still the production version (`0` = none yet).
   * Without it, a promotion that loses a race re-reads the pointer and applies on top.
   */
  readonly expectedCurrentVersion?: number;
  /** @default 'PROMOTE' */
  readonly kind?: PromotionKind;
  /**
   * The caller scores the version itself: a training execution that auto-promotes scores every
   * category after its Map, so the event says BY_PIPELINE and the ScoreOnPromotion rule (which
   * scores NEEDED only) does not start a second scoring of the same version.
   * @default false - the ScoreOnPromotion rule scores a version without fresh predictions
   */
  readonly scoredByCaller?: boolean;
}

export interface PromoteResult {
  /** The production (desired) pointer. */
  readonly pointer: ProductionPointer;
  /** The served pointer after the promotion: the new version at once when its predictions were fresh. */
  readonly served?: ServedPointer;
  /** The audit record written, or undefined when the version already was in production. */
  readonly event?: PromotionEvent;
  /** The artifact copied under runs/ first (a version trained by an experiment), if any. */
  readonly retained?: RetainedArtifact;
}

export async function getProduction(ctx: RegistryContext, modelInput: string, categoryInput: string): Promise<ProductionPointer | undefined> {
  const model = v.modelName('model', modelInput);
  const category = v.category('category', categoryInput);
  const res = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: { pk: keys.line(model, category), sk: keys.productionSk }, ConsistentRead: true }));
  return res.Item ? strip<ProductionPointer>(res.Item) : undefined;
}

/**
 * Points production of (model, category) at a version: the pointer update, a check that the
 * version exists and is not rejected, and the audit record are one conditional transaction.
 * This sets the desired version; servers keep answering with the served version until the new
 * one's predictions are loaded (see serving.ts), or at once when they still are (within TTL) or
 * when the model has no batch inference (its record says scoring NONE: nothing would load them).
 * An online model (scoring ENDPOINT) is served once its endpoint has shifted to the version
 * (markShifted, called by the endpoint's update function).
 * A version trained by an experiment first gets its artifact copied under runs/ (see
 * artifact-retention.ts), so it outlives the experiments' expiry.
 */
export async function promote(ctx: RegistryContext, input: PromoteInput): Promise<PromoteResult> {
  const model = v.modelName('model', input.model);
  const category = v.category('category', input.category);
  const version = v.version('version', input.version);
  const actor = v.nonEmpty('actor', input.actor, 'say who is promoting (a user name or a pipeline id)', 256);
  const reason = v.nonEmpty('reason', input.reason, 'say why, for the audit trail (e.g. "rmse 0.41 beats 0.45")');
  const kind = input.kind === undefined ? 'PROMOTE' : v.oneOf('kind', input.kind, ['PROMOTE', 'ROLLBACK'] as const);
  const expected = input.expectedCurrentVersion === undefined ? undefined
    : input.expectedCurrentVersion === 0 ? 0 : v.version('expectedCurrentVersion', input.expectedCurrentVersion);
  const line = keys.line(model, category);

  const found = await requireVersion(ctx, model, category, version);
  if (found.status === 'REJECTED') {
    throw new ConflictError(`version ${version} of ${model}/${category} was rejected${found.statusReason ? ` (${found.statusReason})` : ''} and cannot be promoted: approve it first or promote another version`);
  }
  const { retained } = await retainArtifact(ctx, ctx.s3, found);
  const modelScoring = (await getModel(ctx, model))?.scoring;

  for (let attempt = 0; attempt < ctx.maxAttempts; attempt++) {
    const current = await getProduction(ctx, model, category);
    // Before the expected-version check: a retried promotion that already applied is a no-op.
    if (current?.version === version) return { pointer: current, served: await getServedItem(ctx, model, category) ?? (current.servedTracked ? undefined : carriedOver(current)), retained };
    if (expected !== undefined && (current?.version ?? 0) !== expected) {
      throw new ConflictError(`production of ${model}/${category} is version ${current?.version ?? 'none'}, not ${expected === 0 ? 'none' : expected} as expected: someone promoted meanwhile; compare again`);
    }
    const now = ctx.now();
    const at = now.toISOString();
    const sequence = (current?.sequence ?? 0) + 1;
    // Second phase decided now when the version's predictions are still loaded (a rollback
    // within TTL), or when nothing will ever load them (no batch inference): it is served at
    // once. Otherwise it is served once scoring has loaded it.
    const fresh = isFresh(await getLoad(ctx, model, category, version), now);
    const scoring: ScoringNeed = modelScoring === 'ENDPOINT' ? 'BY_ENDPOINT'
      : fresh ? 'NOT_NEEDED' : modelScoring === 'NONE' ? 'NO_BATCH' : input.scoredByCaller ? 'BY_PIPELINE' : 'NEEDED';
    const servedNow = scoring === 'NOT_NEEDED' || scoring === 'NO_BATCH';
    const stored = await getServedItem(ctx, model, category);
    const pointer: ProductionPointer = { model, category, version, sequence, since: at, promotedBy: actor, servedTracked: true };
    const event: PromotionEvent = {
      model, category, sequence, kind, fromVersion: current?.version, toVersion: version, actor, reason, at,
      scoring, ...(servedNow ? { servedAt: at } : {}),
    };
    const served = servedNow ? { model, category, version, sequence, since: at, promotedAt: at }
      // A pointer from before two-phase promotion was served: it stays served until the new version is loaded.
      : !stored && current && !current.servedTracked ? carriedOver(current) : undefined;
    try {
      await ctx.doc.send(new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: ctx.tableName,
              Item: { pk: line, sk: keys.productionSk, entity: ENTITY.production, ...pointer },
              ConditionExpression: current ? '#seq = :seq' : 'attribute_not_exists(pk)',
              ...(current ? { ExpressionAttributeNames: { '#seq': 'sequence' }, ExpressionAttributeValues: { ':seq': current.sequence } } : {}),
            },
          },
          {
            ConditionCheck: {
              TableName: ctx.tableName,
              Key: { pk: line, sk: keys.versionSk(version) },
              ConditionExpression: 'attribute_exists(pk) AND #s <> :rejected',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':rejected': 'REJECTED' },
            },
          },
          {
            Put: {
              TableName: ctx.tableName,
              Item: { pk: line, sk: keys.eventSk(sequence), entity: ENTITY.promotion, ...event },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...(served ? [{
            Put: {
              TableName: ctx.tableName,
              Item: { pk: line, sk: keys.servedSk, entity: ENTITY.served, ...served },
              ConditionExpression: stored ? '#seq = :seq' : 'attribute_not_exists(pk)',
              ...(stored ? { ExpressionAttributeNames: { '#seq': 'sequence' }, ExpressionAttributeValues: { ':seq': stored.sequence } } : {}),
            },
          }] : []),
        ],
      }));
      return { pointer, event, served: servedNow ? served : stored ?? served, retained };
    } catch (e) {
      const codes = cancellationCodes(e);
      if (codes?.[1] === 'ConditionalCheckFailed') {
        await requireVersion(ctx, model, category, version);
        throw new ConflictError(`version ${version} of ${model}/${category} was rejected meanwhile and cannot be promoted`);
      }
      const lostRace = codes?.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict') ?? false;
      if (!lostRace && !isTransientTransactionError(e)) throw e;
      await backoff(attempt);
    }
  }
  throw new ConflictError(`could not promote ${model}/${category} to version ${version} after ${ctx.maxAttempts} attempts: too many concurrent promotions; retry`);
}

/** One promotion event of (model, category) by its sequence, or undefined. */
export async function getPromotion(ctx: RegistryContext, modelInput: string, categoryInput: string, sequence: number): Promise<PromotionEvent | undefined> {
  const model = v.modelName('model', modelInput);
  const category = v.category('category', categoryInput);
  const res = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: { pk: keys.line(model, category), sk: keys.eventSk(sequence) }, ConsistentRead: true }));
  return res.Item ? strip<PromotionEvent>(res.Item) : undefined;
}

/** Promotion events of (model, category), newest first. */
export async function listHistory(ctx: RegistryContext, modelInput: string, categoryInput: string, opts: { limit?: number; nextToken?: string } = {}): Promise<Page<PromotionEvent>> {
  const model = v.modelName('model', modelInput);
  const category = v.category('category', categoryInput);
  const res = await ctx.doc.send(new QueryCommand({
    TableName: ctx.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
    ExpressionAttributeValues: { ':pk': keys.line(model, category), ':p': keys.eventPrefix },
    ScanIndexForward: false,
    Limit: v.limit('limit', opts.limit),
    ExclusiveStartKey: decodeToken(opts.nextToken, { pk: { equals: keys.line(model, category) }, sk: { startsWith: keys.eventPrefix } }),
  }));
  return { items: (res.Items ?? []).map((i) => strip<PromotionEvent>(i)), nextToken: encodeToken(res.LastEvaluatedKey) };
}

/**
 * The version a rollback returns to: replays the history as a stack (a promotion pushes, a
 * rollback pops), so rolling back twice walks back two promotions instead of flip-flopping.
 */
export function rollbackTarget(historyOldestFirst: readonly PromotionEvent[]): number | undefined {
  const stack: number[] = [];
  for (const e of historyOldestFirst) {
    if (e.kind === 'ROLLBACK') {
      stack.pop();
      if (stack[stack.length - 1] !== e.toVersion) stack.push(e.toVersion);
    } else {
      stack.push(e.toVersion);
    }
  }
  return stack.length >= 2 ? stack[stack.length - 2] : undefined;
}

const promoteHint = (model: string, category: string) => mlopsCommand('promote', [model, '<version>'], { category, reason: '<why>' });

/** Rolls production of (model, category) back to the version that was in production before the current one. */
export async function rollback(ctx: RegistryContext, input: { model: string; category: string; actor: string; reason: string }): Promise<PromoteResult> {
  const model = v.modelName('model', input.model);
  const category = v.category('category', input.category);
  const history = (await allPages((nextToken) => listHistory(ctx, model, category, { nextToken }))).reverse();
  const current = history[history.length - 1]?.toVersion;
  const target = rollbackTarget(history);
  if (current === undefined || target === undefined) {
    throw new NotFoundError(`a previous production version of ${model}/${category}`, current === undefined
      ? `nothing was ever promoted; promote a version with \`${promoteHint(model, category)}\``
      : `version ${current} is the first production version; promote another version explicitly with \`${promoteHint(model, category)}\``);
  }
  return promote(ctx, { model, category, version: target, actor: input.actor, reason: input.reason, kind: 'ROLLBACK', expectedCurrentVersion: current });
}
