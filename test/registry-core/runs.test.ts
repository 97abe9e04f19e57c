import { ConflictError, ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { createLocalTable, localDoc } from '../support/dynamo';

let registry: ModelRegistryClient;
let clock = new Date('2026-11-20T06:00:00Z');

beforeAll(async () => {
  const tableName = await createLocalTable('runs', REGISTRY_SCHEMA);
  registry = new ModelRegistryClient({ tableName, doc: localDoc(), now: () => clock });
  await registry.createModel({ model: 'demand', actor: 'test' });
  for (const [i, day] of ['2026-11-20', '2026-11-21', '2026-11-22'].entries()) {
    for (const category of ['books', 'toys']) {
      clock = new Date(`${day}T06:00:0${i}Z`);
      await registry.startRun({ runId: `${day}-${category}`, model: 'demand', category, executionDate: day, hyperparameters: { lr: 0.1 }, trigger: 'schedule' });
      clock = new Date(`${day}T07:00:00Z`);
      await registry.finishRun({
        runId: `${day}-${category}`, status: category === 'toys' && day === '2026-11-21' ? 'FAILED' : 'SUCCEEDED',
        metrics: { rmse: 0.5 - i / 10 }, artifacts: { model: `s3://a/runs/demand/${day}-${category}/output/model.tar.gz` },
        logUrl: 'https://console.aws.amazon.com/cloudwatch/logs', failureCause: category === 'toys' && day === '2026-11-21' ? 'OOM' : undefined,
      });
    }
  }
});

describe('runs (experiment tracking)', () => {
  test('records params, metrics, artifacts, log link and timing', async () => {
    expect(await registry.getRun('2026-11-20-books')).toMatchObject({
      model: 'demand', category: 'books', status: 'SUCCEEDED', executionDate: '2026-11-20', hyperparameters: { lr: '0.1' },
      metrics: { rmse: 0.5 }, artifacts: { model: 's3://a/runs/demand/2026-11-20-books/output/model.tar.gz' },
      startedAt: '2026-11-20T06:00:00.000Z', finishedAt: '2026-11-20T07:00:00.000Z', trigger: 'schedule', experiment: false,
    });
  });

  test('lists by model newest first, filtered by category, status and date range', async () => {
    const all = await registry.listRuns({ model: 'demand' });
    expect(all.items.map((r) => r.runId)).toEqual(['2026-11-22-toys', '2026-11-22-books', '2026-11-21-toys', '2026-11-21-books', '2026-11-20-toys', '2026-11-20-books']);
    expect((await registry.listRuns({ model: 'demand', category: 'books' })).items).toHaveLength(3);
    expect((await registry.listRuns({ model: 'demand', status: 'FAILED' })).items.map((r) => [r.runId, r.failureCause])).toEqual([['2026-11-21-toys', 'OOM']]);
    const twoDaysAgo = await registry.listRuns({ model: 'demand', since: '2026-11-21T00:00:00Z', until: '2026-11-22T00:00:00Z' });
    expect(twoDaysAgo.items.map((r) => r.runId)).toEqual(['2026-11-21-toys', '2026-11-21-books']);
  });

  test('start and finish are idempotent for retries, but a finished run cannot change its outcome', async () => {
    clock = new Date('2026-11-23T06:00:00Z');
    await registry.startRun({ runId: 'retry-1', model: 'demand', category: 'books' });
    await expect(registry.startRun({ runId: 'retry-1', model: 'demand', category: 'books' })).resolves.toMatchObject({ status: 'RUNNING' });
    await registry.finishRun({ runId: 'retry-1', status: 'SUCCEEDED', metrics: { rmse: 0.1 } });
    await expect(registry.finishRun({ runId: 'retry-1', status: 'SUCCEEDED' })).resolves.toMatchObject({ metrics: { rmse: 0.1 } });
    await expect(registry.finishRun({ runId: 'retry-1', status: 'FAILED' })).rejects.toThrow(ConflictError);
    await expect(registry.startRun({ runId: 'retry-1', model: 'demand', category: 'books' })).rejects.toThrow(/run retry-1 already exists/);
  });

  test('bad input names the field and the fix', async () => {
    await expect(registry.finishRun({ runId: 'nope', status: 'RUNNING' as never })).rejects.toThrow(/status "RUNNING" is invalid: use one of SUCCEEDED, FAILED, STOPPED/);
    await expect(registry.finishRun({ runId: 'never-started', status: 'FAILED' })).rejects.toThrow(/run never-started does not exist/);
    await expect(registry.listRuns({ model: 'demand', since: 'three days' })).rejects.toThrow(/since "three days" is invalid: use an ISO-8601 timestamp/);
    await expect(registry.startRun({ runId: 'x', model: 'demand', category: 'books', executionDate: '2026-13-45' })).rejects.toThrow(/executionDate "2026-13-45" is invalid/);
  });
});
