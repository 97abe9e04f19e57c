// Batch inference step 4 (one Distributed Map child per part file): write the part's
// predictions into the predictions table with TTL; publish written / failed counts and the
// batch's generation time.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { METRICS } from '../shared/contract';
import { documentClient } from '../shared/dynamo';
import { ENV, requireEnv } from '../shared/env';
import { BATCH_ENV } from '../shared/predictions/constants';
import { LoadFileResult, loadFile } from '../shared/predictions/load-file';
import { DEFAULT_PREDICTION_TTL_HOURS } from '../shared/predictions/schema';
import * as v from '../shared/registry/validate';

const logger = new Logger({ serviceName: 'batch-inference' });
const metrics = new Metrics({ namespace: METRICS.namespace, serviceName: 'batch-inference' });
const s3 = new S3Client({});
const doc = documentClient();

/** One item of the Distributed Map (the S3 listing entry plus the batch context). */
export interface LoadEvent {
  readonly bucket: string;
  readonly key: string;
  readonly model: string;
  readonly category: string;
  readonly version: number;
  readonly generatedAt: string;
}

export async function handler(event: LoadEvent): Promise<LoadFileResult> {
  const model = v.modelName('model', event.model);
  const category = v.category('category', event.category);
  const generatedAt = new Date(v.isoTime('generatedAt', event.generatedAt) ?? Date.now());
  const ttlHours = Number(process.env[BATCH_ENV.ttlHours] || DEFAULT_PREDICTION_TTL_HOURS);
  const result = await loadFile({
    s3, bucket: event.bucket, key: event.key,
    context: { model, category, version: v.version('version', event.version), generatedAt, ttlHours },
    write: { doc, tableName: requireEnv(ENV.predictionsTable) },
    onInvalidLine: (line, reason) => logger.warn('invalid prediction line skipped', { key: event.key, line, reason }),
  });
  metrics.addDimensions({ [METRICS.dimensions.model]: model, [METRICS.dimensions.category]: category });
  metrics.addMetric(METRICS.predictionsWritten, MetricUnit.Count, result.written);
  metrics.addMetric(METRICS.predictionsFailed, MetricUnit.Count, result.failed);
  metrics.addMetric(METRICS.predictionsGeneratedAt, MetricUnit.Seconds, Math.floor(generatedAt.getTime() / 1000));
  metrics.publishStoredMetrics();
  logger.info('loaded predictions', { ...result, model, category, version: event.version });
  return result;
}
