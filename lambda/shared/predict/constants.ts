// Environment variable names and defaults of the prediction front ends (the Fargate server and
// the API Lambda). Constructs set them, the runtime reads them: both import this file.

export const PREDICT_ENV = {
  /** JSON serving configuration: served models, their categories and rules (see config.ts). */
  servingConfig: 'MLOPS_SERVING_CONFIG',
  /** Time-to-live of cached predictions, in milliseconds. */
  cacheTtlMs: 'MLOPS_CACHE_TTL_MS',
  /** Deadline of one store request (each attempt), in milliseconds. */
  storeTimeoutMs: 'MLOPS_STORE_TIMEOUT_MS',
  /** Attempts per store read (1 = no retry). */
  storeMaxAttempts: 'MLOPS_STORE_MAX_ATTEMPTS',
  /** How often the server writes its aggregated EMF metric lines to stdout, in milliseconds. */
  metricsIntervalMs: 'MLOPS_METRICS_INTERVAL_MS',
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
  maxCacheEntries: 200_000,
  /** How long a resolved production version is used before it is refreshed in the background. */
  productionTtlMs: 15_000,
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
  /** Largest batchGet request. */
  maxBatchIds: 100,
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: 64 * 1024,
} as const;
