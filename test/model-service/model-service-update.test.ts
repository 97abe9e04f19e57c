// Promotion without a CloudFormation deploy on Fargate (issue 12 §2): the model service update
// function with the real ECS SDK client against the loopback stub that answers like ECS, and the
// registry on DynamoDB Local. Promote -> a task definition revision pinned to the version ->
// UpdateService -> the registry records the version the service serves (the same endpoint record
// `mlops promote --wait` follows); a circuit-breaker rollback says why; a replay changes nothing.
import { ECSClient } from '@aws-sdk/client-ecs';
import { updateModelService } from '../../lambda/model-service-update';
import { CONTAINER, REGISTRY_EVENTS } from '../../lambda/shared/contract';
import { ModelServiceDeps } from '../../lambda/shared/model-service/rollout';
import { ECS_DEPLOYMENT_STATE_CHANGE, MODEL_SERVICE_ENV, ModelServiceSettings } from '../../lambda/shared/model-service/settings';
import { ModelRegistryClient, PromotionEvent, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { createLocalTable, localDoc } from '../support/dynamo';
import { EcsStub } from './ecs-stub';

const NOW = new Date('2026-11-24T06:00:00.000Z');
const MODEL = 'demand';
const SETTINGS: ModelServiceSettings = { model: MODEL, categories: ['books', 'toys'], cluster: 'cluster', serviceName: 'demand-model', containerName: 'Model' };
// The revision the stack deploys: the model container and its permissions init container, no version pinned.
const DEPLOYED = {
  family: 'demand-model',
  taskRoleArn: 'arn:aws:iam::123456789012:role/task',
  executionRoleArn: 'arn:aws:iam::123456789012:role/execution',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '1024',
  memory: '2048',
  runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
  volumes: [{ name: 'model' }, { name: 'tmp' }],
  containerDefinitions: [
    { name: 'Permissions', image: 'repo/demand@sha256:abc', essential: false, user: '0' },
    { name: 'Model', image: 'repo/demand@sha256:abc', essential: true, environment: [{ name: 'MLOPS_MODE', value: 'serve' }, { name: MODEL_SERVICE_ENV.command, value: '["python3","serve.py"]' }] },
  ],
};

let stub: EcsStub;
let registry: ModelRegistryClient;
let deps: ModelServiceDeps;
let deployedArn: string;

beforeAll(async () => {
  stub = await EcsStub.start();
  deployedArn = stub.addService(SETTINGS.serviceName, DEPLOYED);
  const tableName = await createLocalTable('model-service-update', REGISTRY_SCHEMA);
  registry = new ModelRegistryClient({ tableName, doc: localDoc(), now: () => NOW });
  // An online model: a promotion is served once its rollout settles (markShifted).
  await registry.createModel({ model: MODEL, actor: 'test', scoring: 'ENDPOINT' });
  const ecs = new ECSClient({ endpoint: stub.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  deps = { ecs, registry, settings: SETTINGS };
});
afterAll(() => stub.close());

const artifact = (category: string, v: number) => `s3://artifacts/runs/${MODEL}/${category}/run-${v}/output/model/`;

async function promote(category: string, version: number): Promise<{ 'detail-type': string; 'detail': Record<string, unknown> }> {
  while ((await registry.listVersions(MODEL, category)).items.length < version) {
    const n = (await registry.listVersions(MODEL, category)).items.length + 1;
    await registry.registerVersion({ model: MODEL, category, artifactUri: artifact(category, n), actor: 'pipeline' });
  }
  const { event } = await registry.promote({ model: MODEL, category, version, actor: 'ds', reason: 'better' });
  return { 'detail-type': REGISTRY_EVENTS.modelPromoted, 'detail': { ...(event as PromotionEvent) } };
}
const deploymentChange = { 'detail-type': ECS_DEPLOYMENT_STATE_CHANGE, 'detail': { eventName: 'SERVICE_DEPLOYMENT_COMPLETED' } };
const envOf = (arn: string, container = 'Model') => Object.fromEntries((stub.taskDefinitions.get(arn)!.containerDefinitions as any[])
  .find((c) => c.name === container).environment?.map((e: { name: string; value: string }) => [e.name, e.value]) ?? []);

describe('model service update on promotion', () => {
  test('registers a revision pinned to the version, updates the service, and records the rollout until it completes', async () => {
    const records = await updateModelService(await promote('books', 1), deps);
    const [registered] = stub.callsOf('RegisterTaskDefinition');
    const pinnedArn = `arn:aws:ecs:us-east-1:123456789012:task-definition/demand-model:2`;
    // Every setting of the deployed revision, with the version pinned in the model container only.
    expect(registered).toMatchObject({ family: 'demand-model', cpu: '1024', memory: '2048', taskRoleArn: DEPLOYED.taskRoleArn, executionRoleArn: DEPLOYED.executionRoleArn, volumes: DEPLOYED.volumes });
    expect(envOf(pinnedArn)).toEqual({
      MLOPS_MODE: 'serve', [MODEL_SERVICE_ENV.command]: '["python3","serve.py"]',
      [MODEL_SERVICE_ENV.modelDataUrl]: artifact('books', 1), [CONTAINER.env.modelVersion]: '1', [CONTAINER.env.category]: 'books',
    });
    expect(envOf(pinnedArn, 'Permissions')).toEqual({});
    expect(stub.callsOf('UpdateService')).toEqual([{ cluster: 'cluster', service: 'demand-model', taskDefinition: pinnedArn }]);
    expect(records).toEqual([expect.objectContaining({ version: 1, status: 'UPDATING', endpointName: 'demand-model', endpointConfigName: pinnedArn })]);
    expect(records[0].servingVersion).toBeUndefined();

    // Still rolling out: a deployment event changes nothing.
    expect(await updateModelService(deploymentChange, deps)).toEqual([]);
    expect(await registry.getServed(MODEL, 'books')).toBeUndefined();
    stub.endDeployment('demand-model');
    expect(await updateModelService(deploymentChange, deps)).toEqual([expect.objectContaining({ category: 'books', version: 1, status: 'IN_SERVICE', servingVersion: 1 })]);
    expect(await registry.getEndpointRecord(MODEL, 'books')).toMatchObject({ version: 1, status: 'IN_SERVICE', servingVersion: 1, updatedAt: NOW.toISOString() });
    expect(await registry.getServed(MODEL, 'books')).toMatchObject({ version: 1, sequence: 1 });
  });

  test('a replayed event registers nothing new and reports where the rollout stands', async () => {
    const event = await promote('books', 2);
    await updateModelService(event, deps);
    const registered = stub.callsOf('RegisterTaskDefinition').length;
    const updated = stub.callsOf('UpdateService').length;
    expect(await updateModelService(event, deps)).toEqual([expect.objectContaining({ version: 2, status: 'UPDATING', servingVersion: 1 })]);
    expect(await registry.getServed(MODEL, 'books')).toMatchObject({ version: 1 });
    stub.endDeployment('demand-model');
    expect(await updateModelService(event, deps)).toEqual([expect.objectContaining({ version: 2, status: 'IN_SERVICE', servingVersion: 2 })]);
    expect(await registry.getServed(MODEL, 'books')).toMatchObject({ version: 2 });
    expect([stub.callsOf('RegisterTaskDefinition').length, stub.callsOf('UpdateService').length]).toEqual([registered, updated]);
  });

  test('a rollout the circuit breaker rolls back: the record says ECS\'s reason and the previous version still answers', async () => {
    const running = stub.services.get('demand-model')!.taskDefinition;
    await updateModelService(await promote('books', 3), deps);
    stub.endDeployment('demand-model', 'ECS deployment circuit breaker: tasks failed to start.');
    expect(stub.services.get('demand-model')!.taskDefinition).toBe(running);
    expect(await updateModelService(deploymentChange, deps)).toEqual([expect.objectContaining({
      version: 3, status: 'FAILED', servingVersion: 2, failureReason: 'ECS deployment circuit breaker: tasks failed to start.',
    })]);
    expect(await registry.getServed(MODEL, 'books')).toMatchObject({ version: 2 });
    // Promoting the version the rollback put back: recorded as served, without a rollout.
    const updates = stub.callsOf('UpdateService').length;
    expect(await updateModelService(await promote('books', 2), deps)).toEqual([expect.objectContaining({ version: 2, status: 'IN_SERVICE', endpointConfigName: running })]);
    expect(stub.callsOf('UpdateService').length).toBe(updates);
    // Promoting the failed version again is a new rollout (the cause may be fixed), on the revision the service runs.
    await updateModelService(await promote('books', 3), deps);
    const [latest] = stub.callsOf('UpdateService').slice(-1);
    expect(latest.taskDefinition).not.toBe(stub.callsOf('UpdateService')[updates - 1].taskDefinition);
    expect(envOf(latest.taskDefinition)).toMatchObject({ [CONTAINER.env.modelVersion]: '3' });
    stub.endDeployment('demand-model');
    await updateModelService(deploymentChange, deps);
    expect(await registry.getServed(MODEL, 'books')).toMatchObject({ version: 3 });
  });

  test('an event of a version promoted away meanwhile, or of another model, changes nothing', async () => {
    const stale = await promote('toys', 1);
    await promote('toys', 2);
    const before = stub.calls.length;
    expect(await updateModelService(stale, deps)).toEqual([]);
    expect(await updateModelService({ ...stale, detail: { ...stale.detail, model: 'other' } }, deps)).toEqual([]);
    expect(stub.calls.length).toBe(before);
    expect(await registry.getEndpointRecord(MODEL, 'toys')).toBeUndefined();
  });

  test('a service missing from the cluster fails with the fix', async () => {
    const missing = { ...deps, settings: { ...SETTINGS, serviceName: 'gone' } };
    await expect(updateModelService(await promote('toys', 1), missing)).rejects.toThrow(/the model service gone is not in cluster cluster \(MISSING\): deploy the model's stack/);
    expect(deployedArn).toMatch(/demand-model:1$/);
  });
});
