// Runs the example model's real training and scoring scripts under the container contract
// (MLOPS_ML_ROOT standing in for /opt/ml) on generated data.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTAINER } from '../../lambda/shared/contract';
import { parseBaseline } from '../../lambda/shared/monitoring/baseline';

const MODEL_DIR = join(__dirname, '..', '..', 'models', 'demand-forecast');
let root: string;

const python = (script: string, args: string[], env: Record<string, string> = {}) => execFileSync('python3', ['-B', join(MODEL_DIR, script), ...args], {
  env: { PATH: process.env.PATH, PYTHONDONTWRITEBYTECODE: '1', MLOPS_ML_ROOT: root, ...env }, encoding: 'utf8', stdio: 'pipe',
});
const underRoot = (containerPath: string) => join(root, containerPath.replace(/^\/opt\/ml\//, ''));

beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'mlops-ml-')); });
afterEach(() => rmSync(root, { recursive: true, force: true }));

function generate(days = 60) {
  python('generate_data.py', ['--out', join(underRoot(CONTAINER.inputDataDir), CONTAINER.trainingChannel), '--days', String(days), '--stores', '4', '--category', 'books', '--end', '2026-11-20']);
}

test('trains on generated data: model.json, metrics.json (beating the naive forecast) and a drift baseline', () => {
  generate();
  mkdirSync(join(root, 'input', 'config'), { recursive: true });
  writeFileSync(underRoot(CONTAINER.hyperparametersFile), JSON.stringify({ window: '21', level_weight: '0.4' }));
  const log = python('train.py', [], { MLOPS_MODEL: 'demand-forecast', MLOPS_CATEGORY: 'books', MLOPS_RUN_ID: 'run-1', MLOPS_EXECUTION_DATE: '2026-11-20' });
  expect(log).toMatch(/trained demand-forecast\/books on 240 rows/);

  const metrics = JSON.parse(readFileSync(join(underRoot(CONTAINER.modelDir), CONTAINER.metricsFile), 'utf8'));
  expect(metrics.rows).toBe(240);
  expect(metrics.holdout_rows).toBe(28);
  expect(metrics.rmse).toBeGreaterThan(0);
  expect(metrics.rmse).toBeLessThan(metrics.naive_rmse);
  expect(JSON.parse(readFileSync(join(underRoot(CONTAINER.outputDataDir), CONTAINER.metricsFile), 'utf8'))).toEqual(metrics);

  const model = JSON.parse(readFileSync(join(underRoot(CONTAINER.modelDir), 'model.json'), 'utf8'));
  expect(Object.keys(model.stores)).toEqual(['store-001', 'store-002', 'store-003', 'store-004']);
  expect(model).toMatchObject({ category: 'books', runId: 'run-1', hyperparameters: { window: 21, level_weight: 0.4 } });
  // The drift baseline: every holdout prediction (4 stores x 7 days), over all weekdays and per
  // weekday of the batch that predicts the day (the day before it), in the format drift reads.
  const baseline = parseBaseline(readFileSync(join(underRoot(CONTAINER.outputDataDir), CONTAINER.baselineFile), 'utf8'));
  const total = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
  expect(baseline.prediction.type).toBe('numeric');
  expect(total(baseline.prediction.counts)).toBe(metrics.holdout_rows);
  expect(Object.keys(baseline.predictionByWeekday).sort()).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  for (const h of Object.values(baseline.predictionByWeekday)) expect(total(h.counts)).toBe(4);
});

test('scoring takes each store\'s recent level from the day\'s data in the scoring channel', () => {
  generate();
  python('train.py', []);
  const score = () => {
    python('score.py', [], { MLOPS_EXECUTION_DATE: '2026-11-20', MLOPS_MODE: 'score' });
    return readFileSync(join(underRoot(CONTAINER.outputDataDir), 'predictions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).prediction as number);
  };
  const asTrained = score();
  // The same history with demand doubled: the level doubles, so does the level-weighted part.
  const training = join(underRoot(CONTAINER.inputDataDir), CONTAINER.trainingChannel, 'books.csv');
  const scoring = join(underRoot(CONTAINER.inputDataDir), CONTAINER.scoringInputChannel);
  mkdirSync(scoring, { recursive: true });
  const [header, ...rows] = readFileSync(training, 'utf8').trim().split('\n');
  writeFileSync(join(scoring, 'books.csv'), [header, ...rows.map((r) => { const [d, s, u] = r.split(','); return `${d},${s},${Number(u) * 2}`; })].join('\n'));
  const doubled = score();
  doubled.forEach((p, i) => expect(p).toBeGreaterThan(asTrained[i] * 1.3));
});

test('scores every store for the day after the execution date as JSON Lines', () => {
  generate();
  python('train.py', []);
  // As the scoring job sees it: the production model in the "model" input channel only.
  const channel = join(root, 'input', 'data', CONTAINER.scoringModelChannel);
  mkdirSync(channel, { recursive: true });
  renameSync(join(underRoot(CONTAINER.modelDir), 'model.json'), join(channel, 'model.json'));
  python('score.py', [], { MLOPS_EXECUTION_DATE: '2026-11-20', MLOPS_MODE: 'score' });
  const lines = readFileSync(join(underRoot(CONTAINER.outputDataDir), 'predictions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(lines.map((l) => l.entityId)).toEqual(['store-001', 'store-002', 'store-003', 'store-004']);
  for (const l of lines) {
    expect(l.date).toBe('2026-11-21');
    expect(typeof l.prediction).toBe('number');
    expect(l.prediction).toBeGreaterThanOrEqual(0);
    expect(l.prediction).toBeLessThan(1000);
  }
});

test('fails with a reason SageMaker surfaces when the data is too short or a hyperparameter is unknown', () => {
  generate(10);
  expect(() => python('train.py', [])).toThrow(/only 10 days of data; at least 14 are needed/);
  expect(readFileSync(join(root, 'output', 'failure'), 'utf8')).toMatch(/only 10 days/);
  mkdirSync(join(root, 'input', 'config'), { recursive: true });
  writeFileSync(underRoot(CONTAINER.hyperparametersFile), JSON.stringify({ windw: '7' }));
  expect(() => python('train.py', [])).toThrow(/unknown hyperparameter 'windw'/);
});

test('the spec\'s hyperparameters are ones the training script accepts', () => {
  const spec = readFileSync(join(MODEL_DIR, 'model.yaml'), 'utf8');
  const source = readFileSync(join(MODEL_DIR, 'train.py'), 'utf8');
  const defaults = /DEFAULTS = \{([^}]*)\}/.exec(source)![1];
  for (const name of ['window', 'level_weight', 'holdout_days']) {
    expect(spec).toMatch(new RegExp(`\\n\\s+${name}:`));
    expect(defaults).toContain(`"${name}"`);
  }
});
