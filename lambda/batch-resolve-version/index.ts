// Batch inference step 1: resolve the production version of each category from the registry.
import { Logger } from '@aws-lambda-powertools/logger';
import { ENV, requireEnv } from '../shared/env';
import { BATCH_ENV } from '../shared/predictions/constants';
import { ResolveContext, ResolveOutput, resolveScoringTargets } from '../shared/predictions/resolve';
import { ModelRegistryClient } from '../shared/registry/client';

const logger = new Logger({ serviceName: 'batch-inference' });

function contextFromEnv(): ResolveContext {
  const categories = process.env[BATCH_ENV.categories];
  return {
    registry: new ModelRegistryClient({ tableName: requireEnv(ENV.registryTable) }),
    datasetsBucket: requireEnv(ENV.datasetsBucket),
    artifactsBucket: requireEnv(ENV.artifactsBucket),
    predictionsBucket: requireEnv(ENV.predictionsBucket),
    defaultCategories: categories ? JSON.parse(categories) as string[] : [],
    defaultImage: process.env[BATCH_ENV.defaultImage] || undefined,
    imageRepository: process.env[BATCH_ENV.imageRepository] || undefined,
  };
}

/** What the state machine passes: the execution input plus the execution's name and start time. */
export interface ResolveEvent {
  readonly input: { readonly model: string; readonly executionDate: string; readonly categories?: string[] };
  readonly executionName: string;
  readonly startedAt: string;
}

export async function resolveVersions(event: ResolveEvent, ctx: ResolveContext): Promise<ResolveOutput> {
  const out = await resolveScoringTargets(ctx, { ...event.input, executionName: event.executionName, startedAt: event.startedAt });
  logger.info('resolved scoring targets', { model: out.model, executionDate: out.executionDate, targets: out.targets.map((t) => `${t.category}@v${t.version}`), skipped: out.skipped, rejected: out.rejected });
  return out;
}

let ctx: ResolveContext | undefined;

export async function handler(event: ResolveEvent): Promise<ResolveOutput> {
  ctx ??= contextFromEnv();
  return resolveVersions(event, ctx);
}
