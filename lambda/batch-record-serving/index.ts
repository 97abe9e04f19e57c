// Batch inference, after each category: record the outcome on the registry. A completed load
// moves the served pointer to the desired version when this was it (two-phase promotion); a
// failed category says why on the promotion's audit record, and the served version stays.
import { Logger } from '@aws-lambda-powertools/logger';
import { ENV, requireEnv } from '../shared/env';
import { BATCH_ENV } from '../shared/predictions/constants';
import { DEFAULT_PREDICTION_TTL_HOURS } from '../shared/predictions/schema';
import { ModelRegistryClient } from '../shared/registry/client';

const logger = new Logger({ serviceName: 'batch-inference' });

/** What the state machine passes after a category's load, or after its failure. */
export type RecordServingEvent =
  | { readonly outcome: 'LOADED'; readonly model: string; readonly category: string; readonly version: number; readonly generatedAt: string }
  | { readonly outcome: 'FAILED'; readonly model: string; readonly category: string; readonly version: number; readonly error: string; readonly cause?: string };

export interface RecordServingDeps {
  readonly registry: ModelRegistryClient;
  readonly ttlHours: number;
}

export interface RecordServingResult {
  /** The version served after the call, if any. */
  readonly servedVersion?: number;
  /** True when this call moved the served pointer. */
  readonly flipped: boolean;
}

export async function recordServing(event: RecordServingEvent, deps: RecordServingDeps): Promise<RecordServingResult> {
  const { model, category, version } = event;
  if (event.outcome === 'LOADED') {
    const res = await deps.registry.markLoaded({ model, category, version, generatedAt: event.generatedAt, ttlHours: deps.ttlHours });
    logger.info('predictions loaded', { model, category, version, flipped: res.flipped, servedVersion: res.served?.version });
    return { servedVersion: res.served?.version, flipped: res.flipped };
  }
  const reason = `${event.error}${event.cause ? `: ${event.cause}` : ''}`.slice(0, 4096);
  const promotion = await deps.registry.recordScoringFailure({ model, category, version, reason });
  const served = await deps.registry.getServed(model, category);
  logger.warn('scoring failed; the served version stays', { model, category, version, servedVersion: served?.version, promotionSequence: promotion?.sequence, reason });
  return { servedVersion: served?.version, flipped: false };
}

let deps: RecordServingDeps | undefined;

export async function handler(event: RecordServingEvent): Promise<RecordServingResult> {
  deps ??= { registry: new ModelRegistryClient({ tableName: requireEnv(ENV.registryTable) }), ttlHours: Number(process.env[BATCH_ENV.ttlHours] || DEFAULT_PREDICTION_TTL_HOURS) };
  return recordServing(event, deps);
}
