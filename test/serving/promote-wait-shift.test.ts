// `mlops promote --wait` on an online model follows the endpoint shift (issue 12 §2): the CLI
// polls the registry while the endpoint update function (real SDK client, SageMaker stub) shifts
// the endpoint; it reports the shift, or the failure with SageMaker's reason. Injected clock and
// sleep: no real waiting.
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { EXIT } from '../../cli/errors';
import { EndpointUpdateDeps, updateEndpoint } from '../../lambda/model-endpoint-update';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { REGISTRY_EVENTS } from '../../lambda/shared/contract';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { ENDPOINT_STATE_CHANGE, EndpointSettings } from '../../lambda/shared/serving-endpoint/settings';
import { run } from '../cli/support';
import { AwsStub } from '../support/aws-stub-server';
import { createLocalTable, localDoc } from '../support/dynamo';

const MODEL = 'online';
const T0 = Date.parse('2026-11-24T09:00:00Z');
const SETTINGS: EndpointSettings = {
  model: MODEL, categories: ['all'], endpointName: MODEL, image: 'img', roleArn: 'arn:aws:iam::123456789012:role/e', environment: {}, networkIsolation: true,
  variantName: 'AllTraffic', instanceType: 'ml.c5.large', initialInstanceCount: 1, shift: { type: 'LINEAR', percent: 25, waitSeconds: 60 }, rollbackAlarms: ['lat', 'err'],
};
let stub: AwsStub;
let registry: ModelRegistryClient;
let deps: EndpointUpdateDeps;

beforeAll(async () => {
  stub = await AwsStub.start();
  registry = new ModelRegistryClient({ tableName: await createLocalTable('promote-wait', REGISTRY_SCHEMA), doc: localDoc() });
  await registry.createModel({ model: MODEL, actor: 'test', scoring: 'ENDPOINT' });
  for (let i = 1; i <= 3; i++) await registry.registerVersion({ model: MODEL, category: 'all', artifactUri: `s3://a/runs/${MODEL}/r${i}/model.tar.gz`, actor: 'pipeline' });
  const client = { endpoint: stub.url, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 };
  deps = { sageMaker: new SageMakerClient(client), autoScaling: new ApplicationAutoScalingClient(client), registry, settings: SETTINGS };
});
afterAll(() => stub.close());

/** What happens while the CLI sleeps: the n-th sleep runs `steps[n-1]`. */
function time(steps: Array<() => Promise<void>>) {
  let t = T0;
  let n = 0;
  return { now: () => new Date(t), sleep: async (ms: number) => { t += ms; await steps[n++]?.(); } };
}
const promotedEvent = async (version: number) => {
  const p = await registry.getProduction(MODEL, 'all');
  return { 'detail-type': REGISTRY_EVENTS.modelPromoted, 'detail': { model: MODEL, category: 'all', toVersion: version, sequence: p!.sequence } };
};
const settle = async (failure?: string) => { stub.endEndpointUpdate(MODEL, failure); await updateEndpoint({ 'detail-type': ENDPOINT_STATE_CHANGE, 'detail': {} }, deps); };
const promote = (version: number, steps: Array<() => Promise<void>>) =>
  run(['promote', MODEL, String(version), '--category', 'all', '--reason', 'better', '--wait', '--poll-interval', '20'], { registry, ...time(steps) });

test('waits until the endpoint has shifted to the version, and says so', async () => {
  const r = await promote(1, [async () => { await updateEndpoint(await promotedEvent(1), deps); }, () => settle()]);
  expect(r.err).toBe('');
  expect(r.code).toBe(EXIT.ok);
  expect(r.out).toMatch(/production is now v1 \(was none\), served once its endpoint has shifted traffic to it; no version is served until then/);
  expect(r.out).toMatch(/\[0:00\] the endpoint update for v1 has not started yet\n\[0:20\] traffic shifts to v1; no version answers meanwhile\n/);
  expect(r.out).toMatch(/online\/all: the online endpoint serves v1 since .* \(traffic shifted: blue\/green on SageMaker, a rolling deployment on Fargate\)\.$/);
  expect(await registry.getServed(MODEL, 'all')).toMatchObject({ version: 1 });
});

test('a shift rolled back ends the wait with SageMaker\'s reason, and the version still answering', async () => {
  await promote(2, [async () => { await updateEndpoint(await promotedEvent(2), deps); }, () => settle()]);
  const r = await promote(3, [async () => { await updateEndpoint(await promotedEvent(3), deps); }, () => settle('Rolled back: alarm err went into ALARM')]);
  expect(r.code).toBe(EXIT.other);
  expect(r.err).toMatch(/shifting the online endpoint to v3 failed, so v2 still answers: Rolled back: alarm err went into ALARM/);
  // The served pointer (what `:invoke` answers name) stayed on the version the endpoint serves.
  const status = await run(['status', MODEL, '--category', 'all'], { registry });
  expect(status.out).toMatch(/all\s+v3\s+v2\s+.*v3 waits for its endpoint to shift traffic/);
  // Promoting back the version the endpoint still serves: already served, nothing to wait for.
  const back = await run(['promote', MODEL, '2', '--category', 'all', '--reason', 'v3 failed'], { registry });
  expect(back.out).toMatch(/production is now v2 \(was v3\), already served \(its endpoint serves it\)/);
});
