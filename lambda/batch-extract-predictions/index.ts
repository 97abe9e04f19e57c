// Batch inference step 3: split the scoring job's output archive into bounded JSON Lines parts.
import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { ENV, requireEnv } from '../shared/env';
import { BATCH_DEFAULTS, BATCH_ENV } from '../shared/predictions/constants';
import { ExtractResult, extractPredictions } from '../shared/predictions/extract';

const logger = new Logger({ serviceName: 'batch-inference' });
const s3 = new S3Client({});

export interface ExtractEvent {
  readonly outputKey: string;
  readonly predictionsPrefix: string;
}

export async function handler(event: ExtractEvent): Promise<ExtractResult & { prefix: string }> {
  const bucket = requireEnv(ENV.predictionsBucket);
  const result = await extractPredictions({
    s3, sourceBucket: bucket, sourceKey: event.outputKey, targetBucket: bucket, targetPrefix: event.predictionsPrefix,
    linesPerPart: Number(process.env[BATCH_ENV.linesPerPart] || BATCH_DEFAULTS.linesPerPart),
  });
  logger.info('extracted predictions', { ...result, source: event.outputKey, prefix: event.predictionsPrefix });
  return { ...result, prefix: event.predictionsPrefix };
}
