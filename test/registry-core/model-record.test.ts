// The model record follows the spec: each training plan calls createModel with the spec's
// description, owner and scoring; a model that exists keeps its creation fields and takes the
// changed ones (what `mlops models` shows), whatever order the values come in.
import fc from 'fast-check';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { planExecution } from '../../lambda/training-plan';
import { createLocalTable, localDoc } from '../support/dynamo';

const NOW = new Date('2026-11-24T06:00:00.000Z');
let registry: ModelRegistryClient;
let models = 0;

beforeAll(async () => {
  registry = new ModelRegistryClient({ tableName: await createLocalTable('model-record', REGISTRY_SCHEMA), doc: localDoc(), now: () => NOW });
});

test('every createModel leaves the last given description, owner and scoring, and the first creation time and creator', async () => {
  const call = fc.record({
    description: fc.option(fc.constantFrom('Daily demand', 'Weekly demand', 'trained by x-training'), { nil: undefined }),
    owner: fc.option(fc.constantFrom('ds@example.com', 'ml@example.com'), { nil: undefined }),
    scoring: fc.option(fc.constantFrom('BATCH', 'ENDPOINT', 'NONE') as fc.Arbitrary<'BATCH' | 'ENDPOINT' | 'NONE'>, { nil: undefined }),
  });
  await fc.assert(fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 5 }), async (calls) => {
    const model = `m${++models}`;
    for (const [i, c] of calls.entries()) await registry.createModel({ model, actor: `actor-${i}`, ...c });
    const last = <K extends 'description' | 'owner' | 'scoring'>(k: K) => calls.map((c) => c[k]).filter((x) => x !== undefined).pop();
    const record = await registry.getModel(model);
    expect(record).toMatchObject({ createdBy: 'actor-0', createdAt: NOW.toISOString() });
    expect(record?.description).toBe(last('description'));
    expect(record?.owner).toBe(last('owner'));
    expect(record?.scoring ?? 'BATCH').toBe(last('scoring') ?? 'BATCH');
  }), { numRuns: 25 });
});

test('the training plan records the spec\'s description and owner (not "trained by ...") and updates them when the spec changes', async () => {
  const config = (description?: string, owner?: string) => ({
    model: 'demand', categories: ['books'], hyperparameters: {}, pipelineName: 'demand-training',
    ...(description ? { modelDescription: description } : {}), ...(owner ? { modelOwner: owner } : {}),
  });
  const deps = (c: ReturnType<typeof config>) => ({ config: c, registry, datasetsBucket: 'd', artifactsBucket: 'a' }) as never;
  const event = { executionId: 'arn:aws:states:eu-west-1:123456789012:execution:demand-training:e1', startTime: NOW.toISOString(), input: { executionDate: '2026-11-24' } };
  await planExecution(event, deps(config()));
  expect(await registry.getModel('demand')).toMatchObject({ description: 'trained by demand-training' });
  await planExecution(event, deps(config('Daily demand per store', 'ds@example.com')));
  expect(await registry.getModel('demand')).toMatchObject({ description: 'Daily demand per store', owner: 'ds@example.com' });
  await planExecution(event, deps(config('Daily demand per store and category', 'ml@example.com')));
  expect(await registry.getModel('demand')).toMatchObject({ description: 'Daily demand per store and category', owner: 'ml@example.com' });
});
