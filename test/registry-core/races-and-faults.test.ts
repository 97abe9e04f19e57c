import { describeError } from '../../cli/describe-error';
import { ConflictError, ModelRegistryClient, REGISTRY_SCHEMA, ValidationError } from '../../lambda/shared/registry';
import { createLocalTable, localDoc } from '../support/dynamo';
import { SeenCommand, faultyDoc, isAddCategory, throttled } from './fault-client';

// DynamoDB Local holds the data; a wrapper client injects the one throttle or the one
// concurrent promotion each case needs, at the exact command where it hurts.
let tableName: string;
let registry: ModelRegistryClient;
const doc = localDoc();

beforeAll(async () => {
  tableName = await createLocalTable('races', REGISTRY_SCHEMA);
  registry = new ModelRegistryClient({ tableName, doc });
  await registry.createModel({ model: 'demand', actor: 'test' });
});

const artifact = 's3://artifacts/runs/demand/run-1/job/output/model/';

function clientWith(before: (cmd: SeenCommand) => Promise<void> | void): ModelRegistryClient {
  return new ModelRegistryClient({ tableName, doc: faultyDoc(doc, before), maxAttempts: 5 });
}

describe('registerVersion when recording the category is throttled', () => {
  test('without a runId: one version, and the category is recorded', async () => {
    let throttles = 1;
    const flaky = clientWith((cmd) => { if (isAddCategory(cmd) && throttles-- > 0) throw throttled(); });
    const v = await flaky.registerVersion({ model: 'demand', category: 'noids', artifactUri: artifact, actor: 'pipeline' });
    expect(v.version).toBe(1);
    expect((await registry.listVersions('demand', 'noids')).items.map((x) => x.version)).toEqual([1]);
    expect((await registry.getModel('demand'))?.categories).toContain('noids');
  });

  test('with a runId: a retry of the registration records the category the first call could not', async () => {
    const down = clientWith((cmd) => { if (isAddCategory(cmd)) throw throttled(); });
    await expect(down.registerVersion({ model: 'demand', category: 'withids', artifactUri: artifact, runId: 'run-cat-1', actor: 'pipeline' }))
      .rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    // The version is committed; the pipeline's retry (same runId) must repair the category.
    const again = await registry.registerVersion({ model: 'demand', category: 'withids', artifactUri: artifact, runId: 'run-cat-1', actor: 'pipeline' });
    expect(again.version).toBe(1);
    expect((await registry.listVersions('demand', 'withids')).items).toHaveLength(1);
    expect((await registry.getModel('demand'))?.categories).toContain('withids');
  });

  test('with a runId: a throttle inside the call is absorbed and the category is recorded', async () => {
    let throttles = 2;
    const flaky = clientWith((cmd) => { if (isAddCategory(cmd) && throttles-- > 0) throw throttled(); });
    const v = await flaky.registerVersion({ model: 'demand', category: 'absorbed', artifactUri: artifact, runId: 'run-cat-2', actor: 'pipeline' });
    expect(v.version).toBe(1);
    expect((await registry.getModel('demand'))?.categories).toContain('absorbed');
  });
});

describe('rejecting a version while it is being promoted', () => {
  test('a promotion between the check and the write makes the reject fail, never a REJECTED production version', async () => {
    await registry.registerVersion({ model: 'demand', category: 'race', artifactUri: artifact, actor: 'pipeline' });
    let promoted = false;
    const reviewer = clientWith(async (cmd) => {
      // The reviewer's write is about to go out: the pipeline promotes the version first.
      if (!promoted && (cmd.name === 'UpdateCommand' || cmd.name === 'TransactWriteCommand')) {
        promoted = true;
        await registry.promote({ model: 'demand', category: 'race', version: 1, actor: 'pipeline', reason: 'gate passed' });
      }
    });
    await expect(reviewer.setVersionStatus({ model: 'demand', category: 'race', version: 1, status: 'REJECTED', actor: 'alice', reason: 'leaky feature' }))
      .rejects.toThrow(/version 1 of demand\/race is in production and cannot be rejected/);
    expect(promoted).toBe(true);
    expect(await registry.getProduction('demand', 'race')).toMatchObject({ version: 1 });
    expect(await registry.getVersion('demand', 'race', 1)).toMatchObject({ status: 'REGISTERED' });
  });

  test('rejecting a version that is not in production still works, and an unknown version is not found', async () => {
    await registry.registerVersion({ model: 'demand', category: 'race', artifactUri: artifact, actor: 'pipeline' });
    await expect(registry.setVersionStatus({ model: 'demand', category: 'race', version: 2, status: 'REJECTED', actor: 'alice', reason: 'worse' }))
      .resolves.toMatchObject({ version: 2, status: 'REJECTED', statusReason: 'worse' });
    await expect(registry.setVersionStatus({ model: 'demand', category: 'race', version: 9, status: 'REJECTED', actor: 'alice', reason: 'r' }))
      .rejects.toThrow(/version 9 of demand\/race does not exist/);
    await expect(registry.setVersionStatus({ model: 'demand', category: 'race', version: 1, status: 'REJECTED', actor: 'alice', reason: 'r' }))
      .rejects.toBeInstanceOf(ConflictError);
  });
});

describe('tampered nextToken', () => {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o), 'utf8').toString('base64url');

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) await registry.registerVersion({ model: 'demand', category: 'paged', artifactUri: artifact, actor: 'pipeline' });
    await registry.createModel({ model: 'churn', actor: 'test' });
  });

  const cases: Array<[string, string]> = [
    ['a key of another partition', b64({ pk: 'MODEL#churn#CAT#paged', sk: 'V#0000000002' })],
    ['a sort key outside the listing', b64({ pk: 'MODEL#demand#CAT#paged', sk: 'RUNREF#x' })],
    ['a number where a string key belongs', b64({ pk: 'MODEL#demand#CAT#paged', sk: 2 })],
    ['a missing sort key', b64({ pk: 'MODEL#demand#CAT#paged' })],
    ['an extra attribute', b64({ pk: 'MODEL#demand#CAT#paged', sk: 'V#0000000002', gsi1pk: 'MODELS' })],
    ['an array', b64(['MODEL#demand#CAT#paged'])],
    ['not base64 JSON at all', 'hello'],
  ];

  test.each(cases)('listVersions with %s answers a registry validation error (CLI exit 1)', async (_what, token) => {
    const err = await registry.listVersions('demand', 'paged', { limit: 1, nextToken: token }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/^nextToken .* is invalid: pass the nextToken returned by the previous page of the same listing, unchanged/);
    expect(describeError(err, {}).code).toBe(1);
  });

  test('every listing checks its own token shape and still follows genuine tokens', async () => {
    const versions = await registry.listVersions('demand', 'paged', { limit: 1 });
    expect((await registry.listVersions('demand', 'paged', { limit: 1, nextToken: versions.nextToken })).items).toHaveLength(1);
    await expect(registry.listHistory('demand', 'paged', { nextToken: versions.nextToken })).rejects.toBeInstanceOf(ValidationError);
    await expect(registry.listVersions('demand', 'other', { nextToken: versions.nextToken })).rejects.toBeInstanceOf(ValidationError);

    const models = await registry.listModels({ limit: 1 });
    expect(models.nextToken).toBeDefined();
    expect((await registry.listModels({ limit: 1, nextToken: models.nextToken })).items).toHaveLength(1);
    await expect(registry.listModels({ nextToken: versions.nextToken })).rejects.toBeInstanceOf(ValidationError);
    await expect(registry.listModels({ nextToken: b64({ pk: 'MODEL#churn', sk: '#META', gsi1pk: 'RUNS', gsi1sk: 'churn' }) })).rejects.toBeInstanceOf(ValidationError);

    await registry.startRun({ runId: 'run-p1', model: 'demand', category: 'paged' });
    await registry.startRun({ runId: 'run-p2', model: 'demand', category: 'paged' });
    const runs = await registry.listRuns({ model: 'demand', limit: 1 });
    expect(runs.nextToken).toBeDefined();
    expect((await registry.listRuns({ model: 'demand', limit: 1, nextToken: runs.nextToken })).items).toHaveLength(1);
    await expect(registry.listRuns({ model: 'churn', nextToken: runs.nextToken })).rejects.toBeInstanceOf(ValidationError);
    await expect(registry.listRuns({ model: 'demand', nextToken: models.nextToken })).rejects.toBeInstanceOf(ValidationError);
  });
});
