// Two-phase promotion of an online model (scoring ENDPOINT): the served pointer moves when the
// real-time endpoint's shift settles in service (markShifted), never at promotion, and a shift of
// an older promotion never moves it.
import * as fc from 'fast-check';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { createLocalTable, localDoc } from '../support/dynamo';

const NOW = new Date('2026-11-24T06:00:00.000Z');
let registry: ModelRegistryClient;
let lines = 0;

beforeAll(async () => {
  const tableName = await createLocalTable('served-by-endpoint', REGISTRY_SCHEMA);
  registry = new ModelRegistryClient({ tableName, doc: localDoc(), now: () => NOW });
  await registry.createModel({ model: 'online', actor: 'test', scoring: 'ENDPOINT' });
  await registry.createModel({ model: 'both', actor: 'test', scoring: 'BATCH' });
});

/** A fresh category of `model` with `versions` registered versions. */
async function line(model: string, versions: number): Promise<string> {
  const category = `c${++lines}`;
  for (let i = 1; i <= versions; i++) {
    await registry.registerVersion({ model, category, artifactUri: `s3://a/runs/${model}/${category}/${i}/`, actor: 'pipeline' });
  }
  return category;
}
const promote = (model: string, category: string, version: number) => registry.promote({ model, category, version, actor: 'a', reason: 'test' });

describe('served pointer of an online model', () => {
  test('a promotion is desired at once and served only once its shift settles; the audit record says when', async () => {
    const category = await line('online', 2);
    const first = await promote('online', category, 1);
    expect(first.event).toMatchObject({ scoring: 'BY_ENDPOINT' });
    expect(first.event?.servedAt).toBeUndefined();
    expect(await registry.getServed('online', category)).toBeUndefined();

    expect(await registry.markShifted({ model: 'online', category, version: 1, sequence: 1 })).toMatchObject({ flipped: true, served: { version: 1, sequence: 1 } });
    expect(await registry.getServed('online', category)).toMatchObject({ version: 1, sequence: 1 });
    expect((await registry.getPromotion('online', category, 1))?.servedAt).toBe(NOW.toISOString());

    await promote('online', category, 2);
    expect(await registry.getServed('online', category)).toMatchObject({ version: 1 });
    // A replayed settle of the same shift is a no-op once served.
    expect((await registry.markShifted({ model: 'online', category, version: 2, sequence: 2 })).flipped).toBe(true);
    expect((await registry.markShifted({ model: 'online', category, version: 2, sequence: 2 })).flipped).toBe(false);
    expect(await registry.getServed('online', category)).toMatchObject({ version: 2, sequence: 2 });
  });

  test('a shift settling after a newer promotion does not move the pointer (forward or back)', async () => {
    const category = await line('online', 3);
    await promote('online', category, 1);
    await registry.markShifted({ model: 'online', category, version: 1, sequence: 1 });
    await promote('online', category, 2);
    await promote('online', category, 3);
    expect(await registry.markShifted({ model: 'online', category, version: 2, sequence: 2 })).toMatchObject({ flipped: false, served: { version: 1 } });
    await registry.markShifted({ model: 'online', category, version: 3, sequence: 3 });
    expect(await registry.markShifted({ model: 'online', category, version: 2, sequence: 2 })).toMatchObject({ flipped: false, served: { version: 3 } });
    expect(await registry.getServed('online', category)).toMatchObject({ version: 3, sequence: 3 });
  });

  test('a `both` model stays served by its batch load: a shift moves nothing', async () => {
    const category = await line('both', 1);
    const promoted = await promote('both', category, 1);
    expect(promoted.event?.scoring).toBe('NEEDED');
    expect((await registry.markShifted({ model: 'both', category, version: 1, sequence: 1 })).flipped).toBe(false);
    expect(await registry.getServed('both', category)).toBeUndefined();
  });

  test('a shift naming another version than its promotion moves nothing', async () => {
    const category = await line('online', 2);
    await promote('online', category, 2);
    expect((await registry.markShifted({ model: 'online', category, version: 1, sequence: 1 })).flipped).toBe(false);
    await expect(registry.markShifted({ model: 'online', category, version: 1, sequence: 0 })).rejects.toThrow(/sequence/);
  });

  test('any interleaving of promotions and settling shifts: the served pointer only moves forward, to the promotion that settled last while desired', async () => {
    type Op = { kind: 'promote'; version: number } | { kind: 'settle'; pick: number };
    const op = fc.oneof(
      fc.record({ kind: fc.constant('promote' as const), version: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ kind: fc.constant('settle' as const), pick: fc.nat() }),
    );
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops: Op[]) => {
      const category = await line('online', 3);
      const promotions: { version: number; sequence: number }[] = [];
      let expected: { version: number; sequence: number } | undefined;
      for (const o of ops) {
        if (o.kind === 'promote') {
          const r = await promote('online', category, o.version);
          if (r.event) promotions.push({ version: o.version, sequence: r.event.sequence });
          continue;
        }
        if (promotions.length === 0) continue;
        const settled = promotions[o.pick % promotions.length];
        const before = await registry.getServed('online', category);
        await registry.markShifted({ model: 'online', category, ...settled });
        const after = await registry.getServed('online', category);
        const desired = await registry.getProduction('online', category);
        const isDesired = desired?.sequence === settled.sequence;
        if (isDesired && before?.version !== settled.version) expected = settled;
        expect(after?.sequence ?? 0).toBeGreaterThanOrEqual(before?.sequence ?? 0);
        if (expected) expect(after).toMatchObject(expected);
        else expect(after).toBeUndefined();
      }
    }), { numRuns: 30 });
  });
});
