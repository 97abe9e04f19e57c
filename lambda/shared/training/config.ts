import { requireEnv } from '../env';
import { TRAINING_ENV } from './constants';
import { PipelineConfig } from './types';

/** Reads the pipeline configuration the construct put in the environment. */
export function configFromEnv(): PipelineConfig {
  const raw = requireEnv(TRAINING_ENV.config);
  try {
    return JSON.parse(raw) as PipelineConfig;
  } catch (e) {
    throw new Error(`environment variable ${TRAINING_ENV.config} is not valid JSON (${(e as Error).message}); redeploy the TrainingPipeline construct`);
  }
}
