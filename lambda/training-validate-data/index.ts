import { TrainingDeps, depsFromEnv } from '../shared/training/deps';
import { PlanOutput } from '../shared/training/types';
import { validateData } from '../shared/training/validate-data';
import { loggedHandler } from '../shared/monitoring/logger';

/** Validates every category's input and writes the dataset manifests (see validateData). */
export async function validateTrainingData(event: PlanOutput, deps: TrainingDeps = depsFromEnv()): Promise<PlanOutput> {
  return validateData(event, deps);
}

export const handler = loggedHandler('training-validate-data', (event: PlanOutput) => validateTrainingData(event));
