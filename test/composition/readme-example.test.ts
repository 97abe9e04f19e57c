// The README's composition examples load with the real loader and pass the pattern checks, with
// the platform they name (the parallel one calls another model, seasonal-baseline).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CheckLevel, runPatternChecks } from '../../lib/checks';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { CompositionKind } from '../../lib/spec/model-spec';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

function example(kind: string): Record<string, any> {
  const m = new RegExp(`<!-- composition-example: ${kind} -->\\n\`\`\`yaml\\n([\\s\\S]*?)\`\`\``).exec(README);
  expect(m).not.toBeNull();
  return parse(m![1]);
}

function load(name: string, inference: Record<string, unknown>) {
  const { spec, problems } = parseModelSpecObject({
    name, description: 'd', owner: 'ds@example.com', training: { image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand:1' }, evaluation: { metric: 'rmse' },
    inference: { rules: { fallback: [{ name: 'typical', prediction: 50 }] }, ...inference },
  }, { file: `models/${name}/model.yaml` });
  expect(problems).toEqual([]);
  return spec!;
}

test.each([['serial', CompositionKind.SERIAL, 3], ['parallel', CompositionKind.PARALLEL, 3]])('the %s example loads and passes the pattern checks', (kind, expectedKind, steps) => {
  const demand = load('demand-forecast', example(kind).inference);
  expect(demand.inference.composition).toMatchObject({ kind: expectedKind });
  expect(demand.inference.composition!.steps).toHaveLength(steps);
  const platform = [demand, load('seasonal-baseline', { mode: 'online' })];
  expect(runPatternChecks(platform).filter((f) => f.level === CheckLevel.ERROR)).toEqual([]);
});
