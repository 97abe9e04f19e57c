// Batch inference step 4 (one Distributed Map child per part file): write the part's
// predictions into the predictions table with TTL; publish written / failed counts and the
// batch's generation time.
import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { METRICS } from '../shared/contract';
import { documentClient } from '../shared/dynamo';
import { emfLine, writeEmf } from '../shared/emf';
import { ENV, requireEnv } from '../shared/env';
import { BATCH_ENV } from '../shared/predictions/constants';
import { LoadFileResult, loadFile } from '../shared/predictions/load-file';
import { DEFAULT_PREDICTION_TTL_HOURS } from '../shared/predictions/schema';
import * as v from '../shared/registry/validate';

const logger = new Logger({ serviceName: 'batch-inference' });

/** One item of the Distributed Map (the S3 listing entry plus the batch context). */
export interface LoadEvent {
  readonly bucket: string;
  readonly key: string;
  readonly model: string;
  readonly category: string;
  readonly version: number;
  readonly generatedAt: string;
}

export interface LoadDeps {
  readonly s3: S3Client;
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly ttlHours: number;
  /** Where EMF lines go. @default writeEmf (process.stdout, never console: see shared/emf.ts) */
  readonly emit?: (line: string) => void;
}

function depsFromEnv(): LoadDeps {
  return {
    s3: new S3Client({}),
    doc: documentClient(),
    tableName: requireEnv(ENV.predictionsTable),
    ttlHours: Number(process.env[BATCH_ENV.ttlHours] || DEFAULT_PREDICTION_TTL_HOURS),
  };
}

export async function loadPart(event: LoadEvent, deps: LoadDeps): Promise<LoadFileResult> {
  const model = v.modelName('model', event.model);
  const category = v.category('category', event.category);
  const generatedAt = new Date(v.isoTime('generatedAt', event.generatedAt) ?? Date.now());
  const result = await loadFile({
    s3: deps.s3, bucket: event.bucket, key: event.key,
    context: { model, category, version: v.version('version', event.version), generatedAt, ttlHours: deps.ttlHours },
    write: { doc: deps.doc, tableName: deps.tableName },
    onInvalidLine: (line, reason) => logger.warn('invalid prediction line skipped', { key: event.key, line, reason }),
  });
  // [Model, Category] for the per-category dashboard, [Model] for the model's alarms. Freshness
  // counts only loads that wrote rows, so an empty part is no heartbeat.
  (deps.emit ?? writeEmf)(emfLine({
    timestamp: Date.now(),
    dimensions: { [METRICS.dimensions.model]: model, [METRICS.dimensions.category]: category },
    dimensionSets: [[METRICS.dimensions.model, METRICS.dimensions.category], [METRICS.dimensions.model]],
    metrics: [
      { name: METRICS.predictionsWritten, unit: 'Count', value: result.written },
      { name: METRICS.predictionsFailed, unit: 'Count', value: result.failed },
      ...(result.written > 0 ? [{ name: METRICS.predictionsGeneratedAt, unit: 'Seconds', value: Math.floor(generatedAt.getTime() / 1000) }] : []),
    ],
  }));
  logger.info('loaded predictions', { ...result, model, category, version: event.version });
  return result;
}

let deps: LoadDeps | undefined;

export async function handler(event: LoadEvent): Promise<LoadFileResult> {
  deps ??= depsFromEnv();
  return loadPart(event, deps);
}
