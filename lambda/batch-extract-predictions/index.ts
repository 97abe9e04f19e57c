// Batch inference step 3: split the scoring job's output archive into bounded JSON Lines parts,
// checking every line; a run with no valid line, or too many invalid ones, fails its category.
import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { ENV, requireEnv } from '../shared/env';
import { BATCH_DEFAULTS, BATCH_ENV } from '../shared/predictions/constants';
import { ExtractResult, extractPredictions } from '../shared/predictions/extract';
import { DEFAULT_PREDICTION_TTL_HOURS } from '../shared/predictions/schema';
import * as v from '../shared/registry/validate';

const logger = new Logger({ serviceName: 'batch-inference' });

export interface ExtractEvent {
  readonly outputKey: string;
  readonly partsPrefix: string;
  readonly model: string;
  readonly category: string;
  readonly version: number;
  readonly generatedAt: string;
}

export interface ExtractDeps {
  readonly s3: S3Client;
  readonly predictionsBucket: string;
  readonly linesPerPart: number;
  readonly maxInvalidShare: number;
  readonly ttlHours: number;
}

function depsFromEnv(): ExtractDeps {
  return {
    s3: new S3Client({}),
    predictionsBucket: requireEnv(ENV.predictionsBucket),
    linesPerPart: Number(process.env[BATCH_ENV.linesPerPart] || BATCH_DEFAULTS.linesPerPart),
    maxInvalidShare: Number(process.env[BATCH_ENV.maxInvalidShare] || BATCH_DEFAULTS.maxInvalidShare),
    ttlHours: Number(process.env[BATCH_ENV.ttlHours] || DEFAULT_PREDICTION_TTL_HOURS),
  };
}

export async function extract(event: ExtractEvent, deps: ExtractDeps): Promise<ExtractResult & { prefix: string }> {
  const bucket = deps.predictionsBucket;
  const result = await extractPredictions({
    s3: deps.s3, sourceBucket: bucket, sourceKey: event.outputKey, targetBucket: bucket, targetPrefix: event.partsPrefix,
    linesPerPart: deps.linesPerPart,
    maxInvalidShare: deps.maxInvalidShare,
    context: {
      model: v.modelName('model', event.model),
      category: v.category('category', event.category),
      version: v.version('version', event.version),
      generatedAt: new Date(v.isoTime('generatedAt', event.generatedAt) ?? Date.now()),
      ttlHours: deps.ttlHours,
    },
  });
  logger.info('extracted predictions', { ...result, source: event.outputKey, prefix: event.partsPrefix });
  return { ...result, prefix: event.partsPrefix };
}

let deps: ExtractDeps | undefined;

export async function handler(event: ExtractEvent): Promise<ExtractResult & { prefix: string }> {
  deps ??= depsFromEnv();
  return extract(event, deps);
}
