// Environment variable names and defaults of the batch inference handlers; the BatchInference
// construct sets them, the handlers read them.
export const BATCH_ENV = {
  /** JSON list of the model's declared categories (used when an execution names none). */
  categories: 'MLOPS_BATCH_CATEGORIES',
  /** Scoring image used when a version records none. */
  defaultImage: 'MLOPS_BATCH_DEFAULT_IMAGE',
  /** Hours a loaded prediction stays valid. */
  ttlHours: 'MLOPS_PREDICTION_TTL_HOURS',
  /** Lines per part file written by the extractor (one loader invocation per part). */
  linesPerPart: 'MLOPS_LINES_PER_PART',
  /** Largest share (0-1) of invalid prediction lines a category may have before it fails. */
  maxInvalidShare: 'MLOPS_MAX_INVALID_PREDICTION_SHARE',
  /** ECR repository URI the scoring images must come from (besides the default image). */
  imageRepository: 'MLOPS_SCORING_IMAGE_REPOSITORY',
} as const;

export const BATCH_DEFAULTS = {
  /**
   * 10k predictions per part: one loader invocation writes them as 400 BatchWriteItem calls in
   * a few seconds, far from the 15-minute limit even under heavy throttling, and the part
   * (~2 MB) fits comfortably in memory.
   */
  linesPerPart: 10_000,
  /** 1% invalid lines: more means the scoring code is broken, not that a few rows were odd. */
  maxInvalidShare: 0.01,
  /** Concurrent BatchWriteItem calls per loader invocation. */
  writeConcurrency: 4,
  /** Attempts per chunk of 25 before the invocation fails (and Step Functions retries the file). */
  maxAttempts: 12,
  baseDelayMs: 50,
  maxDelayMs: 5_000,
} as const;

/** Name of the part files under a parts prefix. */
export const PART_PREFIX = 'part-';
export const partKey = (prefix: string, n: number) => `${prefix}${PART_PREFIX}${String(n).padStart(5, '0')}.jsonl`;
