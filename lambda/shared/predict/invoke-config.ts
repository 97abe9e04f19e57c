// The real-time configuration of a front end: which served models are called per request
// (`:invoke`), where their endpoint is, and their latency budget. It travels as JSON in one
// environment variable (PREDICT_ENV.modelEndpoints), written by the construct from the spec.
import { ValidationError } from '../registry/errors';
import * as v from '../registry/validate';
import { CompositionConfig, parseComposition } from './compose-config';

/** `online`: every answer comes from the model; `both`: a precomputed prediction first, the model otherwise. */
export type InvokeMode = 'online' | 'both';

export interface ModelEndpoint {
  readonly mode: InvokeMode;
  /** Base URL of a model service under the serving contract (Fargate-hosted, or local). */
  readonly url?: string;
  /** Name of a SageMaker real-time endpoint, called with InvokeEndpoint. */
  readonly sageMakerEndpoint?: string;
  /** Most time a request may spend before the model must have answered, in milliseconds. */
  readonly budgetMs: number;
  /** Steps or branches called instead of one endpoint (a serial or parallel composition, see compose-config.ts). */
  readonly composition?: CompositionConfig;
}

export interface ModelEndpointsConfig {
  readonly models: Readonly<Record<string, ModelEndpoint>>;
}

/**
 * The model's latency budget: the p99 objective minus the front end's own overhead (its
 * lookup, rules and transport), so a slow model yields a fallback answer within the objective
 * instead of a late one.
 */
export function latencyBudgetMs(sloP99Ms: number, frontEndOverheadMs: number): number {
  const budget = Math.floor(sloP99Ms - frontEndOverheadMs);
  if (!Number.isFinite(budget) || budget < 1) {
    throw new ValidationError('inference.slo.p99', `${sloP99Ms}ms`, `leave the model time to answer: raise it above the front end's own ${frontEndOverheadMs}ms`);
  }
  return budget;
}

const SAGEMAKER_ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** Parses and validates the configuration (a JSON string or an already parsed object). */
export function parseModelEndpoints(input: unknown, field = 'modelEndpoints'): ModelEndpointsConfig {
  let value = input;
  if (typeof input === 'string') {
    try { value = JSON.parse(input); } catch (e) {
      throw new ValidationError(field, input, `use valid JSON (${(e as Error).message})`);
    }
  }
  const models = isObject(value) ? value.models : undefined;
  if (!isObject(models)) throw new ValidationError(`${field}.models`, models, 'use an object {"models": {"<model>": {"mode": "online", "url": "http://...", "budgetMs": 485}}}');
  const out: Record<string, ModelEndpoint> = {};
  for (const [name, raw] of Object.entries(models)) {
    const f = `${field}.models.${name}`;
    v.modelName(`${field}.models key`, name);
    if (!isObject(raw)) throw new ValidationError(f, raw, 'use an object {"mode", "url" or "sageMakerEndpoint", "budgetMs"}');
    for (const k of Object.keys(raw)) {
      if (!['mode', 'url', 'sageMakerEndpoint', 'budgetMs', 'composition'].includes(k)) throw new ValidationError(`${f}.${k}`, raw[k], 'remove it: a model endpoint has "mode", "url", "sageMakerEndpoint" or "composition", and "budgetMs"');
    }
    if (raw.mode !== 'online' && raw.mode !== 'both') throw new ValidationError(`${f}.mode`, raw.mode, 'use "online" or "both"');
    if ([raw.url, raw.sageMakerEndpoint, raw.composition].filter((x) => x !== undefined).length !== 1) {
      throw new ValidationError(f, raw, 'give exactly one of "url" (a model service) and "sageMakerEndpoint" (a SageMaker endpoint name), or a "composition" (steps or branches) instead');
    }
    if (raw.url !== undefined && !isHttpUrl(raw.url)) throw new ValidationError(`${f}.url`, raw.url, 'use an http:// or https:// base URL, e.g. http://model.internal:8080');
    if (raw.sageMakerEndpoint !== undefined && (typeof raw.sageMakerEndpoint !== 'string' || !SAGEMAKER_ENDPOINT_NAME.test(raw.sageMakerEndpoint))) {
      throw new ValidationError(`${f}.sageMakerEndpoint`, raw.sageMakerEndpoint, 'use a SageMaker endpoint name: 1-63 letters, digits or hyphens');
    }
    if (typeof raw.budgetMs !== 'number' || !Number.isInteger(raw.budgetMs) || raw.budgetMs < 1) {
      throw new ValidationError(`${f}.budgetMs`, raw.budgetMs, 'use a whole number of milliseconds >= 1 (see latencyBudgetMs)');
    }
    out[name] = {
      mode: raw.mode, budgetMs: raw.budgetMs,
      ...(raw.url !== undefined ? { url: raw.url as string } : raw.sageMakerEndpoint !== undefined ? { sageMakerEndpoint: raw.sageMakerEndpoint as string } : {}),
      ...(raw.composition !== undefined ? { composition: parseComposition(raw.composition, `${f}.composition`) } : {}),
    };
  }
  return { models: out };
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
