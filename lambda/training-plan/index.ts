import { TrainingDeps, depsFromEnv, logWith, pipelineActor } from '../shared/training/deps';
import { pinImageDigest } from '../shared/training/image-digest';
import { plan } from '../shared/training/plan';
import { ExecutionInput, PlanOutput } from '../shared/training/types';
import { loggedHandler } from '../shared/monitoring/logger';

export interface PlanEvent {
  readonly input?: ExecutionInput;
  readonly executionId: string;
  readonly startTime: string;
}

/**
 * Plans an execution and creates the model in the registry on its first run (idempotent); each
 * run records how the model's promoted versions get served (after batch scoring, or at once).
 */
export async function planExecution(event: PlanEvent, deps: TrainingDeps = depsFromEnv()): Promise<PlanOutput> {
  const planned = plan(event.input ?? {}, {
    config: deps.config,
    datasetsBucket: deps.datasetsBucket,
    artifactsBucket: deps.artifactsBucket,
    executionId: event.executionId,
    startTime: event.startTime,
  });
  await deps.registry.createModel({
    model: deps.config.model,
    description: deps.config.modelDescription ?? `trained by ${deps.config.pipelineName ?? 'the cdk-mlops training pipeline'}`,
    ...(deps.config.modelOwner ? { owner: deps.config.modelOwner } : {}),
    scoring: deps.config.scoring,
    actor: pipelineActor(deps.config, event.executionId),
  });
  // Every version of the execution records the image by digest (lineage), even if the tag moves.
  return deps.ecr ? { ...planned, image: await pinImageDigest(planned.image, deps.ecr, logWith(deps)) } : planned;
}

export const handler = loggedHandler('training-plan', (event: PlanEvent) => planExecution(event));
