// `mlops new x && mlops validate x` in a temp folder: the scaffold passes validation, its spec
// carries every default of the declaration, and its Python model trains and scores under the
// container contract at once (each local run in its own folder, failures written where
// `mlops runs` reads them).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadModelSpec } from '../../lib/spec';
import { ROOT } from './app-harness';
import { run } from './support';

let tmp: string;
beforeEach(() => { tmp = mkdtempSync(join(tmpdir(), 'mlops-new-')); });
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

// The issue's own words: a one-letter model name is a model name (1-63 characters).
test('mlops new x && mlops validate x passes', async () => {
  const created = await run(['new', 'x'], { cwd: tmp });
  expect(created).toMatchObject({ code: 0, out: expect.stringContaining('created models/x/: model.yaml, Dockerfile, contract.py, train.py, score.py, generate_data.py, README.md') });
  expect(created.out).toContain('next: mlops validate x');
  const validated = await run(['validate', 'x'], { cwd: tmp });
  expect(validated).toMatchObject({ code: 0, out: '0 error(s), 0 warning(s), 0 acknowledged in 1 spec(s)' });
});

test('the spec writes out the reference defaults and points editors at the shipped schema', async () => {
  await run(['new', 'churn-risk'], { cwd: tmp });
  const text = readFileSync(join(tmp, 'models', 'churn-risk', 'model.yaml'), 'utf8');
  const written = parse(text);
  expect(written).toMatchObject({
    name: 'churn-risk', schedule: { cron: '0 2 * * *', timeZone: 'UTC', enabled: true },
    training: { image: '.', backend: 'sagemaker', spot: true, maxWait: '2h', maxRuntime: '1h', retries: 2 },
    evaluation: { metric: 'rmse', promotion: 'auto', approvalTimeout: '3d' },
    inference: { mode: 'batch', ttl: '3d', tps: { min: 100, avg: 300, max: 1000 }, slo: { p95: '300ms', p99: '500ms' } },
  });
  expect(text).toMatch(/^ {2}# schedule: {2}# Score every category/m); // optional fields without a default stay commented
  const schema = /\$schema=(\S+)/.exec(text)![1];
  expect(resolve(tmp, 'models', 'churn-risk', schema)).toBe(join(ROOT, 'schema', 'model-spec.schema.json'));
  expect(loadModelSpec(join(tmp, 'models', 'churn-risk', 'model.yaml')).name).toBe('churn-risk');
});

test('an existing folder is a conflict (exit 3); a bad name is a usage error (exit 1)', async () => {
  await run(['new', 'xy'], { cwd: tmp });
  expect(await run(['new', 'xy'], { cwd: tmp })).toMatchObject({ code: 3, err: expect.stringMatching(/^error: models\/xy already exists/) });
  expect(await run(['new', 'Bad_Name'], { cwd: tmp })).toMatchObject({ code: 1, err: expect.stringMatching(/is not a model name/) });
});

const python = spawnSync('python3', ['--version']).status === 0;
(python ? test : test.skip)('the model runs locally at once: the README recipe trains and scores; a failure leaves its reason', async () => {
  await run(['new', 'xy', '--models-dir', '.'], { cwd: tmp });
  const dir = join(tmp, 'xy');
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  const recipe = /```bash\n([\s\S]*?)```/.exec(readme)![1];
  const sh = (script: string) => spawnSync('bash', ['-euc', script], { cwd: dir, encoding: 'utf8' });
  const first = sh(recipe);
  expect(first.stderr).toBe('');
  expect(first.status).toBe(0);
  expect(first.stdout).toMatch(/trained xy\/default on 300 rows: rmse \d/);
  const predictions = readFileSync(join(dir, 'runs', '1', 'output', 'data', 'predictions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(predictions).toHaveLength(5);
  expect(predictions[0]).toEqual({ entityId: 'entity-001', prediction: expect.any(Number) });
  expect(JSON.parse(readFileSync(join(dir, 'runs', '1', 'model', 'metrics.json'), 'utf8'))).toMatchObject({ rows: 300 });
  expect(sh(recipe).status).toBe(0); // a second run keeps the first
  expect(existsSync(join(dir, 'runs', '2', 'output', 'data', 'predictions.jsonl'))).toBe(true);

  mkdirSync(join(dir, 'runs', 'bad', 'input', 'data', 'training'), { recursive: true });
  writeFileSync(join(dir, 'runs', 'bad', 'input', 'data', 'training', 'data.csv'), 'date,entity_id,value\n2026-01-01,a,not-a-number\n');
  const failed = spawnSync('python3', ['train.py'], { cwd: dir, encoding: 'utf8', env: { ...process.env, MLOPS_ML_ROOT: join(dir, 'runs', 'bad') } });
  expect(failed.status).toBe(1);
  expect(readFileSync(join(dir, 'runs', 'bad', 'output', 'failure'), 'utf8')).toMatch(/^data\.csv line 2: expected date,entity_id,value/);
});
