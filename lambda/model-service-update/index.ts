// On the registry's Model Promoted event, rolls the model's Fargate service out to a task
// definition revision pinned to the promoted version; on the service's own deployment state
// changes, records how the rollout ended.
import { ECSClient } from '@aws-sdk/client-ecs';
import { Logger } from '@aws-lambda-powertools/logger';
import { REGISTRY_EVENTS } from '../shared/contract';
import { ENV, requireEnv } from '../shared/env';
import { ModelServiceDeps, rollOutOnPromotion, settleRollout } from '../shared/model-service/rollout';
import { ECS_DEPLOYMENT_STATE_CHANGE, MODEL_SERVICE_SETTINGS_ENV, ModelServiceSettings } from '../shared/model-service/settings';
import { ModelRegistryClient } from '../shared/registry/client';
import { EndpointRecord } from '../shared/registry/types';
import { ModelPromotedDetail } from '../shared/serving-endpoint/promotion';

const logger = new Logger({ serviceName: 'model-service-update' });

export interface ModelServiceUpdateEvent {
  readonly 'detail-type': string;
  readonly 'detail': Record<string, unknown>;
}

export async function updateModelService(event: ModelServiceUpdateEvent, deps: ModelServiceDeps): Promise<EndpointRecord[]> {
  const records = event['detail-type'] === REGISTRY_EVENTS.modelPromoted
    ? [await rollOutOnPromotion(event.detail as unknown as ModelPromotedDetail, deps)].filter((r): r is EndpointRecord => r !== undefined)
    : event['detail-type'] === ECS_DEPLOYMENT_STATE_CHANGE ? await settleRollout(deps) : [];
  for (const r of records) logger.info('model service rollout recorded', { ...r });
  return records;
}

let deps: ModelServiceDeps | undefined;

export async function handler(event: ModelServiceUpdateEvent): Promise<EndpointRecord[]> {
  deps ??= {
    ecs: new ECSClient({}),
    registry: new ModelRegistryClient({ tableName: requireEnv(ENV.registryTable) }),
    settings: JSON.parse(requireEnv(MODEL_SERVICE_SETTINGS_ENV)) as ModelServiceSettings,
  };
  return updateModelService(event, deps);
}
