import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RegistryContext, decodeToken, encodeToken, strip } from './context';
import { NotFoundError } from './errors';
import { ENTITY, GSI1, keys } from './keys';
import { MODEL_SCORINGS, ModelRecord, ModelScoring, Page } from './types';
import * as v from './validate';

export interface CreateModelInput {
  readonly model: string;
  readonly description?: string;
  readonly owner?: string;
  /**
   * How promoted versions get served (the training pipeline passes what its model deploys).
   * Unlike the other fields, it is updated on an existing model when it differs, so a model
   * that gains or loses batch inference is served accordingly from its next training run.
   * @default - unchanged (BATCH for a new model)
   */
  readonly scoring?: ModelScoring;
  readonly actor: string;
}

/**
 * Creates a model; creating one that exists returns the existing record unchanged (idempotent),
 * except for `scoring`, `description` and `owner` when given: they follow the deployment (the spec).
 */
export async function createModel(ctx: RegistryContext, input: CreateModelInput): Promise<ModelRecord> {
  const model = v.modelName('model', input.model);
  const scoring = input.scoring === undefined ? undefined : v.oneOf('scoring', input.scoring, MODEL_SCORINGS);
  const record: ModelRecord = {
    model,
    description: v.optionalString('description', input.description),
    owner: v.optionalString('owner', input.owner, 256),
    scoring,
    categories: [],
    createdAt: ctx.now().toISOString(),
    createdBy: v.nonEmpty('actor', input.actor, 'say who is acting (a user name or a pipeline id)', 256),
  };
  try {
    await ctx.doc.send(new PutCommand({
      TableName: ctx.tableName,
      Item: { ...keys.model(model), gsi1pk: keys.modelsIndex(), gsi1sk: model, entity: ENTITY.model, ...record, categories: undefined },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
    return record;
  } catch (e) {
    if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    const existing = await requireModel(ctx, model);
    const changed: Partial<Pick<ModelRecord, 'scoring' | 'description' | 'owner'>> = {
      ...(scoring !== undefined && (existing.scoring ?? 'BATCH') !== scoring ? { scoring } : {}),
      ...(record.description !== undefined && existing.description !== record.description ? { description: record.description } : {}),
      ...(record.owner !== undefined && existing.owner !== record.owner ? { owner: record.owner } : {}),
    };
    const names = Object.keys(changed);
    if (names.length === 0) return existing;
    await ctx.doc.send(new UpdateCommand({
      TableName: ctx.tableName,
      Key: keys.model(model),
      UpdateExpression: `SET ${names.map((n) => `#${n} = :${n}`).join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
      ExpressionAttributeValues: Object.fromEntries(Object.entries(changed).map(([n, val]) => [`:${n}`, val])),
    }));
    return { ...existing, ...changed };
  }
}

export async function getModel(ctx: RegistryContext, modelInput: string): Promise<ModelRecord | undefined> {
  const model = v.modelName('model', modelInput);
  const res = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: keys.model(model), ConsistentRead: true }));
  return res.Item ? toModel(res.Item) : undefined;
}

export async function requireModel(ctx: RegistryContext, model: string): Promise<ModelRecord> {
  const found = await getModel(ctx, model);
  if (!found) throw new NotFoundError(`model "${model}"`, 'check the name with `mlops models`, or create it first (the training pipeline creates its model on its first run)');
  return found;
}

// Page keys of the models index: the index key plus the table key of a model record.
const MODELS_PAGE_KEY = {
  gsi1pk: { equals: keys.modelsIndex() }, gsi1sk: { startsWith: '' }, pk: { startsWith: keys.modelPkPrefix }, sk: { equals: keys.modelSk },
} as const;

export async function listModels(ctx: RegistryContext, opts: { limit?: number; nextToken?: string } = {}): Promise<Page<ModelRecord>> {
  const res = await ctx.doc.send(new QueryCommand({
    TableName: ctx.tableName,
    IndexName: GSI1,
    KeyConditionExpression: 'gsi1pk = :p',
    ExpressionAttributeValues: { ':p': keys.modelsIndex() },
    Limit: v.limit('limit', opts.limit),
    ExclusiveStartKey: decodeToken(opts.nextToken, MODELS_PAGE_KEY),
  }));
  return { items: (res.Items ?? []).map(toModel), nextToken: encodeToken(res.LastEvaluatedKey) };
}

/** Records that a category has versions; a set, so repeating it is harmless. */
export async function addCategory(ctx: RegistryContext, model: string, category: string): Promise<void> {
  await ctx.doc.send(new UpdateCommand({
    TableName: ctx.tableName,
    Key: keys.model(model),
    UpdateExpression: 'ADD categories :c',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':c': new Set([category]) },
  }));
}

function toModel(item: Record<string, unknown>): ModelRecord {
  const rest = strip<Record<string, unknown>>(item);
  const cats = rest.categories instanceof Set ? [...rest.categories as Set<string>].sort() : [];
  return { ...(rest as unknown as ModelRecord), categories: cats };
}
