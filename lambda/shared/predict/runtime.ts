// Builds a PredictCore from the environment the constructs set (server and Lambda alike). Every
// AWS call on this path goes through the lean signed clients (dynamo-reader, model-client): no
// AWS SDK module is loaded at init, which is most of a Lambda cold start (bench/README.md).
import { getHeapStatistics } from 'node:v8';
import { ENV, requireEnv } from '../env';
import { keys } from '../registry/keys';
import { ASYNC_ENV } from './async-config';
import type { AsyncJobs } from './async-jobs';
import { parseServingConfig } from './config';
import { PREDICT_DEFAULTS, PREDICT_ENV, cacheMaxBytesFor } from './constants';
import { PredictCore, PredictCoreOptions } from './core';
import { DynamoReader } from './dynamo-reader';
import { InvokedModel, ModelInvoker, ModelInvokerOptions } from './invoke';
import { compositionClient } from './compose';
import { parseModelEndpoints } from './invoke-config';
import { HttpModelClient, ModelClient, SageMakerModelClient } from './model-client';
import { ProductionSource } from './production';
import { credentialSource } from './credentials';
import { DynamoPredictionStore } from './store';

function intEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`environment variable ${name} must be a whole number >= ${min}, but ${JSON.stringify(raw)} was set`);
  return n;
}

export interface RuntimeOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly onAnswer?: PredictCoreOptions['onAnswer'];
  readonly onStoreError?: PredictCoreOptions['onStoreError'];
  readonly onProductionError?: PredictCoreOptions['onProductionError'];
  readonly onModelError?: ModelInvokerOptions['onModelError'];
}

/** What a front end answers with: the predict core, and the invoker when models are answered in real time. */
export interface FrontEnd {
  readonly core: PredictCore;
  readonly invoker?: ModelInvoker;
  /** Answers `:submit` and `jobs/{jobId}` when MLOPS_ASYNC_JOBS names models with jobs. */
  readonly jobs?: AsyncJobs;
}

/**
 * What servers answer with: the registry's served version (two-phase promotion), so a promoted
 * version is answered once its predictions are loaded, never before. The same reads as the
 * registry core's getServed (consistent; a production pointer from before two-phase promotion
 * counts as served), over the lean reader: test/serving/served-source.test.ts holds them equal.
 */
export function servedVersionSource(reader: Pick<DynamoReader, 'getItem'>, registryTable: string): ProductionSource {
  return async (model, category) => {
    const pk = keys.line(model, category);
    const served = await reader.getItem(registryTable, { pk, sk: keys.servedSk }, { consistentRead: true });
    if (served) return Number(served.version);
    const desired = await reader.getItem(registryTable, { pk, sk: keys.productionSk }, { consistentRead: true });
    return desired && !desired.servedTracked ? Number(desired.version) : undefined;
  };
}

/** A predict core wired to the predictions table and the registry named in the environment. */
export function predictCoreFromEnv(options: RuntimeOptions = {}): PredictCore {
  return frontEndFromEnv(options).core;
}

/**
 * The predict core, plus a model invoker when PREDICT_ENV.modelEndpoints names models answered
 * in real time (the two then share the answer-cache budget half and half).
 */
export function frontEndFromEnv(options: RuntimeOptions = {}): FrontEnd {
  const env = options.env ?? process.env;
  const endpointsJson = env[PREDICT_ENV.modelEndpoints];
  const endpoints = endpointsJson ? parseModelEndpoints(endpointsJson, PREDICT_ENV.modelEndpoints) : undefined;
  const cacheBytes = Math.floor(cacheMaxBytes(env) / (endpoints ? 2 : 1));
  const cacheTtlMs = intEnv(env, PREDICT_ENV.cacheTtlMs, PREDICT_DEFAULTS.cacheTtlMs, 0);
  const timeoutMs = intEnv(env, PREDICT_ENV.storeTimeoutMs, PREDICT_DEFAULTS.storeTimeoutMs, 1);
  const maxAttempts = intEnv(env, PREDICT_ENV.storeMaxAttempts, PREDICT_DEFAULTS.storeMaxAttempts, 1);
  const credentials = credentialSource(env);
  const registryTable = requireEnvFrom(env, ENV.registryTable);
  const predictionsTable = requireEnvFrom(env, ENV.predictionsTable);
  const reader = new DynamoReader({ endpoint: dynamoEndpoint(env), region: requireEnvFrom(env, 'AWS_REGION'), credentials, timeoutMs });
  const core = new PredictCore({
    config: parseServingConfig(requireEnvFrom(env, PREDICT_ENV.servingConfig), PREDICT_ENV.servingConfig),
    store: new DynamoPredictionStore({ tableName: predictionsTable, reader, maxAttempts }),
    production: servedVersionSource(reader, registryTable),
    cacheTtlMs,
    maxCacheBytes: cacheBytes,
    onAnswer: options.onAnswer,
    onStoreError: options.onStoreError,
    onProductionError: options.onProductionError,
  });
  const jobs = asyncJobs(env, core);
  if (!endpoints) return { core, jobs };
  const models: Record<string, InvokedModel> = {};
  for (const [name, e] of Object.entries(endpoints.models)) {
    const modelClient: ModelClient = e.composition ? compositionClient(e.composition, () => ({
      region: requireEnvFrom(env, 'AWS_REGION'), credentials,
      sageMakerEndpoint: env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME || undefined, lambdaEndpoint: env.AWS_ENDPOINT_URL_LAMBDA || undefined,
    })) : e.url !== undefined
      ? new HttpModelClient(e.url)
      : new SageMakerModelClient({ endpointName: e.sageMakerEndpoint!, region: requireEnvFrom(env, 'AWS_REGION'), credentials, endpoint: env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME || undefined });
    models[name] = { mode: e.mode, budgetMs: e.budgetMs, client: modelClient };
  }
  const invoker = new ModelInvoker({ core, models, cacheTtlMs, maxCacheBytes: cacheBytes, onAnswer: options.onAnswer, onModelError: options.onModelError });
  return { core, invoker, jobs };
}

/**
 * Jobs need the SDK's DynamoDB client, so it is loaded only by a front end that answers jobs:
 * the others keep a cold start free of AWS SDK modules.
 */
function asyncJobs(env: NodeJS.ProcessEnv, core: PredictCore): AsyncJobs | undefined {
  if (!env[ASYNC_ENV.jobs]) return undefined;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { asyncJobsFromEnv } = require('./async-runtime') as typeof import('./async-runtime');
  const { DynamoDBClient } = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
  const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb') as typeof import('@aws-sdk/lib-dynamodb');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  return asyncJobsFromEnv(env, core, doc);
}

/**
 * The answer cache's byte cap: MLOPS_CACHE_MAX_BYTES (the service construct derives it from the
 * task memory), else a share of the Lambda function's memory, else of the default task memory;
 * never more than a quarter of the V8 heap limit, whatever the memory of the host.
 */
export function cacheMaxBytes(env: NodeJS.ProcessEnv, heapLimitBytes = getHeapStatistics().heap_size_limit): number {
  const lambdaMiB = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  const derived = cacheMaxBytesFor(Number.isInteger(lambdaMiB) && lambdaMiB > 0 ? lambdaMiB : PREDICT_DEFAULTS.memoryMiB);
  return Math.min(intEnv(env, PREDICT_ENV.cacheMaxBytes, derived, 0), Math.floor(heapLimitBytes / 4));
}

function requireEnvFrom(env: NodeJS.ProcessEnv, name: string): string {
  if (env === process.env) return requireEnv(name);
  const v = env[name];
  if (v === undefined || v === '') throw new Error(`environment variable ${name} is not set; the construct that creates this service sets it`);
  return v;
}

/** The DynamoDB endpoint: AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL (local mode) or the regional one. */
export function dynamoEndpoint(env: NodeJS.ProcessEnv): string {
  const configured = env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL;
  if (configured) return configured;
  const region = requireEnvFrom(env, 'AWS_REGION');
  return `https://dynamodb.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
}
