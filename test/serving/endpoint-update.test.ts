// Promotion without a CloudFormation deploy (issue 12 §2): the endpoint update function with the
// real SageMaker SDK client against the loopback stub that answers like SageMaker, and the
// registry on DynamoDB Local. Promote -> CreateModel / CreateEndpointConfig / UpdateEndpoint
// blue/green -> the registry records the endpoint's version; a rolled-back shift says why; a
// replayed event changes nothing.
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { EndpointUpdateDeps, updateEndpoint } from '../../lambda/model-endpoint-update';
import { TARGET_TRACKING_POLICY, variantResourceId } from '../../lambda/model-endpoint-update/autoscaling';
import { REGISTRY_EVENTS } from '../../lambda/shared/contract';
import { ModelRegistryClient, PromotionEvent, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { versionResourceName } from '../../lambda/shared/serving-endpoint/names';
import { ENDPOINT_STATE_CHANGE, EndpointSettings } from '../../lambda/shared/serving-endpoint/settings';
import { AwsStub } from '../support/aws-stub-server';
import { createLocalTable, localDoc } from '../support/dynamo';

const NOW = new Date('2026-11-24T06:00:00.000Z');
const MODEL = 'demand';
const SETTINGS: EndpointSettings = {
  model: MODEL,
  categories: ['books', 'toys'],
  endpointName: MODEL,
  image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/demand@sha256:abc',
  roleArn: 'arn:aws:iam::123456789012:role/endpoint',
  environment: { MLOPS_MODE: 'serve', MLOPS_MODEL: MODEL },
  networkIsolation: true,
  vpc: { securityGroupIds: ['sg-1'], subnets: ['subnet-1', 'subnet-2'] },
  variantName: 'AllTraffic',
  instanceType: 'ml.c5.large',
  initialInstanceCount: 2,
  kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k',
  dataCapture: { percent: 10, destinationS3Uri: 's3://artifacts/data-capture/demand/', kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k' },
  shift: { type: 'CANARY', percent: 10, waitSeconds: 300 },
  rollbackAlarms: ['demand-endpoint-latency', 'demand-endpoint-errors'],
};

let stub: AwsStub;
let registry: ModelRegistryClient;
let deps: EndpointUpdateDeps;

beforeAll(async () => {
  stub = await AwsStub.start();
  const tableName = await createLocalTable('endpoint-update', REGISTRY_SCHEMA);
  registry = new ModelRegistryClient({ tableName, doc: localDoc(), now: () => NOW });
  // An online model: a promotion is served once its endpoint's shift settles (markShifted).
  await registry.createModel({ model: MODEL, actor: 'test', scoring: 'ENDPOINT' });
  const client = { endpoint: stub.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 };
  deps = { sageMaker: new SageMakerClient(client), autoScaling: new ApplicationAutoScalingClient(client), registry, settings: SETTINGS };
});
afterAll(() => stub.close());

const artifact = (category: string, v: number) => `s3://artifacts/runs/${MODEL}/${category}/run-${v}/model.tar.gz`;

/** Registers `count` versions of a category and promotes `version`; returns the Model Promoted event as the registry's pipe puts it on the bus. */
async function promote(category: string, version: number, count = version): Promise<{ 'detail-type': string; 'detail': Record<string, unknown> }> {
  while (((await registry.listVersions(MODEL, category)).items.length) < count) {
    const n = (await registry.listVersions(MODEL, category)).items.length + 1;
    await registry.registerVersion({ model: MODEL, category, artifactUri: artifact(category, n), actor: 'pipeline' });
  }
  const { event } = await registry.promote({ model: MODEL, category, version, actor: 'ds', reason: 'better' });
  return { 'detail-type': REGISTRY_EVENTS.modelPromoted, 'detail': { ...(event as PromotionEvent) } };
}
const stateChange = { 'detail-type': ENDPOINT_STATE_CHANGE, 'detail': { EndpointName: MODEL } };

describe('endpoint update on promotion', () => {
  test('the first promotion creates the endpoint; the next one shifts it blue/green and the registry records the served version', async () => {
    await updateEndpoint(await promote('books', 1), deps);
    const first = versionResourceName(SETTINGS, 1, artifact('books', 1));
    expect(stub.callsOf('SageMaker.CreateEndpoint')).toEqual([{ EndpointName: MODEL, EndpointConfigName: first }]);
    expect(await registry.getEndpointRecord(MODEL, 'books')).toMatchObject({ version: 1, status: 'UPDATING', endpointConfigName: first });
    expect(await registry.getServed(MODEL, 'books')).toBeUndefined();
    stub.endEndpointUpdate(MODEL);
    await updateEndpoint(stateChange, deps);
    expect(await registry.getEndpointRecord(MODEL, 'books')).toMatchObject({ version: 1, status: 'IN_SERVICE', servingVersion: 1 });
    expect(await registry.getServed(MODEL, 'books')).toMatchObject({ version: 1 });

    const records = await updateEndpoint(await promote('books', 2), deps);
    const second = versionResourceName(SETTINGS, 2, artifact('books', 2));
    expect(records).toEqual([expect.objectContaining({ version: 2, status: 'UPDATING', servingVersion: 1 })]);
    // During the shift, `:invoke` answers name the version the endpoint serves.
    expect(await registry.getServed(MODEL, 'books')).toMatchObject({ version: 1 });
    expect(stub.callsOf('SageMaker.CreateModel').at(-1)).toEqual({
      ModelName: second,
      ExecutionRoleArn: SETTINGS.roleArn,
      PrimaryContainer: { Image: SETTINGS.image, ModelDataUrl: artifact('books', 2), Environment: SETTINGS.environment },
      EnableNetworkIsolation: true,
      VpcConfig: { SecurityGroupIds: ['sg-1'], Subnets: ['subnet-1', 'subnet-2'] },
    });
    expect(stub.callsOf('SageMaker.CreateEndpointConfig').at(-1)).toMatchObject({
      EndpointConfigName: second,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: second, InstanceType: 'ml.c5.large', InitialInstanceCount: 2, InitialVariantWeight: 1 }],
      KmsKeyId: SETTINGS.kmsKeyId,
      DataCaptureConfig: { EnableCapture: true, InitialSamplingPercentage: 10, DestinationS3Uri: SETTINGS.dataCapture!.destinationS3Uri, KmsKeyId: SETTINGS.kmsKeyId },
    });
    expect(stub.callsOf('SageMaker.UpdateEndpoint')).toEqual([{
      EndpointName: MODEL,
      EndpointConfigName: second,
      RetainAllVariantProperties: false,
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: { Type: 'CANARY', WaitIntervalInSeconds: 300, CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 } },
          TerminationWaitInSeconds: 0,
        },
        AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'demand-endpoint-latency' }, { AlarmName: 'demand-endpoint-errors' }] },
      },
    }]);
    stub.endEndpointUpdate(MODEL);
    await updateEndpoint(stateChange, deps);
    expect(await registry.getEndpointRecord(MODEL, 'books')).toMatchObject({ version: 2, status: 'IN_SERVICE', servingVersion: 2, endpointConfigName: second, updatedAt: NOW.toISOString() });
    expect(await registry.getServed(MODEL, 'books')).toMatchObject({ version: 2, sequence: 2 });
  });

  test('replaying a promotion event is harmless: nothing is created or updated twice, the record stays', async () => {
    const event = await promote('books', 3);
    await updateEndpoint(event, deps);
    const before = { updates: stub.callsOf('SageMaker.UpdateEndpoint').length, configs: stub.endpointConfigs.size };
    expect(await updateEndpoint(event, deps)).toEqual([expect.objectContaining({ version: 3, status: 'UPDATING' })]);
    expect(stub.callsOf('SageMaker.UpdateEndpoint')).toHaveLength(before.updates);
    expect(stub.sageMakerModels.size).toBe(3);
    stub.endEndpointUpdate(MODEL);
    await updateEndpoint(stateChange, deps);
    expect(await updateEndpoint(event, deps)).toEqual([expect.objectContaining({ version: 3, status: 'IN_SERVICE', servingVersion: 3 })]);
    expect(stub.callsOf('SageMaker.UpdateEndpoint')).toHaveLength(before.updates);
    expect(stub.endpointConfigs.size).toBe(before.configs);
  });

  test('a shift rolled back by an alarm: the record says SageMaker\'s reason and the endpoint still serves the old version', async () => {
    await updateEndpoint(await promote('books', 4), deps);
    stub.endEndpointUpdate(MODEL, 'Rolled back: alarm demand-endpoint-errors went into ALARM during the canary');
    await updateEndpoint(stateChange, deps);
    expect(await registry.getEndpointRecord(MODEL, 'books')).toMatchObject({
      version: 4, status: 'FAILED', servingVersion: 3, failureReason: 'Rolled back: alarm demand-endpoint-errors went into ALARM during the canary',
    });
    expect(stub.endpoints.get(MODEL)?.EndpointConfigName).toBe(versionResourceName(SETTINGS, 3, artifact('books', 3)));
    expect(await registry.getServed(MODEL, 'books')).toMatchObject({ version: 3 });
  });

  test('an event of a version promoted away meanwhile, or of another model, changes nothing', async () => {
    const stale = await promote('books', 5);
    await registry.promote({ model: MODEL, category: 'books', version: 3, actor: 'ds', reason: 'back' });
    const calls = stub.calls.length;
    expect(await updateEndpoint(stale, deps)).toEqual([]);
    expect(await updateEndpoint({ ...stale, detail: { ...stale.detail, model: 'other' } }, deps)).toEqual([]);
    expect(stub.calls.length).toBe(calls);
  });
});

describe('autoscaling of an endpoint created by the first promotion', () => {
  const AUTOSCALING: NonNullable<EndpointSettings['autoscaling']> = {
    minCapacity: 2, maxCapacity: 6, invocationsPerInstance: 6000, scaleInCooldownSeconds: 300, scaleOutCooldownSeconds: 60,
    scheduledActions: [
      { name: 'PeakStart0', schedule: 'cron(45 7 ? * MON-FRI *)', timeZone: 'Europe/Berlin', minCapacity: 6 },
      { name: 'PeakEnd0', schedule: 'cron(0 10 ? * MON-FRI *)', timeZone: 'Europe/Berlin', minCapacity: 2 },
    ],
  };
  const settings: EndpointSettings = { ...SETTINGS, model: 'scaled', endpointName: 'scaled', categories: ['all'], autoscaling: AUTOSCALING };
  const target = variantResourceId(settings);
  let scaledDeps: EndpointUpdateDeps;
  beforeAll(async () => {
    await registry.createModel({ model: 'scaled', actor: 'test', scoring: 'NONE' });
    await registry.registerVersion({ model: 'scaled', category: 'all', artifactUri: 's3://artifacts/runs/scaled/all/run-1/model.tar.gz', actor: 'pipeline' });
    scaledDeps = { ...deps, settings };
  });

  test('is registered once the endpoint is InService: target, target tracking on invocations per instance, scheduled peak minimums', async () => {
    const { event } = await registry.promote({ model: 'scaled', category: 'all', version: 1, actor: 'ds', reason: 'first' });
    await updateEndpoint({ 'detail-type': REGISTRY_EVENTS.modelPromoted, 'detail': { ...(event as PromotionEvent) } }, scaledDeps);
    // Creating: Application Auto Scaling would refuse the variant, so nothing is registered yet.
    await updateEndpoint({ 'detail-type': ENDPOINT_STATE_CHANGE, 'detail': { EndpointName: 'scaled' } }, scaledDeps);
    expect(stub.callsOf('AnyScaleFrontendService.RegisterScalableTarget')).toEqual([]);

    stub.endEndpointUpdate('scaled');
    await updateEndpoint({ 'detail-type': ENDPOINT_STATE_CHANGE, 'detail': { EndpointName: 'scaled' } }, scaledDeps);
    expect(stub.scalableTargets.get(target)).toEqual({
      ServiceNamespace: 'sagemaker', ResourceId: 'endpoint/scaled/variant/AllTraffic', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount', MinCapacity: 2, MaxCapacity: 6,
    });
    expect(stub.scalingPolicies.get(`${target}/${TARGET_TRACKING_POLICY}`)).toMatchObject({
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 6000, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' }, ScaleInCooldown: 300, ScaleOutCooldown: 60 },
    });
    expect(stub.scheduledActions.get(`${target}/PeakStart0`)).toMatchObject({ Schedule: 'cron(45 7 ? * MON-FRI *)', Timezone: 'Europe/Berlin', ScalableTargetAction: { MinCapacity: 6 } });
    expect(stub.scheduledActions.get(`${target}/PeakEnd0`)).toMatchObject({ ScalableTargetAction: { MinCapacity: 2 } });
  });

  test('an endpoint whose autoscaling the construct created at deploy is left alone', async () => {
    const calls = stub.callsOf('AnyScaleFrontendService.RegisterScalableTarget').length;
    await updateEndpoint(stateChange, deps);
    expect(stub.callsOf('AnyScaleFrontendService.RegisterScalableTarget')).toHaveLength(calls);
  });
});
