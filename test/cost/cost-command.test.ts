import { join } from 'node:path';
import { EXIT } from '../../cli/errors';
import { run } from '../cli/support';
import { MINIMAL_YAML, modelsDir } from '../spec/fixtures';

const MODELS = join(__dirname, '..', '..', 'models');
// No registry, SSM or Step Functions client and no credentials: the command reads specs only.
const cost = (env: Record<string, string>, ...argv: string[]) => run(['cost', ...argv], { env, cwd: '/nonexistent' });

describe('mlops cost', () => {
  test('prints the bill of the specs in $MLOPS_MODELS_DIR: lines, totals and both front ends', async () => {
    const r = await cost({ MLOPS_MODELS_DIR: MODELS });
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toMatch(/^SCOPE\s+GROUP\s+ITEM\s+QUANTITY\s+USD$/m);
    expect(r.out).toMatch(/^demand-forecast\s+serving\s+Fargate tasks/m);
    expect(r.out).toMatch(/^platform\s+network\s+interface endpoints/m);
    expect(r.out).toMatch(/^TOTAL\s+[\d,]+\.\d\d$/m);
    expect(r.out).toMatch(/^demand-forecast\s+service\s+service\s+[\d,]+\.\d\d\s+[\d,]+\.\d\d$/m);
    expect(r.out).toMatch(/us-east-1 list prices of \d{4}-\d\d-\d\d/);
  });

  test('--json gives the same bill for scripts; --region and --month change it', async () => {
    const j = JSON.parse((await cost({ MLOPS_MODELS_DIR: MODELS }, '--json')).out);
    expect(j).toMatchObject({ region: 'us-east-1', monthOfOperation: 12, frontEnds: [{ model: 'demand-forecast', serving: 'service' }] });
    expect(j.totalUsd).toBeLessThanOrEqual(350);
    expect(j.totalUsd).toBeCloseTo(j.scopes['demand-forecast'] + j.scopes.platform, 6);
    const eu = JSON.parse((await cost({ MLOPS_MODELS_DIR: MODELS }, '--json', '--region', 'eu-west-1', '--month', '1')).out);
    expect(eu).toMatchObject({ region: 'eu-west-1', monthOfOperation: 1 });
    expect(eu.totalUsd).not.toBeCloseTo(j.totalUsd, 0);
  });

  test('--model keeps one model; reads ./models without $MLOPS_MODELS_DIR', async () => {
    const { dir, cleanup } = modelsDir({ 'models/demand/model.yaml': MINIMAL_YAML, 'models/churn/model.yaml': MINIMAL_YAML.replace('name: demand', 'name: churn') });
    try {
      const all = JSON.parse((await run(['cost', '--json'], { env: {}, cwd: dir })).out);
      expect(Object.keys(all.scopes)).toEqual(['churn', 'demand', 'platform']);
      const one = JSON.parse((await run(['cost', '--json', '--model', 'demand'], { env: {}, cwd: dir })).out);
      expect(Object.keys(one.scopes)).toEqual(['demand', 'platform']);
    } finally {
      cleanup();
    }
  });

  test('errors name the value and the fix', async () => {
    const unknown = await cost({ MLOPS_MODELS_DIR: MODELS }, '--model', 'nope');
    expect(unknown.code).toBe(EXIT.notFound);
    expect(unknown.err).toMatch(/model "nope" has no spec in .*models[\s\S]*fix: write .*model\.yaml, or point \$MLOPS_MODELS_DIR/);
    const region = await cost({ MLOPS_MODELS_DIR: MODELS }, '--region', 'mars-1');
    expect(region.code).toBe(EXIT.usage);
    expect(region.err).toMatch(/"mars-1" was provided/);
    const { dir, cleanup } = modelsDir({ 'bad/model.yaml': MINIMAL_YAML.replace('metric: rmse', 'metric: rmse\n  promotion: sometimes') });
    try {
      const bad = await cost({ MLOPS_MODELS_DIR: dir });
      expect(bad.code).toBe(EXIT.usage);
      expect(bad.err).toMatch(/evaluation\.promotion: "sometimes" is invalid/);
    } finally {
      cleanup();
    }
  });
});
