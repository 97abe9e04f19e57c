import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { main } from '../../cli/main';
import { CliDeps } from '../../cli/context';
import { createLocalTable, localDoc } from '../support/dynamo';

export interface CliResult { code: number; out: string; err: string }

/** Runs `mlops` in-process and captures its output. */
export async function run(argv: string[], deps: CliDeps): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, { env: {}, ...deps });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/**
 * A registry table in DynamoDB Local holding model "demand" with categories books (v1 rmse 0.5,
 * v2 rmse 0.4, v3 rmse 0.45; v1 in production) and garden (v1), plus two runs.
 */
export async function seededRegistry(): Promise<{ tableName: string; registry: ModelRegistryClient }> {
  const tableName = await createLocalTable('cli', REGISTRY_SCHEMA);
  let clock = Date.parse('2026-11-20T02:00:00Z');
  const registry = new ModelRegistryClient({ tableName, doc: localDoc(), now: () => new Date(clock += 60_000) });
  await registry.createModel({ model: 'demand', actor: 'pipeline', owner: 'ds-team', description: 'daily demand' });
  for (const [n, rmse] of [[1, 0.5], [2, 0.4], [3, 0.45]]) {
    await registry.registerVersion({
      model: 'demand', category: 'books', artifactUri: `s3://artifacts/runs/demand/run-${n}/model.tar.gz`, metrics: { rmse, mae: rmse / 2 },
      hyperparameters: { window: 7 * n }, runId: `run-books-${n}`, executionDate: `2026-11-${17 + n}`, actor: 'pipeline',
    });
  }
  await registry.registerVersion({ model: 'demand', category: 'garden', artifactUri: 's3://artifacts/runs/demand/g1/model.tar.gz', metrics: { rmse: 0.7 }, actor: 'pipeline' });
  await registry.promote({ model: 'demand', category: 'books', version: 1, actor: 'pipeline', reason: 'first version' });
  await registry.startRun({ runId: 'run-books-3', model: 'demand', category: 'books', executionDate: '2026-11-20', trigger: 'schedule' });
  await registry.finishRun({ runId: 'run-books-3', status: 'SUCCEEDED', metrics: { rmse: 0.45 }, version: 3 });
  await registry.startRun({ runId: 'run-books-4', model: 'demand', category: 'books', trigger: 'manual', experiment: true });
  await registry.finishRun({ runId: 'run-books-4', status: 'FAILED', failureCause: 'AlgorithmError: no CSV file in /opt/ml/input/data/training' });
  return { tableName, registry };
}
