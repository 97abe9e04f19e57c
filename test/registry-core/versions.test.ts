import { ModelRegistryClient, REGISTRY_SCHEMA, ConflictError, NotFoundError, ValidationError } from '../../lambda/shared/registry';
import { createLocalTable, localDoc } from '../support/dynamo';

let registry: ModelRegistryClient;

beforeAll(async () => {
  const tableName = await createLocalTable('registry', REGISTRY_SCHEMA);
  registry = new ModelRegistryClient({ tableName, doc: localDoc() });
  await registry.createModel({ model: 'demand', actor: 'test', description: 'daily demand', owner: 'ds-team' });
});

const artifact = (n: number) => `s3://artifacts/models/demand/run-${n}/model.tar.gz`;

describe('models', () => {
  test('createModel is idempotent and keeps the first record (given fields follow the spec: model-record.test.ts)', async () => {
    const again = await registry.createModel({ model: 'demand', actor: 'someone-else' });
    expect(again).toMatchObject({ model: 'demand', description: 'daily demand', owner: 'ds-team', createdBy: 'test' });
  });

  test('lists models and reports unknown ones as missing', async () => {
    await registry.createModel({ model: 'churn', actor: 'test' });
    const { items } = await registry.listModels();
    expect(items.map((m) => m.model)).toEqual(expect.arrayContaining(['churn', 'demand']));
    expect(await registry.getModel('nope')).toBeUndefined();
  });

  test('rejects bad model names with the field, the value and the fix', async () => {
    await expect(registry.createModel({ model: 'Bad#Name', actor: 'test' }))
      .rejects.toThrow(/model "Bad#Name" is invalid: use 1-63 characters: lowercase letters/);
  });
});

describe('versions', () => {
  test('registers versions 1, 2, 3 with full lineage', async () => {
    const v1 = await registry.registerVersion({
      model: 'demand', category: 'books', artifactUri: artifact(1), metrics: { rmse: 0.5 },
      datasetVersion: 'sha256:abc', image: 'repo/train@sha256:123', hyperparameters: { lr: 0.1, deep: true },
      runId: 'run-books-1', executionDate: '2026-11-20', actor: 'pipeline',
    });
    const v2 = await registry.registerVersion({ model: 'demand', category: 'books', artifactUri: artifact(2), metrics: { rmse: 0.4 }, actor: 'pipeline' });
    const v3 = await registry.registerVersion({ model: 'demand', category: 'books', artifactUri: artifact(3), metrics: { rmse: 0.45 }, actor: 'pipeline' });
    expect([v1.version, v2.version, v3.version]).toEqual([1, 2, 3]);
    expect(await registry.getVersion('demand', 'books', 1)).toMatchObject({
      status: 'REGISTERED', datasetVersion: 'sha256:abc', image: 'repo/train@sha256:123',
      hyperparameters: { lr: '0.1', deep: 'true' }, runId: 'run-books-1', executionDate: '2026-11-20', registeredBy: 'pipeline',
    });
    expect((await registry.getModel('demand'))?.categories).toContain('books');
  });

  test('registering again for the same run returns the same version (idempotent retries)', async () => {
    const first = await registry.registerVersion({ model: 'demand', category: 'idem', artifactUri: artifact(9), runId: 'run-idem', actor: 'pipeline' });
    const again = await registry.registerVersion({ model: 'demand', category: 'idem', artifactUri: artifact(9), runId: 'run-idem', actor: 'pipeline' });
    expect(again.version).toBe(first.version);
    expect((await registry.listVersions('demand', 'idem')).items).toHaveLength(1);
  });

  test('lists newest first, in pages', async () => {
    const page1 = await registry.listVersions('demand', 'books', { limit: 2 });
    expect(page1.items.map((v) => v.version)).toEqual([3, 2]);
    const page2 = await registry.listVersions('demand', 'books', { limit: 2, nextToken: page1.nextToken });
    expect(page2.items.map((v) => v.version)).toEqual([1]);
  });

  test('finds the best version by metric and direction, skipping rejected ones', async () => {
    expect((await registry.findBestVersion({ model: 'demand', category: 'books', metric: 'rmse', direction: 'minimize' }))?.version).toBe(2);
    expect((await registry.findBestVersion({ model: 'demand', category: 'books', metric: 'rmse', direction: 'maximize' }))?.version).toBe(1);
    await registry.setVersionStatus({ model: 'demand', category: 'books', version: 2, status: 'REJECTED', actor: 'reviewer', reason: 'leaky feature' });
    expect((await registry.findBestVersion({ model: 'demand', category: 'books', metric: 'rmse', direction: 'minimize' }))?.version).toBe(3);
    expect(await registry.findBestVersion({ model: 'demand', category: 'books', metric: 'auc', direction: 'maximize' })).toBeUndefined();
  });

  test('rejects non-finite metrics, naming the metric and the fix', async () => {
    await expect(registry.registerVersion({ model: 'demand', category: 'books', artifactUri: artifact(4), metrics: { rmse: NaN }, actor: 'p' }))
      .rejects.toThrow(/metrics\.rmse null is invalid: metric values must be finite numbers/);
    await expect(registry.registerVersion({ model: 'demand', category: 'books', artifactUri: artifact(4), metrics: { rmse: Infinity }, actor: 'p' }))
      .rejects.toBeInstanceOf(ValidationError);
  });

  test('rejects a bad artifact URI, an unknown model and an unknown version', async () => {
    await expect(registry.registerVersion({ model: 'demand', category: 'books', artifactUri: 'model.tar.gz', actor: 'p' }))
      .rejects.toThrow(/artifactUri "model.tar.gz" is invalid: use the URI of the model artifact/);
    await expect(registry.registerVersion({ model: 'ghost', category: 'books', artifactUri: artifact(1), actor: 'p' }))
      .rejects.toThrow(NotFoundError);
    await expect(registry.setVersionStatus({ model: 'demand', category: 'books', version: 99, status: 'APPROVED', actor: 'a', reason: 'r' }))
      .rejects.toThrow(/version 99 of demand\/books does not exist/);
  });

  // 100 writers contend for one counter (each retry is a full transaction): enough to prove the
  // compare-and-swap gap-free and unique, small enough to stay far from the timeout on 2 cores.
  test('100 concurrent registrations yield exactly versions 1..100', async () => {
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => registry.registerVersion({
      model: 'demand', category: 'concurrent', artifactUri: artifact(i), metrics: { rmse: i }, actor: `worker-${i}`,
    })));
    const numbers = results.map((r) => r.version).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const stored: number[] = [];
    let nextToken: string | undefined;
    do {
      const page = await registry.listVersions('demand', 'concurrent', { nextToken });
      stored.push(...page.items.map((v) => v.version));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(stored).toEqual(Array.from({ length: 100 }, (_, i) => 100 - i));
  }, 120000);

  test('a production version cannot be rejected', async () => {
    await registry.registerVersion({ model: 'demand', category: 'prodreject', artifactUri: artifact(1), actor: 'p' });
    await registry.promote({ model: 'demand', category: 'prodreject', version: 1, actor: 'a', reason: 'first' });
    await expect(registry.setVersionStatus({ model: 'demand', category: 'prodreject', version: 1, status: 'REJECTED', actor: 'a', reason: 'r' }))
      .rejects.toThrow(ConflictError);
  });
});
