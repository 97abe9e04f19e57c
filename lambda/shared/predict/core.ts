// The one predict core behind both front ends (Fargate server and API Lambda):
// resolve production version -> prefilter rules -> lookup (cache, store) -> override rules ->
// answer, or fallback rules when there is no valid prediction. Every answer says its source.
import { ENTITY_ID_FIX, isEntityId } from '../entity-id';
import { ValidationError } from '../registry/errors';
import * as v from '../registry/validate';
import { StoredPrediction, predictionKey } from '../predictions/schema';
import { CircuitBreaker } from './breaker';
import type { BranchReport } from './compose-parallel';
import { TtlCache } from './cache';
import { ServedModel, ServingConfig } from './config';
import { PREDICT_DEFAULTS, cacheMaxBytesFor } from './constants';
import { ProductionResolver, ProductionSource, ResolvedProduction } from './production';
import { Facts, firstMatch } from './rules';
import { PredictionStore, StoreRead } from './store';

export type AnswerSource = 'model' | 'rule' | 'fallback';
/**
 * Why an answer is a fallback. The model-* reasons are those of real-time answers (`:invoke`):
 * the model refused the input or failed, took longer than the latency budget, or was not called
 * because its circuit is open.
 */
export type FallbackReason = 'no-production-version' | 'stale-production-version' | 'missing' | 'expired' | 'store-error'
  | 'model-error' | 'model-timeout' | 'model-unavailable';

/** The prediction answer contract. */
export interface Answer {
  readonly prediction: unknown;
  readonly model: string;
  readonly category: string;
  /** The requested entity; absent only for a real-time answer requested without one. */
  readonly entityId?: string;
  /** Production version the answer is for; null when no version is promoted (or it is unknown). */
  readonly version: number | null;
  readonly source: AnswerSource;
  /** Name of the rule that answered, for rule answers and matched fallbacks. */
  readonly rule?: string;
  readonly reason?: FallbackReason;
  /** When the prediction was generated (model and override answers), else when the answer was made. */
  readonly generatedAt: string;  /** A parallel composition's branches and what became of each (real-time answers only). */
  readonly branches?: readonly BranchReport[];
}

/** A request the core refuses: 400 bad input, 404 unknown model. */
export class PredictRequestError extends Error {
  constructor(readonly status: 400 | 404, message: string) {
    super(message);
    this.name = 'PredictRequestError';
  }
}

export interface PredictCoreOptions {
  readonly config: ServingConfig;
  readonly store: PredictionStore;
  /** Production version of (model, category), e.g. the registry's getProduction. */
  readonly production: ProductionSource;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default PREDICT_DEFAULTS.cacheTtlMs */
  readonly cacheTtlMs?: number;
  /** @default PREDICT_DEFAULTS.negativeCacheTtlMs */
  readonly negativeCacheTtlMs?: number;
  /** Most bytes the answer cache holds (estimated). @default cacheMaxBytesFor(PREDICT_DEFAULTS.memoryMiB) */
  readonly maxCacheBytes?: number;
  /** @default PREDICT_DEFAULTS.productionTtlMs */
  readonly productionTtlMs?: number;
  /** @default PREDICT_DEFAULTS.productionMaxAgeMs */
  readonly productionMaxAgeMs?: number;
  /** @default PREDICT_DEFAULTS.maxKnownProductions */
  readonly maxKnownProductions?: number;
  /** @default PREDICT_DEFAULTS.breakerFailureThreshold */
  readonly breakerFailureThreshold?: number;
  /** @default PREDICT_DEFAULTS.breakerOpenMs */
  readonly breakerOpenMs?: number;
  /** Called with every answer (metrics). */
  readonly onAnswer?: (answer: Answer) => void;
  /** Called on every failed or partial store read (metrics). */
  readonly onStoreError?: (model: string, category: string, error: unknown) => void;
  /** Called on every failed registry read of a production version (metrics). */
  readonly onProductionError?: (model: string, category: string, error: unknown) => void;
}


export class PredictCore {
  private readonly cache: TtlCache<StoredPrediction | null>;
  private readonly production: ProductionResolver;
  private readonly breaker: CircuitBreaker;
  private readonly now: () => number;
  private readonly cacheTtlMs: number;
  private readonly negativeTtlMs: number;

  constructor(private readonly options: PredictCoreOptions) {
    this.now = options.now ?? Date.now;
    this.cacheTtlMs = options.cacheTtlMs ?? PREDICT_DEFAULTS.cacheTtlMs;
    this.negativeTtlMs = Math.min(this.cacheTtlMs, options.negativeCacheTtlMs ?? PREDICT_DEFAULTS.negativeCacheTtlMs);
    this.cache = new TtlCache({ maxBytes: options.maxCacheBytes ?? cacheMaxBytesFor(PREDICT_DEFAULTS.memoryMiB), now: this.now });
    this.production = new ProductionResolver({
      source: options.production,
      ttlMs: options.productionTtlMs ?? PREDICT_DEFAULTS.productionTtlMs,
      maxAgeMs: options.productionMaxAgeMs ?? PREDICT_DEFAULTS.productionMaxAgeMs,
      maxKnown: options.maxKnownProductions ?? PREDICT_DEFAULTS.maxKnownProductions,
      now: this.now,
      onError: options.onProductionError,
    });
    this.breaker = new CircuitBreaker(
      options.breakerFailureThreshold ?? PREDICT_DEFAULTS.breakerFailureThreshold,
      options.breakerOpenMs ?? PREDICT_DEFAULTS.breakerOpenMs,
      this.now,
    );
  }

  /** Names of the served models. */
  get models(): string[] {
    return Object.keys(this.options.config.models);
  }

  /** The answer for one entity. Throws PredictRequestError for bad input or an unknown model. */
  async predict(model: string, category: string | undefined, entityId: string): Promise<Answer> {
    const [answer] = await this.predictMany(model, category, [entityId]);
    return answer;
  }

  /** Answers for several entities of one (model, category), in request order. */
  async predictMany(model: string, categoryInput: string | undefined, entityIds: readonly string[]): Promise<Answer[]> {
    const { served, category } = this.target(model, categoryInput);
    entityIds.forEach((id, i) => this.checkEntityId(id, entityIds.length > 1 ? `entityIds[${i}]` : 'entityId'));

    const prod = await this.production.resolve(model, category);
    const version = prod.version ?? null;
    const answers: Array<Answer | undefined> = new Array(entityIds.length);
    const toLookUp: number[] = [];
    entityIds.forEach((entityId, i) => {
      const pre = firstMatch(served.rules.prefilter, { entityId, category, version: version ?? undefined });
      if (pre) answers[i] = this.ruleAnswer(model, category, entityId, version, pre.name, pre.prediction, new Date(this.now()).toISOString());
      else if (prod.error !== undefined) answers[i] = this.fallback(served, model, category, entityId, null, prod.stale ? 'stale-production-version' : 'store-error');
      else if (version === null) answers[i] = this.fallback(served, model, category, entityId, null, 'no-production-version');
      else toLookUp.push(i);
    });

    if (toLookUp.length > 0 && version !== null) {
      const items = await this.lookup(model, category, toLookUp.map((i) => predictionKey(model, category, version, entityIds[i])));
      toLookUp.forEach((i, j) => {
        const r = items[j];
        answers[i] = typeof r === 'string'
          ? this.fallback(served, model, category, entityIds[i], version, r)
          : this.modelAnswer(served, r);
      });
    }
    const out = answers as Answer[];
    if (this.options.onAnswer) for (const a of out) this.options.onAnswer(a);
    return out;
  }

  /**
   * The served model and category of a request. Throws PredictRequestError for an unknown model
   * or a category that is not served.
   * @internal
   */
  target(model: string, categoryInput: string | undefined): { served: ServedModel; category: string } {
    const served = this.servedModel(model);
    return { served, category: this.category(model, served, categoryInput) };
  }

  /** The served version of (model, category), read through the production cache. @internal */
  resolveVersion(model: string, category: string): Promise<ResolvedProduction> {
    return this.production.resolve(model, category);
  }

  /** Items for the keys, or the fallback reason of each key without a valid item. @internal */
  async lookup(model: string, category: string, pks: string[]): Promise<Array<StoredPrediction | FallbackReason>> {
    const result: Array<StoredPrediction | null | undefined> = pks.map((pk) => this.cache.get(pk));
    const misses = pks.filter((_, i) => result[i] === undefined);
    if (misses.length > 0 && this.breaker.allow()) {
      try {
        const read: StoreRead = misses.length === 1
          ? { items: new Map(await this.options.store.get(misses[0]).then((it) => (it ? [[misses[0], it] as const] : []))), unprocessed: [] }
          : await this.options.store.getMany(misses);
        this.breaker.success();
        // Unprocessed keys stay unanswered (store-error below) and uncached: they may well exist.
        const unprocessed = new Set(read.unprocessed);
        pks.forEach((pk, i) => {
          if (result[i] !== undefined || unprocessed.has(pk)) return;
          const item = read.items.get(pk) ?? null;
          result[i] = item;
          this.cache.set(pk, item, item ? Math.min(this.cacheTtlMs, item.expiresAt * 1000 - this.now()) : this.negativeTtlMs);
        });
        if (unprocessed.size > 0) this.options.onStoreError?.(model, category, new Error(`${unprocessed.size} of ${misses.length} key(s) stayed unprocessed`));
      } catch (e) {
        this.breaker.failure();
        this.options.onStoreError?.(model, category, e);
      }
    }
    const nowSec = this.now() / 1000;
    return result.map((item) => {
      // Not read: the store failed, the circuit is open, or the key stayed unprocessed.
      if (item === undefined) return 'store-error';
      if (item === null) return 'missing';
      // DynamoDB deletes expired items lazily (up to days late): expired means missing.
      if (typeof item.expiresAt !== 'number' || item.expiresAt <= nowSec) return 'expired';
      return item;
    });
  }

  /** A model's prediction as answered: replaced by the first matching override rule. @internal */
  modelAnswer(served: ServedModel, item: Pick<StoredPrediction, 'model' | 'category' | 'version' | 'prediction' | 'generatedAt'> & { entityId?: string }): Answer {
    const facts: Facts = { entityId: item.entityId, category: item.category, version: item.version, prediction: item.prediction };
    const override = firstMatch(served.rules.override, facts);
    if (override) return this.ruleAnswer(item.model, item.category, item.entityId, item.version, override.name, override.prediction, item.generatedAt);
    return {
      prediction: item.prediction, model: item.model, category: item.category, ...withEntity(item.entityId),
      version: item.version, source: 'model', generatedAt: item.generatedAt,
    };
  }

  /** @internal */
  ruleAnswer(model: string, category: string, entityId: string | undefined, version: number | null, rule: string, prediction: unknown, generatedAt: string): Answer {
    return { prediction, model, category, ...withEntity(entityId), version, source: 'rule', rule, generatedAt };
  }

  /** The answer of the first matching fallback rule, else a null fallback. @internal */
  fallback(served: ServedModel, model: string, category: string, entityId: string | undefined, version: number | null, reason: FallbackReason): Answer {
    const rule = firstMatch(served.rules.fallback, { entityId, category, version: version ?? undefined });
    return {
      prediction: rule ? rule.prediction : null, model, category, ...withEntity(entityId), version, source: 'fallback',
      ...(rule ? { rule: rule.name } : {}), reason, generatedAt: new Date(this.now()).toISOString(),
    };
  }

  private servedModel(model: string): ServedModel {
    const served = Object.prototype.hasOwnProperty.call(this.options.config.models, model) ? this.options.config.models[model] : undefined;
    if (!served) {
      throw new PredictRequestError(404, `model ${JSON.stringify(model)} is not served here: served models are ${this.models.join(', ')}`);
    }
    return served;
  }

  private category(model: string, served: ServedModel, input: string | undefined): string {
    const category = input === undefined || input === '' ? served.defaultCategory : input;
    if (category === undefined) {
      throw new PredictRequestError(400, `category is required for model ${model}: pass ?category=<name>${served.categories ? ` with one of ${served.categories.join(', ')}` : ''}`);
    }
    try {
      v.category('category', category);
    } catch (e) {
      throw new PredictRequestError(400, (e as ValidationError).message);
    }
    if (served.categories && !served.categories.includes(category)) {
      throw new PredictRequestError(400, `category ${JSON.stringify(category)} is not served for model ${model}: use one of ${served.categories.join(', ')}`);
    }
    return category;
  }

  /** Throws PredictRequestError (400) unless the id is a valid entity id. @internal */
  checkEntityId(id: unknown, field: string): void {
    if (!isEntityId(id)) {
      throw new PredictRequestError(400, new ValidationError(field, id, ENTITY_ID_FIX).message);
    }
  }
}

const withEntity = (entityId: string | undefined) => (entityId === undefined ? {} : { entityId });
