// The asynchronous composition's configuration (`inference.async`): what the front end needs to
// accept jobs (`:submit`, `GET jobs/{jobId}`) and what the worker needs to answer them. Each
// travels as JSON in one environment variable, written by the construct, read by the runtime.
import { ValidationError } from '../registry/errors';
import * as v from '../registry/validate';
import { PREDICT_DEFAULTS } from './constants';

export const ASYNC_ENV = {
  /** Front end: JSON {"models": {"<model>": AsyncModelConfig}}. */
  jobs: 'MLOPS_ASYNC_JOBS',
  /** Worker: JSON AsyncWorkerConfig. */
  worker: 'MLOPS_ASYNC_WORKER',
} as const;

/** Limits of the transport the platform chose (SQS + Lambda workers, see the README). */
export const ASYNC_LIMITS = {
  /** Both front ends read at most this body (the job message stays far below SQS's 256 KiB). */
  maxPayloadBytes: PREDICT_DEFAULTS.maxBodyBytes,
  /** One InvokeEndpoint call of a SageMaker real-time endpoint answers within 60 s or fails. */
  sageMakerInvokeSeconds: 60,
  /** A Lambda worker runs at most 15 minutes; one minute stays for the job's own writes. */
  workerSeconds: 14 * 60,
} as const;

/** What the front end needs to accept and report the jobs of one model. */
export interface AsyncModelConfig {
  readonly queueUrl: string;
  readonly jobsTable: string;
  readonly resultsBucket: string;
  /** Largest `:submit` body, in bytes. */
  readonly maxPayloadBytes: number;
  /** How long a job and its result are kept after submission, in seconds (the item's TTL). */
  readonly retentionSeconds: number;
}

export interface AsyncJobsConfig {
  readonly models: Readonly<Record<string, AsyncModelConfig>>;
}

/** What the worker of one model needs. */
export interface AsyncWorkerConfig {
  readonly model: string;
  readonly jobsTable: string;
  readonly resultsBucket: string;
  /** Base URL of a model service under the serving contract. */
  readonly url?: string;
  /** Name of a SageMaker real-time endpoint. */
  readonly sageMakerEndpoint?: string;
  /** Deadline of one model call, in milliseconds. */
  readonly timeoutMs: number;
  /** Deliveries of a message before it goes to the dead-letter queue (the queue's maxReceiveCount). */
  readonly maxAttempts: number;
}

const MODEL_FIELDS = ['queueUrl', 'jobsTable', 'resultsBucket', 'maxPayloadBytes', 'retentionSeconds'];
const WORKER_FIELDS = ['model', 'jobsTable', 'resultsBucket', 'url', 'sageMakerEndpoint', 'timeoutMs', 'maxAttempts'];

export function parseAsyncJobsConfig(input: unknown, field: string = ASYNC_ENV.jobs): AsyncJobsConfig {
  const value = parse(input, field);
  const models = isObject(value) ? value.models : undefined;
  if (!isObject(models)) throw new ValidationError(`${field}.models`, models, 'use an object {"models": {"<model>": {"queueUrl", "jobsTable", "resultsBucket", "maxPayloadBytes", "retentionSeconds"}}}');
  const out: Record<string, AsyncModelConfig> = {};
  for (const [name, raw] of Object.entries(models)) {
    const f = `${field}.models.${name}`;
    v.modelName(`${field}.models key`, name);
    if (!isObject(raw)) throw new ValidationError(f, raw, `use an object with ${MODEL_FIELDS.join(', ')}`);
    onlyKnown(raw, f, MODEL_FIELDS);
    out[name] = {
      queueUrl: str(raw, f, 'queueUrl'), jobsTable: str(raw, f, 'jobsTable'), resultsBucket: str(raw, f, 'resultsBucket'),
      maxPayloadBytes: int(raw, f, 'maxPayloadBytes', 1, ASYNC_LIMITS.maxPayloadBytes),
      retentionSeconds: int(raw, f, 'retentionSeconds', 1, Number.MAX_SAFE_INTEGER),
    };
  }
  return { models: out };
}

export function parseAsyncWorkerConfig(input: unknown, field: string = ASYNC_ENV.worker): AsyncWorkerConfig {
  const raw = parse(input, field);
  if (!isObject(raw)) throw new ValidationError(field, raw, `use an object with ${WORKER_FIELDS.join(', ')}`);
  onlyKnown(raw, field, WORKER_FIELDS);
  if ((raw.url === undefined) === (raw.sageMakerEndpoint === undefined)) {
    throw new ValidationError(field, raw, 'give exactly one of "url" (a model service) and "sageMakerEndpoint" (a SageMaker endpoint name)');
  }
  return {
    model: v.modelName(`${field}.model`, raw.model),
    jobsTable: str(raw, field, 'jobsTable'), resultsBucket: str(raw, field, 'resultsBucket'),
    ...(raw.url !== undefined ? { url: str(raw, field, 'url') } : { sageMakerEndpoint: str(raw, field, 'sageMakerEndpoint') }),
    timeoutMs: int(raw, field, 'timeoutMs', 1, ASYNC_LIMITS.workerSeconds * 1000),
    maxAttempts: int(raw, field, 'maxAttempts', 1, 1000),
  };
}

function parse(input: unknown, field: string): unknown {
  if (typeof input !== 'string') return input;
  try { return JSON.parse(input); } catch (e) {
    throw new ValidationError(field, input, `use valid JSON (${(e as Error).message})`);
  }
}

function onlyKnown(raw: Record<string, unknown>, field: string, known: string[]): void {
  for (const k of Object.keys(raw)) {
    if (!known.includes(k)) throw new ValidationError(`${field}.${k}`, raw[k], `remove it: the fields are ${known.join(', ')}`);
  }
}

function str(raw: Record<string, unknown>, field: string, key: string): string {
  const x = raw[key];
  if (typeof x !== 'string' || x === '') throw new ValidationError(`${field}.${key}`, x, 'use a non-empty string (the construct writes it)');
  return x;
}

function int(raw: Record<string, unknown>, field: string, key: string, min: number, max: number): number {
  const x = raw[key];
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) throw new ValidationError(`${field}.${key}`, x, `use a whole number from ${min} to ${max}`);
  return x;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
