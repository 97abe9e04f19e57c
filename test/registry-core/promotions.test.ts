import { ConflictError, ModelRegistryClient, NotFoundError, REGISTRY_SCHEMA, rollbackTarget, PromotionEvent } from '../../lambda/shared/registry';
import { createLocalTable, localDoc } from '../support/dynamo';

let registry: ModelRegistryClient;

beforeAll(async () => {
  const tableName = await createLocalTable('promotions', REGISTRY_SCHEMA);
  registry = new ModelRegistryClient({ tableName, doc: localDoc() });
  await registry.createModel({ model: 'churn', actor: 'test' });
});

async function versions(category: string, n: number) {
  for (let i = 1; i <= n; i++) {
    await registry.registerVersion({ model: 'churn', category, artifactUri: `s3://a/churn/${category}/${i}`, metrics: { auc: 0.7 + i / 100 }, actor: 'pipeline' });
  }
}

describe('promotion', () => {
  test('promotes version N with an audit record of who, why, from, to and when', async () => {
    await versions('eu', 3);
    const first = await registry.promote({ model: 'churn', category: 'eu', version: 1, actor: 'alice', reason: 'first model' });
    expect(first.event).toMatchObject({ sequence: 1, kind: 'PROMOTE', toVersion: 1, actor: 'alice', reason: 'first model' });
    expect(first.event?.fromVersion).toBeUndefined();
    const second = await registry.promote({ model: 'churn', category: 'eu', version: 3, actor: 'bob', reason: 'auc 0.73 > 0.71' });
    expect(second.event).toMatchObject({ sequence: 2, fromVersion: 1, toVersion: 3, actor: 'bob' });
    expect(await registry.getProduction('churn', 'eu')).toMatchObject({ version: 3, sequence: 2, promotedBy: 'bob' });
    const { items } = await registry.listHistory('churn', 'eu');
    expect(items.map((e) => [e.fromVersion, e.toVersion])).toEqual([[1, 3], [undefined, 1]]);
    expect(Date.parse(items[0].at)).not.toBeNaN();
  });

  test('promoting the production version again changes nothing and writes no audit record', async () => {
    const again = await registry.promote({ model: 'churn', category: 'eu', version: 3, actor: 'bob', reason: 'again' });
    expect(again.event).toBeUndefined();
    expect((await registry.listHistory('churn', 'eu')).items).toHaveLength(2);
  });

  test('refuses unknown and rejected versions, and a stale expected champion', async () => {
    await expect(registry.promote({ model: 'churn', category: 'eu', version: 42, actor: 'a', reason: 'r' }))
      .rejects.toThrow(/version 42 of churn\/eu does not exist: list the versions with `mlops versions churn --category eu`/);
    await registry.setVersionStatus({ model: 'churn', category: 'eu', version: 2, status: 'REJECTED', actor: 'rev', reason: 'bias found' });
    await expect(registry.promote({ model: 'churn', category: 'eu', version: 2, actor: 'a', reason: 'r' }))
      .rejects.toThrow(/version 2 of churn\/eu was rejected \(bias found\) and cannot be promoted/);
    await expect(registry.promote({ model: 'churn', category: 'eu', version: 1, actor: 'gate', reason: 'r', expectedCurrentVersion: 1 }))
      .rejects.toThrow(ConflictError);
    await expect(registry.promote({ model: 'churn', category: 'eu', version: 1, actor: 'a', reason: '  ' }))
      .rejects.toThrow(/reason "  " is invalid: say why, for the audit trail/);
  });

  test('two racing promotions leave one consistent production pointer and both audit records', async () => {
    await versions('race', 3);
    await registry.promote({ model: 'churn', category: 'race', version: 1, actor: 'a', reason: 'base' });
    const results = await Promise.all([
      registry.promote({ model: 'churn', category: 'race', version: 2, actor: 'alice', reason: 'alice wants 2' }),
      registry.promote({ model: 'churn', category: 'race', version: 3, actor: 'bob', reason: 'bob wants 3' }),
    ]);
    expect(results.every((r) => r.event)).toBe(true);
    const history = (await registry.listHistory('churn', 'race')).items;
    expect(history.map((e) => e.sequence)).toEqual([3, 2, 1]);
    expect(history.slice(0, 2).map((e) => e.actor).sort()).toEqual(['alice', 'bob']);
    // The chain is consistent: each event starts where the previous one ended, and the pointer is the last one.
    expect(history[0].fromVersion).toBe(history[1].toVersion);
    expect(history[1].fromVersion).toBe(1);
    expect(await registry.getProduction('churn', 'race')).toMatchObject({ version: history[0].toVersion, sequence: 3 });
  });

  test('with an expected champion, exactly one of two racing promotions wins', async () => {
    await versions('gate', 3);
    await registry.promote({ model: 'churn', category: 'gate', version: 1, actor: 'a', reason: 'base' });
    const outcomes = await Promise.allSettled([2, 3].map((version) => registry.promote({
      model: 'churn', category: 'gate', version, actor: 'gate', reason: 'beats champion', expectedCurrentVersion: 1,
    })));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(ConflictError);
    expect((await registry.listHistory('churn', 'gate')).items).toHaveLength(2);
  });
});

describe('rollback', () => {
  test('returns to the previous production version, and again to the one before', async () => {
    await versions('rb', 3);
    for (const v of [1, 2, 3]) await registry.promote({ model: 'churn', category: 'rb', version: v, actor: 'a', reason: `v${v}` });
    const back = await registry.rollback({ model: 'churn', category: 'rb', actor: 'oncall', reason: 'v3 broken' });
    expect(back.event).toMatchObject({ kind: 'ROLLBACK', fromVersion: 3, toVersion: 2, actor: 'oncall', reason: 'v3 broken' });
    expect((await registry.getProduction('churn', 'rb'))?.version).toBe(2);
    await registry.rollback({ model: 'churn', category: 'rb', actor: 'oncall', reason: 'v2 broken too' });
    expect((await registry.getProduction('churn', 'rb'))?.version).toBe(1);
    await expect(registry.rollback({ model: 'churn', category: 'rb', actor: 'oncall', reason: 'again' }))
      .rejects.toThrow(/version 1 is the first production version/);
  });

  test('with nothing promoted there is nothing to roll back to', async () => {
    await expect(registry.rollback({ model: 'churn', category: 'never', actor: 'a', reason: 'r' })).rejects.toThrow(NotFoundError);
  });

  test('the rollback target replays history as a stack', () => {
    const e = (kind: 'PROMOTE' | 'ROLLBACK', toVersion: number) => ({ kind, toVersion }) as PromotionEvent;
    expect(rollbackTarget([e('PROMOTE', 1), e('PROMOTE', 2), e('PROMOTE', 3)])).toBe(2);
    expect(rollbackTarget([e('PROMOTE', 1), e('PROMOTE', 2), e('PROMOTE', 3), e('ROLLBACK', 2)])).toBe(1);
    expect(rollbackTarget([e('PROMOTE', 1), e('PROMOTE', 2), e('ROLLBACK', 1), e('PROMOTE', 4)])).toBe(1);
    expect(rollbackTarget([e('PROMOTE', 5)])).toBeUndefined();
  });
});
