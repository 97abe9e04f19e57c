// On the registry's Model Promoted event, shifts the model's real-time endpoint to the promoted
// version blue/green; on the endpoint's own state changes, records how the shift ended.
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { Logger } from '@aws-lambda-powertools/logger';
import { REGISTRY_EVENTS } from '../shared/contract';
import { ENV, requireEnv } from '../shared/env';
import { ModelRegistryClient } from '../shared/registry/client';
import { EndpointRecord } from '../shared/registry/types';
import { ENDPOINT_SETTINGS_ENV, ENDPOINT_STATE_CHANGE, EndpointSettings } from '../shared/serving-endpoint/settings';
import { EndpointShiftDeps, ModelPromotedDetail, settleShift, shiftOnPromotion } from '../shared/serving-endpoint/shift';
import { ensureAutoscaling } from './autoscaling';

const logger = new Logger({ serviceName: 'model-endpoint-update' });

export interface EndpointUpdateEvent {
  readonly 'detail-type': string;
  readonly 'detail': Record<string, unknown>;
}

export interface EndpointUpdateDeps extends EndpointShiftDeps {
  readonly autoScaling: ApplicationAutoScalingClient;
}

export async function updateEndpoint(event: EndpointUpdateEvent, deps: EndpointUpdateDeps): Promise<EndpointRecord[]> {
  const stateChange = event['detail-type'] === ENDPOINT_STATE_CHANGE;
  const records = event['detail-type'] === REGISTRY_EVENTS.modelPromoted
    ? [await shiftOnPromotion(event.detail as unknown as ModelPromotedDetail, deps)].filter((r): r is EndpointRecord => r !== undefined)
    : stateChange ? await settleShift(deps) : [];
  for (const r of records) logger.info('endpoint shift recorded', { ...r });
  // An endpoint created by the first promotion gets its autoscaling once it is InService.
  if (stateChange && await ensureAutoscaling(deps.sageMaker, deps.autoScaling, deps.settings)) logger.info('endpoint autoscaling registered', { endpoint: deps.settings.endpointName });
  return records;
}

let deps: EndpointUpdateDeps | undefined;

export async function handler(event: EndpointUpdateEvent): Promise<EndpointRecord[]> {
  deps ??= {
    sageMaker: new SageMakerClient({}),
    autoScaling: new ApplicationAutoScalingClient({}),
    registry: new ModelRegistryClient({ tableName: requireEnv(ENV.registryTable) }),
    settings: JSON.parse(requireEnv(ENDPOINT_SETTINGS_ENV)) as EndpointSettings,
  };
  return updateEndpoint(event, deps);
}
