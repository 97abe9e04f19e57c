import { TrainingDeps, depsFromEnv } from '../shared/training/deps';
import { DatasetManifest, ValidationInput, validateData } from '../shared/training/validate-data';
import { loggedHandler } from '../shared/monitoring/logger';

/** Validates one category's input and writes its dataset manifest (see validateData). */
export async function validateTrainingData(event: { item: ValidationInput }, deps: TrainingDeps = depsFromEnv()): Promise<Pick<DatasetManifest, 'datasetVersion' | 'rows'>> {
  return validateData(event.item, deps);
}

export const handler = loggedHandler('training-validate-data', (event: { item: ValidationInput }) => validateTrainingData(event));
