// Promotion without a CloudFormation deploy: a promoted version's model and endpoint config are
// created with the SDK, and the endpoint shifts traffic to them blue/green, rolling back on its
// alarms. The registry records which version the endpoint serves, and why a shift failed.
import {
  CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DeploymentConfig, DescribeEndpointCommand,
  DescribeEndpointCommandOutput, SageMakerClient, UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { ModelRegistryClient } from '../registry/client';
import { EndpointRecord } from '../registry/types';
import { ModelPromotedDetail, RolloutOutcome, desiredPromotion, endpointRecorder, settleRecords } from './promotion';
import { versionResourceName } from './names';
import { EndpointSettings } from './settings';

export type { ModelPromotedDetail };

export interface EndpointShiftDeps {
  readonly sageMaker: SageMakerClient;
  readonly registry: ModelRegistryClient;
  readonly settings: EndpointSettings;
}

/** Endpoint statuses during which SageMaker refuses another update. */
const BUSY = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'UpdateRollbackFailed', 'Deleting']);

/** The blue/green deployment configuration of every shift: traffic moves in steps, alarms roll it back. */
export function deploymentConfig(settings: EndpointSettings): DeploymentConfig {
  const { type, percent, waitSeconds } = settings.shift;
  const step = { Type: 'CAPACITY_PERCENT' as const, Value: percent };
  return {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: { Type: type, WaitIntervalInSeconds: waitSeconds, ...(type === 'CANARY' ? { CanarySize: step } : { LinearStepSize: step }) },
      TerminationWaitInSeconds: 0,
    },
    AutoRollbackConfiguration: { Alarms: settings.rollbackAlarms.map((AlarmName) => ({ AlarmName })) },
  };
}

/**
 * On a Model Promoted event of this endpoint's model: creates the version's model and endpoint
 * config (or finds them, on a replay), then creates the endpoint (first promotion) or updates it
 * blue/green. Returns the registry record written, or undefined when the event is not (or no
 * longer) the desired version: a newer promotion shifts the endpoint itself.
 */
export async function shiftOnPromotion(detail: ModelPromotedDetail, deps: EndpointShiftDeps): Promise<EndpointRecord | undefined> {
  const { settings, registry, sageMaker } = deps;
  const promoted = await desiredPromotion(detail, registry, settings.model);
  if (!promoted) return undefined;
  const { version: found, sequence } = promoted;
  const version = found.version;

  const name = versionResourceName(settings, version, found.artifactUri);
  await ignoreExisting(sageMaker.send(new CreateModelCommand({
    ModelName: name,
    ExecutionRoleArn: settings.roleArn,
    PrimaryContainer: { Image: settings.image, ModelDataUrl: found.artifactUri, Environment: settings.environment },
    EnableNetworkIsolation: settings.networkIsolation,
    ...(settings.vpc ? { VpcConfig: { SecurityGroupIds: settings.vpc.securityGroupIds, Subnets: settings.vpc.subnets } } : {}),
  })));
  await ignoreExisting(sageMaker.send(new CreateEndpointConfigCommand({
    EndpointConfigName: name,
    ProductionVariants: [{ VariantName: settings.variantName, ModelName: name, InstanceType: settings.instanceType as never, InitialInstanceCount: settings.initialInstanceCount, InitialVariantWeight: 1 }],
    ...(settings.kmsKeyId ? { KmsKeyId: settings.kmsKeyId } : {}),
    ...(settings.dataCapture ? {
      DataCaptureConfig: {
        EnableCapture: true,
        InitialSamplingPercentage: settings.dataCapture.percent,
        DestinationS3Uri: settings.dataCapture.destinationS3Uri,
        KmsKeyId: settings.dataCapture.kmsKeyId,
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
        CaptureContentTypeHeader: { JsonContentTypes: ['application/json'] },
      },
    } : {}),
  })));

  const previous = await registry.getEndpointRecord(detail.model, detail.category);
  const record = endpointRecorder(registry, { model: detail.model, category: detail.category, endpointName: settings.endpointName, version, sequence, endpointConfigName: name }, previous);

  const current = await describeEndpoint(sageMaker, settings.endpointName);
  if (!current) {
    await sageMaker.send(new CreateEndpointCommand({ EndpointName: settings.endpointName, EndpointConfigName: name }));
    return record('UPDATING');
  }
  // A replay, with this version's shift under way or ended: say where it stands.
  if (current.EndpointConfigName === name || current.PendingDeploymentSummary?.EndpointConfigName === name) {
    const outcome = outcomeOf(current, name);
    return record(outcome.status, outcome.failureReason);
  }
  if (BUSY.has(current.EndpointStatus ?? '')) {
    // Thrown so that Lambda's asynchronous retries try again once the running update has ended.
    throw new Error(`endpoint ${settings.endpointName} is ${current.EndpointStatus}; version ${version} of ${detail.model}/${detail.category} shifts once it is InService`);
  }
  try {
    await sageMaker.send(new UpdateEndpointCommand({ EndpointName: settings.endpointName, EndpointConfigName: name, DeploymentConfig: deploymentConfig(settings), RetainAllVariantProperties: false }));
  } catch (e) {
    return record('FAILED', `UpdateEndpoint refused: ${(e as Error).message}`);
  }
  return record('UPDATING');
}

/**
 * On a state change of the endpoint: every category whose record is UPDATING learns how the
 * shift ended. InService on the new config: served. Failed, or InService on another config (an
 * alarm rolled it back): failed, with SageMaker's FailureReason.
 */
export async function settleShift(deps: EndpointShiftDeps): Promise<EndpointRecord[]> {
  const { settings, registry, sageMaker } = deps;
  const current = await describeEndpoint(sageMaker, settings.endpointName);
  if (!current) return [];
  return settleRecords(registry, settings.model, settings.categories, (configName) => outcomeOf(current, configName));
}

function outcomeOf(current: DescribeEndpointCommandOutput, configName: string): RolloutOutcome {
  if (BUSY.has(current.EndpointStatus ?? '') && current.PendingDeploymentSummary?.EndpointConfigName === configName) return { status: 'UPDATING' };
  if (current.EndpointStatus === 'InService' && current.EndpointConfigName === configName) return { status: 'IN_SERVICE' };
  if (current.EndpointStatus === 'Failed' || current.EndpointStatus === 'InService' || current.EndpointStatus === 'UpdateRollbackFailed') {
    return { status: 'FAILED', failureReason: current.FailureReason ?? `the endpoint is ${current.EndpointStatus} on ${current.EndpointConfigName}, not ${configName}` };
  }
  return { status: 'UPDATING' };
}

async function describeEndpoint(sageMaker: SageMakerClient, endpointName: string): Promise<DescribeEndpointCommandOutput | undefined> {
  try {
    return await sageMaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
  } catch (e) {
    if ((e as Error).name === 'ValidationException' && /could not find/i.test((e as Error).message)) return undefined;
    throw e;
  }
}

/** CreateModel / CreateEndpointConfig of a name that exists: created by an earlier delivery of the same event. */
async function ignoreExisting(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (e) {
    if (!((e as Error).name === 'ValidationException' && /already exist/i.test((e as Error).message))) throw e;
  }
}
