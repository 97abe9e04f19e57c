// Environment variable names and defaults of the prediction front ends (the Fargate server and
// the API Lambda). Constructs set them, the runtime reads them: both import this file.

export const PREDICT_ENV = {
  /** JSON serving configuration: served models, their categories and rules (see config.ts). */
  servingConfig: 'MLOPS_SERVING_CONFIG',
  /** Time-to-live of cached predictions, in milliseconds. */
  cacheTtlMs: 'MLOPS_CACHE_TTL_MS',
  /** Most bytes the answer cache may hold (estimated); the construct derives it from the task memory. */
  cacheMaxBytes: 'MLOPS_CACHE_MAX_BYTES',
  /** Deadline of one store request (each attempt), in milliseconds. */
  storeTimeoutMs: 'MLOPS_STORE_TIMEOUT_MS',
  /** Attempts per store read (1 = no retry). */
  storeMaxAttempts: 'MLOPS_STORE_MAX_ATTEMPTS',
  /** How often the server writes its aggregated EMF metric lines to stdout, in milliseconds. */
  metricsIntervalMs: 'MLOPS_METRICS_INTERVAL_MS',
  /**
   * JSON configuration of the models answered in real time (`:invoke`): mode, endpoint (a model
   * service URL or a SageMaker endpoint name) and latency budget (see invoke-config.ts).
   */
  modelEndpoints: 'MLOPS_MODEL_ENDPOINTS',
  /** Port the server listens on. */
  port: 'PORT',
} as const;

export const PREDICT_DEFAULTS = {
  /**
   * Predictions change once a day, so a short cache costs no freshness worth having while it
   * absorbs hot keys; promotions change the cache key (the version is part of it).
   */
  cacheTtlMs: 10_000,
  /** Misses are cached for less time, so a freshly loaded batch shows up quickly. */
  negativeCacheTtlMs: 2_000,
  /**
   * Memory of a front end when nothing says otherwise: the PredictionService task default
   * (Lambda reports its own size in AWS_LAMBDA_FUNCTION_MEMORY_SIZE).
   */
  memoryMiB: 1024,
  /** How long a resolved production version is used before it is refreshed in the background. */
  productionTtlMs: 15_000,
  /**
   * Age after which a production version that could not be refreshed is no longer trusted:
   * answers become fallbacks (reason `stale-production-version`) rather than serving a version
   * that may have been rolled back long ago. 40 refresh intervals: a registry blip never trips it.
   */
  productionMaxAgeMs: 10 * 60_000,
  /** (model, category) production versions remembered; the least recently refreshed are forgotten first. */
  maxKnownProductions: 10_000,
  /**
   * DynamoDB GetItem answers in single-digit milliseconds; 100 ms per attempt with 2 attempts
   * (plus <= 10 ms jittered pause) bounds a store outage at ~210 ms, inside the 500 ms p99 budget,
   * and the circuit breaker below answers from rules at once while the store stays down.
   */
  storeTimeoutMs: 100,
  storeMaxAttempts: 2,
  /** Consecutive store failures that open the circuit, and how long it stays open. */
  breakerFailureThreshold: 5,
  breakerOpenMs: 1_000,
  metricsIntervalMs: 60_000,
  port: 8080,
  /**
   * BatchGetItem rounds while keys come back unprocessed, and the backoff before the second
   * round (doubling after). Rounds after the first make one attempt each, so a batch read is
   * bounded at ~210 + 110 + 120 ms even when every request times out.
   */
  batchGetRounds: 3,
  batchGetBackoffMs: 10,
  /** Largest batchGet request. */
  maxBatchIds: 100,
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: 64 * 1024,
} as const;

/**
 * The answer cache's share of a front end's memory: a quarter leaves the rest to the runtime,
 * request buffers and garbage-collection headroom.
 */
export function cacheMaxBytesFor(memoryMiB: number): number {
  return Math.floor(memoryMiB * 1024 * 1024 / 4);
}
