// Real-time answers (`POST /v1/models/{model}/predictions:invoke`): the model is called per
// request, inside the same rules as precomputed answers:
//   validate -> served version -> prefilter -> (mode both: precomputed prediction) -> answer
//   cache (version + input hash) -> circuit breaker -> the model within the latency budget ->
//   override; fallback rules on a refusal, an error, a timeout or an open circuit.
import { ENTITY_ID_FIX } from '../entity-id';
import { ValidationError } from '../registry/errors';
import { predictionKey } from '../predictions/schema';
import { CircuitBreaker } from './breaker';
import { TtlCache } from './cache';
import { ServedModel } from './config';
import { PREDICT_DEFAULTS, cacheMaxBytesFor } from './constants';
import { Answer, FallbackReason, PredictCore, PredictRequestError } from './core';
import { BranchReport, CompositionError, unwrapComposed } from './compose-parallel';
import { answerCacheKey } from './input-hash';
import { InvokeMode } from './invoke-config';
import { ModelCallError, ModelClient, ModelInput } from './model-client';
import { firstMatch } from './rules';

/** The body of an `:invoke` request. */
export interface InvokeRequest {
  readonly features: Readonly<Record<string, unknown>>;
  readonly entityId?: string;
  readonly category?: string;
}

/** A model called in real time. */
export interface InvokedModel {
  readonly mode: InvokeMode;
  readonly client: ModelClient;
  /** Most time from the request's start until the model must have answered, in milliseconds. */
  readonly budgetMs: number;
}

export interface ModelInvokerOptions {
  /** The predict core of the same front end: served models, rules, versions, precomputed predictions. */
  readonly core: PredictCore;
  /** Models answered in real time, by name; each must be served by the core. */
  readonly models: Readonly<Record<string, InvokedModel>>;
  /** @default Date.now */
  readonly now?: () => number;
  /** How long a model's answer to one input is reused. @default PREDICT_DEFAULTS.cacheTtlMs */
  readonly cacheTtlMs?: number;
  /** Most bytes the answer cache holds (estimated). @default cacheMaxBytesFor(PREDICT_DEFAULTS.memoryMiB) */
  readonly maxCacheBytes?: number;
  /** Consecutive failed calls of a model that open its circuit. @default PREDICT_DEFAULTS.breakerFailureThreshold */
  readonly breakerFailureThreshold?: number;
  /** @default PREDICT_DEFAULTS.breakerOpenMs */
  readonly breakerOpenMs?: number;
  /** Called with every answer (metrics). */
  readonly onAnswer?: (answer: Answer) => void;
  /** Called with every call that gave no prediction (metrics). */
  readonly onModelError?: (model: string, category: string, error: ModelCallError) => void;
}

interface CachedAnswer { readonly prediction: unknown; readonly generatedAt: string; readonly branches?: readonly BranchReport[] }

const REASON: Record<ModelCallError['kind'], FallbackReason> = { refused: 'model-error', failed: 'model-error', timeout: 'model-timeout' };
const FIELDS = ['features', 'entityId', 'category'];

export class ModelInvoker {
  private readonly cache: TtlCache<CachedAnswer>;
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly now: () => number;
  private readonly cacheTtlMs: number;

  constructor(private readonly options: ModelInvokerOptions) {
    this.now = options.now ?? Date.now;
    this.cacheTtlMs = options.cacheTtlMs ?? PREDICT_DEFAULTS.cacheTtlMs;
    this.cache = new TtlCache({ maxBytes: options.maxCacheBytes ?? cacheMaxBytesFor(PREDICT_DEFAULTS.memoryMiB), now: this.now });
    const served = new Set(options.core.models);
    for (const model of Object.keys(options.models)) {
      if (!served.has(model)) throw new Error(`model ${model} is answered in real time but not served: add it to the serving configuration (${[...served].join(', ')})`);
      this.breakers.set(model, new CircuitBreaker(
        options.breakerFailureThreshold ?? PREDICT_DEFAULTS.breakerFailureThreshold,
        options.breakerOpenMs ?? PREDICT_DEFAULTS.breakerOpenMs,
        this.now,
      ));
    }
  }

  /** Names of the models answered in real time. */
  get models(): string[] {
    return Object.keys(this.options.models);
  }

  /** The answer to one request. Throws PredictRequestError for bad input or a model not answered in real time. */
  async invoke(model: string, body: unknown): Promise<Answer> {
    const started = this.now();
    const request = parseInvokeRequest(body);
    const core = this.options.core;
    const { served, category } = core.target(model, request.category);
    const invoked = Object.prototype.hasOwnProperty.call(this.options.models, model) ? this.options.models[model] : undefined;
    if (!invoked) {
      throw new PredictRequestError(404, `model ${model} is not answered in real time here (its inference.mode is batch): use GET /v1/models/${model}/predictions/{entityId}${this.models.length ? `; real-time models are ${this.models.join(', ')}` : ''}`);
    }
    const { entityId, features } = request;
    if (entityId !== undefined) core.checkEntityId(entityId, 'entityId');

    const answer = await this.answer(model, category, served, invoked, entityId, features, started);
    this.options.onAnswer?.(answer);
    return answer;
  }

  private async answer(model: string, category: string, served: ServedModel, invoked: InvokedModel,
    entityId: string | undefined, features: InvokeRequest['features'], started: number): Promise<Answer> {
    const core = this.options.core;
    const prod = await core.resolveVersion(model, category);
    const version = prod.version ?? null;
    const pre = firstMatch(served.rules.prefilter, { entityId, category, version: version ?? undefined });
    if (pre) return core.ruleAnswer(model, category, entityId, version, pre.name, pre.prediction, this.isoNow());
    if (prod.error !== undefined) return core.fallback(served, model, category, entityId, null, prod.stale ? 'stale-production-version' : 'store-error');
    if (version === null) return core.fallback(served, model, category, entityId, null, 'no-production-version');

    if (invoked.mode === 'both' && entityId !== undefined) {
      const [item] = await core.lookup(model, category, [predictionKey(model, category, version, entityId)]);
      // Missing, expired or unreadable: the model answers instead.
      if (typeof item !== 'string') return core.modelAnswer(served, item);
    }

    const input: ModelInput = entityId === undefined ? { features } : { features, entityId };
    const key = answerCacheKey(model, category, version, input);
    const cached = this.cache.get(key);
    if (cached) return withBranches(core.modelAnswer(served, { model, category, version, entityId, ...cached }), cached.branches);

    const breaker = this.breakers.get(model)!;
    if (!breaker.allow()) return core.fallback(served, model, category, entityId, version, 'model-unavailable');
    const remainingMs = started + invoked.budgetMs - this.now();
    try {
      if (remainingMs < 1) throw new ModelCallError('timeout', `the latency budget of ${invoked.budgetMs} ms was spent before the model was called`);
      const { prediction, branches } = unwrapComposed(await invoked.client.invoke(input, remainingMs));
      breaker.success();
      const fresh = { prediction, generatedAt: this.isoNow(), ...(branches ? { branches } : {}) };
      this.cache.set(key, fresh, this.cacheTtlMs);
      return withBranches(core.modelAnswer(served, { model, category, version, entityId, ...fresh }), branches);
    } catch (e) {
      const error = e instanceof ModelCallError ? e : new ModelCallError('failed', String((e as Error)?.message ?? e));
      // A refused input says nothing about the model's health: only failures and timeouts count.
      if (error.kind === 'refused') breaker.success();
      else breaker.failure();
      this.options.onModelError?.(model, category, error);
      return withBranches(core.fallback(served, model, category, entityId, version, REASON[error.kind]), error instanceof CompositionError ? error.branches : undefined);
    }
  }

  /** Closes the model clients' idle connections. */
  destroy(): void {
    for (const m of Object.values(this.options.models)) m.client.destroy();
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }
}

/** The answer with a parallel composition's branch reports, when there are any. */
function withBranches(answer: Answer, branches: readonly BranchReport[] | undefined): Answer {
  return branches ? { ...answer, branches } : answer;
}

/** Validates an `:invoke` body; errors name the field, the value and the fix (400). */
export function parseInvokeRequest(body: unknown): InvokeRequest {
  try {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('the request body', body, 'send an object {"features": {...}, "entityId"?: "...", "category"?: "..."}');
    const raw = body as Record<string, unknown>;
    for (const k of Object.keys(raw)) {
      if (!FIELDS.includes(k)) throw new ValidationError(k, raw[k], `remove it: an :invoke request has ${FIELDS.join(', ')}`);
    }
    const { features, entityId, category } = raw;
    if (typeof features !== 'object' || features === null || Array.isArray(features)) {
      throw new ValidationError('features', features, 'send the model\'s input as an object, e.g. {"features": {"date": "2026-11-30"}}');
    }
    if (entityId !== undefined && typeof entityId !== 'string') throw new ValidationError('entityId', entityId, ENTITY_ID_FIX);
    if (category !== undefined && typeof category !== 'string') throw new ValidationError('category', category, 'send a category name as a string, or leave it out for the default category');
    return {
      features: features as Record<string, unknown>,
      ...(entityId !== undefined ? { entityId } : {}),
      ...(category !== undefined ? { category } : {}),
    };
  } catch (e) {
    if (e instanceof ValidationError) throw new PredictRequestError(400, e.message);
    throw e;
  }
}
