// Promotion without a CloudFormation deploy, on Fargate: a promoted version gets a new task
// definition revision of the model service, pinned to the version's artifact, and the service
// rolls out to it with the deployment circuit breaker (rollback) the construct set. The registry
// records which version the service serves, as it does for a SageMaker endpoint.
import {
  ContainerDefinition, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient,
  RegisterTaskDefinitionCommand, RegisterTaskDefinitionCommandInput, Service, TaskDefinition, UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { CONTAINER } from '../contract';
import { ModelRegistryClient } from '../registry/client';
import { EndpointRecord } from '../registry/types';
import { ModelPromotedDetail, RolloutOutcome, desiredPromotion, endpointRecorder, settleRecords } from '../serving-endpoint/promotion';
import { MODEL_SERVICE_ENV, ModelServiceSettings } from './settings';

export interface ModelServiceDeps {
  readonly ecs: ECSClient;
  readonly registry: ModelRegistryClient;
  readonly settings: ModelServiceSettings;
}

/** The version and artifact a task definition is pinned to, if any (the deploy's revision has none). */
export function pinOf(taskDefinition: TaskDefinition, containerName: string): { version: string; artifactUri: string } | undefined {
  const env = taskDefinition.containerDefinitions?.find((c) => c.name === containerName)?.environment ?? [];
  const value = (name: string) => env.find((e) => e.name === name)?.value;
  const artifactUri = value(MODEL_SERVICE_ENV.modelDataUrl);
  const version = value(CONTAINER.env.modelVersion);
  return artifactUri && version ? { version, artifactUri } : undefined;
}

/**
 * On a Model Promoted event of the service's model: registers a revision of the service's task
 * definition pinned to the version (artifact, version and category in the model container's
 * environment) and updates the service to it. A replayed event records where its rollout stands,
 * and a version the service already runs is recorded without a rollout. Returns the record written, or undefined when
 * the event is not (or no longer) the desired version.
 */
export async function rollOutOnPromotion(detail: ModelPromotedDetail, deps: ModelServiceDeps): Promise<EndpointRecord | undefined> {
  const { settings, registry, ecs } = deps;
  const promoted = await desiredPromotion(detail, registry, settings.model);
  if (!promoted) return undefined;
  const { version, sequence } = promoted;
  const service = await describeService(deps);
  const previous = await registry.getEndpointRecord(detail.model, detail.category);
  const key = { model: detail.model, category: detail.category, endpointName: settings.serviceName, version: version.version, sequence };

  // A replay of this promotion: where its rollout stands (a failed one is not retried: promote again).
  if (previous?.sequence === sequence) {
    if (previous.status !== 'UPDATING') return previous;
    const outcome = outcomeOf(service, previous.endpointConfigName);
    return endpointRecorder(registry, { ...key, endpointConfigName: previous.endpointConfigName }, previous)(outcome.status, outcome.failureReason);
  }
  // The service runs (or rolls out) this version already, e.g. after a rollback put it back: nothing to roll out.
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY' && d.rolloutState !== 'FAILED');
  const running = primary ? pinOf(await describeTaskDefinition(ecs, primary.taskDefinition!), settings.containerName) : undefined;
  if (running?.version === String(version.version) && running.artifactUri === version.artifactUri) {
    const outcome = outcomeOf(service, primary!.taskDefinition!);
    return endpointRecorder(registry, { ...key, endpointConfigName: primary!.taskDefinition! }, previous)(outcome.status, outcome.failureReason);
  }

  const base = await describeTaskDefinition(ecs, service.taskDefinition!);
  const registered = await ecs.send(new RegisterTaskDefinitionCommand(pinned(base, settings.containerName, {
    [MODEL_SERVICE_ENV.modelDataUrl]: version.artifactUri,
    [CONTAINER.env.modelVersion]: String(version.version),
    [CONTAINER.env.category]: detail.category,
  })));
  const arn = registered.taskDefinition!.taskDefinitionArn!;
  const record = endpointRecorder(registry, { ...key, endpointConfigName: arn }, previous);
  try {
    await ecs.send(new UpdateServiceCommand({ cluster: settings.cluster, service: settings.serviceName, taskDefinition: arn }));
  } catch (e) {
    return record('FAILED', `UpdateService refused: ${(e as Error).message}`);
  }
  return record('UPDATING');
}

/**
 * On a deployment state change of the service: every category whose record is UPDATING learns
 * how its rollout ended. The service's primary deployment on the pinned revision, completed:
 * served. The revision's deployment failed, or the service completed on another revision (the
 * circuit breaker rolled back, or the rollout was replaced): failed, with ECS's reason.
 */
export async function settleRollout(deps: ModelServiceDeps): Promise<EndpointRecord[]> {
  const service = await describeService(deps);
  return settleRecords(deps.registry, deps.settings.model, deps.settings.categories, (arn) => outcomeOf(service, arn));
}

export function outcomeOf(service: Service, taskDefinitionArn: string): RolloutOutcome {
  const deployments = service.deployments ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  const mine = deployments.find((d) => d.taskDefinition === taskDefinitionArn);
  if (primary?.taskDefinition === taskDefinitionArn && primary.rolloutState === 'COMPLETED') return { status: 'IN_SERVICE' };
  if (mine?.rolloutState === 'FAILED') return { status: 'FAILED', failureReason: mine.rolloutStateReason ?? `the deployment of ${taskDefinitionArn} failed` };
  if (!mine && primary?.rolloutState === 'COMPLETED') {
    return { status: 'FAILED', failureReason: `the service runs ${primary.taskDefinition}, not ${taskDefinitionArn}: the circuit breaker rolled the deployment back, or another deployment replaced it` };
  }
  return { status: 'UPDATING' };
}

/** The registration of `base` with `environment` set in one container (every other setting unchanged). */
export function pinned(base: TaskDefinition, containerName: string, environment: Record<string, string>): RegisterTaskDefinitionCommandInput {
  const names = new Set(Object.keys(environment));
  const pin = (c: ContainerDefinition): ContainerDefinition => (c.name !== containerName ? c : {
    ...c,
    environment: [...(c.environment ?? []).filter((e) => !names.has(e.name!)), ...Object.entries(environment).map(([name, value]) => ({ name, value }))],
  });
  if (!base.containerDefinitions?.some((c) => c.name === containerName)) {
    throw new Error(`task definition ${base.taskDefinitionArn} has no container "${containerName}": the service was changed outside its stack; deploy the model's stack again`);
  }
  return {
    family: base.family!,
    taskRoleArn: base.taskRoleArn,
    executionRoleArn: base.executionRoleArn,
    networkMode: base.networkMode,
    containerDefinitions: base.containerDefinitions.map(pin),
    volumes: base.volumes,
    placementConstraints: base.placementConstraints,
    requiresCompatibilities: base.requiresCompatibilities,
    cpu: base.cpu,
    memory: base.memory,
    runtimePlatform: base.runtimePlatform,
    ephemeralStorage: base.ephemeralStorage,
  };
}

async function describeService(deps: ModelServiceDeps): Promise<Service> {
  const { settings, ecs } = deps;
  const out = await ecs.send(new DescribeServicesCommand({ cluster: settings.cluster, services: [settings.serviceName] }));
  const service = out.services?.find((s) => s.status !== 'INACTIVE');
  if (!service) throw new Error(`the model service ${settings.serviceName} is not in cluster ${settings.cluster} (${out.failures?.map((f) => f.reason).join(', ') || 'not found'}): deploy the model's stack`);
  return service;
}

async function describeTaskDefinition(ecs: ECSClient, arn: string): Promise<TaskDefinition> {
  return (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition!;
}

