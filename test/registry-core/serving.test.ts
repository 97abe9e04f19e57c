// Two-phase promotion in the registry core: the desired pointer moves on promote, the served
// pointer only once the desired version's predictions are loaded (or at once when they still are).
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { createLocalTable, localDoc } from '../support/dynamo';

const NOW = new Date('2026-11-24T06:00:00.000Z');
const hours = (h: number) => new Date(NOW.getTime() + h * 3600_000);
let clock = NOW;
let registry: ModelRegistryClient;
let tableName: string;

beforeAll(async () => {
  tableName = await createLocalTable('serving', REGISTRY_SCHEMA);
  registry = new ModelRegistryClient({ tableName, doc: localDoc(), now: () => clock });
  await registry.createModel({ model: 'demand', actor: 'test' });
});
beforeEach(() => { clock = NOW; });

async function line(category: string, versions: number): Promise<void> {
  for (let i = 1; i <= versions; i++) {
    await registry.registerVersion({ model: 'demand', category, artifactUri: `s3://a/runs/demand/${category}/${i}/`, actor: 'pipeline' });
  }
}
const load = (category: string, version: number, generatedAt = clock) =>
  registry.markLoaded({ model: 'demand', category, version, generatedAt: generatedAt.toISOString(), ttlHours: 72 });

describe('two-phase promotion', () => {
  test('an unscored version is desired at once and served only after its load; the audit record says both times', async () => {
    await line('books', 2);
    await registry.promote({ model: 'demand', category: 'books', version: 1, actor: 'a', reason: 'first' });
    expect(await registry.getServed('demand', 'books')).toBeUndefined();
    await load('books', 1);
    expect(await registry.getServed('demand', 'books')).toMatchObject({ version: 1 });

    clock = hours(1);
    const promoted = await registry.promote({ model: 'demand', category: 'books', version: 2, actor: 'a', reason: 'better' });
    expect(promoted.event).toMatchObject({ toVersion: 2, scoring: 'NEEDED' });
    expect(promoted.event?.servedAt).toBeUndefined();
    expect((await registry.getProduction('demand', 'books'))?.version).toBe(2);
    expect(await registry.getServed('demand', 'books')).toMatchObject({ version: 1 });

    clock = hours(2);
    const loaded = await load('books', 2);
    expect(loaded).toMatchObject({ flipped: true, served: { version: 2, since: hours(2).toISOString(), promotedAt: hours(1).toISOString() } });
    expect(await registry.getServed('demand', 'books')).toMatchObject({ version: 2 });
    const [newest] = (await registry.listHistory('demand', 'books')).items;
    expect(newest).toMatchObject({ toVersion: 2, at: hours(1).toISOString(), servedAt: hours(2).toISOString() });
  });

  test('rollback within TTL is served at once; past TTL it waits for scoring', async () => {
    await line('games', 2);
    await registry.promote({ model: 'demand', category: 'games', version: 1, actor: 'a', reason: 'first' });
    await load('games', 1);
    await registry.promote({ model: 'demand', category: 'games', version: 2, actor: 'a', reason: 'second' });
    await load('games', 2);

    clock = hours(71);
    const quick = await registry.rollback({ model: 'demand', category: 'games', actor: 'a', reason: 'v2 is broken' });
    expect(quick.event).toMatchObject({ kind: 'ROLLBACK', toVersion: 1, scoring: 'NOT_NEEDED', servedAt: hours(71).toISOString() });
    expect(await registry.getServed('demand', 'games')).toMatchObject({ version: 1 });

    await registry.promote({ model: 'demand', category: 'games', version: 2, actor: 'a', reason: 'fixed after all' });
    clock = hours(73);
    const late = await registry.rollback({ model: 'demand', category: 'games', actor: 'a', reason: 'v2 again broken' });
    expect(late.event).toMatchObject({ toVersion: 1, scoring: 'NEEDED' });
    expect(await registry.getServed('demand', 'games')).toMatchObject({ version: 2 });
    await load('games', 1);
    expect(await registry.getServed('demand', 'games')).toMatchObject({ version: 1 });
  });

  test('a load of a version promoted away meanwhile is recorded but never served', async () => {
    await line('toys', 3);
    await registry.promote({ model: 'demand', category: 'toys', version: 1, actor: 'a', reason: 'first' });
    await load('toys', 1);
    await registry.promote({ model: 'demand', category: 'toys', version: 2, actor: 'a', reason: 'second' });
    await registry.promote({ model: 'demand', category: 'toys', version: 3, actor: 'a', reason: 'third' });
    expect(await load('toys', 2)).toMatchObject({ flipped: false, served: { version: 1 } });
    expect(await registry.getServed('demand', 'toys')).toMatchObject({ version: 1 });
    expect(await registry.getLoad('demand', 'toys', 2)).toMatchObject({ version: 2, expiresAt: hours(72).toISOString() });
  });

  test('a scoring failure leaves the served version and says why on the audit record', async () => {
    await line('pets', 2);
    await registry.promote({ model: 'demand', category: 'pets', version: 1, actor: 'a', reason: 'first' });
    await load('pets', 1);
    await registry.promote({ model: 'demand', category: 'pets', version: 2, actor: 'a', reason: 'second' });
    const failed = await registry.recordScoringFailure({ model: 'demand', category: 'pets', version: 2, reason: 'States.TaskFailed: AlgorithmError' });
    expect(failed).toMatchObject({ toVersion: 2, scoringFailure: 'States.TaskFailed: AlgorithmError' });
    expect((await registry.listHistory('demand', 'pets')).items[0]).toMatchObject({ scoringFailure: 'States.TaskFailed: AlgorithmError', scoringFailedAt: NOW.toISOString() });
    expect(await registry.getServed('demand', 'pets')).toMatchObject({ version: 1 });
    // The daily rescoring of the served version failing is no promotion failure.
    expect(await registry.recordScoringFailure({ model: 'demand', category: 'pets', version: 1, reason: 'x' })).toBeUndefined();
  });

  test('a production pointer from before two-phase promotion is served, and stays served until the next version loads', async () => {
    await line('legacy', 2);
    const pointer = { model: 'demand', category: 'legacy', version: 1, sequence: 1, since: NOW.toISOString(), promotedBy: 'old-cli' };
    await localDoc().send(new PutCommand({ TableName: tableName, Item: { pk: 'MODEL#demand#CAT#legacy', sk: '#PRODUCTION', entity: 'PRODUCTION', ...pointer } }));
    await localDoc().send(new PutCommand({ TableName: tableName, Item: { pk: 'MODEL#demand#CAT#legacy', sk: 'P#0000000001', entity: 'PROMOTION', model: 'demand', category: 'legacy', sequence: 1, kind: 'PROMOTE', toVersion: 1, actor: 'old-cli', reason: 'r', at: NOW.toISOString() } }));
    expect(await registry.getServed('demand', 'legacy')).toMatchObject({ version: 1 });
    await registry.promote({ model: 'demand', category: 'legacy', version: 2, actor: 'a', reason: 'new' });
    expect(await registry.getServed('demand', 'legacy')).toMatchObject({ version: 1 });
    await load('legacy', 2);
    expect(await registry.getServed('demand', 'legacy')).toMatchObject({ version: 2 });
  });

  test('concurrent loads and promotions never serve a version that is not desired', async () => {
    await line('race', 4);
    await registry.promote({ model: 'demand', category: 'race', version: 1, actor: 'a', reason: 'first' });
    await Promise.all([
      load('race', 1),
      registry.promote({ model: 'demand', category: 'race', version: 2, actor: 'a', reason: 'x' }),
      load('race', 2),
      registry.promote({ model: 'demand', category: 'race', version: 3, actor: 'a', reason: 'y' }),
    ]);
    const desired = await registry.getProduction('demand', 'race');
    const served = await registry.getServed('demand', 'race');
    if (served) {
      const loadedVersions = await Promise.all([1, 2, 3].map((v) => registry.getLoad('demand', 'race', v)));
      expect(loadedVersions[served.version - 1]).toBeDefined();
      expect(served.sequence).toBeLessThanOrEqual(desired!.sequence);
    }
    await load('race', desired!.version);
    expect((await registry.getServed('demand', 'race'))?.version).toBe(desired!.version);
  });
});
