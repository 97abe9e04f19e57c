import { decide, promoteIfBetter } from '../../lambda/shared/training/gate';
import { RunItem } from '../../lambda/shared/training/types';
import { MODEL, seedChampion } from './harness';
import { localDeps } from './local-deps';

describe('Promote on a Lambda retry (the first invocation promoted, then its response was lost)', () => {
  test('a retried promote reports PROMOTED, not "does not beat the champion", and writes one audit event', async () => {
    const deps = await localDeps();
    const champion = await seedChampion(deps.registry, 'books', 0.5);
    const challenger = await deps.registry.registerVersion({ model: MODEL, category: 'books', artifactUri: 's3://new/books/model/', metrics: { rmse: 0.4 }, actor: 'test' });
    const item = {
      model: MODEL, category: 'books', runId: 'run-1', executionId: 'arn:aws:states:us-east-1:1:execution:x:e1', experiment: false,
      evaluation: { version: challenger.version, metrics: { rmse: 0.4 }, metricValue: 0.4, artifactUri: 's3://new/books/model/' },
    } as unknown as RunItem & { evaluation: { version: number; metrics: Record<string, number>; metricValue: number; artifactUri: string } };
    const gate = await decide(item, deps);
    expect(gate).toMatchObject({ decision: 'PROMOTE', championVersion: champion });

    const first = await promoteIfBetter({ ...item, gate }, deps);
    const retried = await promoteIfBetter({ ...item, gate }, deps);

    expect(first).toMatchObject({ outcome: 'PROMOTED', version: challenger.version });
    expect(retried).toEqual(first);
    expect((await deps.registry.getProduction(MODEL, 'books'))?.version).toBe(challenger.version);
    expect((await deps.registry.listHistory(MODEL, 'books')).items.map((e) => e.toVersion)).toEqual([challenger.version, champion]);
  });
});
