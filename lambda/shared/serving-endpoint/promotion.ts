// What every real-time hosting does with a Model Promoted event and its endpoint record, whatever
// moves the traffic (a SageMaker endpoint shift, an ECS service deployment): serve only the
// promotion that is still the desired one, and record in the registry which version the endpoint
// serves, carrying the last served version over until the new one serves.
import { ModelRegistryClient } from '../registry/client';
import { EndpointRecord, EndpointShiftStatus, ModelVersion } from '../registry/types';

/** The detail of the registry's Model Promoted event (numbers may arrive as strings). */
export interface ModelPromotedDetail {
  readonly model: string;
  readonly category: string;
  readonly toVersion: number | string;
  readonly sequence: number | string;
}

/**
 * The promoted version, when the event is of `model` and still the desired promotion of its
 * category; undefined otherwise (a newer promotion moves the endpoint itself).
 */
export async function desiredPromotion(detail: ModelPromotedDetail, registry: ModelRegistryClient, model: string): Promise<{ version: ModelVersion; sequence: number } | undefined> {
  const version = Number(detail.toVersion);
  const sequence = Number(detail.sequence);
  if (detail.model !== model) return undefined;
  const desired = await registry.getProduction(detail.model, detail.category);
  if (desired?.version !== version || desired.sequence !== sequence) return undefined;
  const found = await registry.getVersion(detail.model, detail.category, version);
  if (!found) throw new Error(`version ${version} of ${detail.model}/${detail.category} is not in the registry; the promotion event cannot be served`);
  return { version: found, sequence };
}

/** The record of one promotion's rollout; `endpointConfigName` names what holds the version (endpoint config, task definition). */
export interface RolloutKey {
  readonly model: string;
  readonly category: string;
  readonly endpointName: string;
  readonly version: number;
  readonly sequence: number;
  readonly endpointConfigName: string;
}

/**
 * Writes a promotion's endpoint record: servingVersion is the version once IN_SERVICE, else the
 * previous record's. An IN_SERVICE record also settles the registry's served pointer (inServiceWritten).
 */
export function endpointRecorder(registry: ModelRegistryClient, key: RolloutKey, previous: EndpointRecord | undefined) {
  return async (status: EndpointShiftStatus, failureReason?: string): Promise<EndpointRecord | undefined> => inServiceWritten(registry, await registry.recordEndpoint({
    ...key, status,
    ...(status === 'IN_SERVICE' ? { servingVersion: key.version } : previous?.servingVersion !== undefined ? { servingVersion: previous.servingVersion } : {}),
    ...(failureReason !== undefined ? { failureReason } : {}),
  }));
}

/**
 * After an endpoint record is written: when it says IN_SERVICE, an online model's served pointer
 * moves to its version (markShifted: only while the record's promotion is the desired one, so a
 * late settle of an older shift moves nothing; a `both` model stays served by its batch load).
 */
async function inServiceWritten(registry: ModelRegistryClient, written: EndpointRecord | undefined): Promise<EndpointRecord | undefined> {
  if (written?.status === 'IN_SERVICE') await registry.markShifted({ model: written.model, category: written.category, version: written.version, sequence: written.sequence });
  return written;
}

/** How a rollout stands. */
export interface RolloutOutcome {
  readonly status: EndpointShiftStatus;
  readonly failureReason?: string;
}

/**
 * Moves every UPDATING record of the model's categories to its outcome (`outcomeOf` its
 * endpointConfigName); returns the records written.
 */
export async function settleRecords(registry: ModelRegistryClient, model: string, categories: readonly string[], outcomeOf: (endpointConfigName: string) => RolloutOutcome): Promise<EndpointRecord[]> {
  const settled: EndpointRecord[] = [];
  for (const category of categories) {
    const rec = await registry.getEndpointRecord(model, category);
    if (rec?.status !== 'UPDATING') continue;
    const outcome = outcomeOf(rec.endpointConfigName);
    if (outcome.status === 'UPDATING') continue;
    const { updatedAt: _, failureReason: __, ...rest } = rec;
    const written = await inServiceWritten(registry, await registry.recordEndpoint({
      ...rest, status: outcome.status,
      ...(outcome.status === 'IN_SERVICE' ? { servingVersion: rec.version } : {}),
      ...(outcome.failureReason !== undefined ? { failureReason: outcome.failureReason } : {}),
    }));
    if (written) settled.push(written);
  }
  return settled;
}
