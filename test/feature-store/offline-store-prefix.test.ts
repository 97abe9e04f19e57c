// The offline store of every feature group lives under feature-store/ of the datasets bucket, and
// a model's data under <model name>/ of the same bucket: a model named "feature-store" is refused.
import fc from 'fast-check';
import { parse } from 'yaml';
import { parseModelSpecObject } from '../../lib/spec';
import { MINIMAL_YAML } from '../spec/fixtures';

const problems = (name: string, location?: string) => parseModelSpecObject(
  { ...(parse(MINIMAL_YAML) as object), name, ...(location === undefined ? {} : { data: { location } }) },
  { file: `models/${name}/model.yaml` },
).problems;

test('a model named feature-store is refused at its name, with the fix', () => {
  const [p, ...rest] = problems('feature-store');
  expect(rest).toEqual([]);
  expect(p).toMatchObject({ path: 'name', value: 'feature-store' });
  expect(p.expected).toMatch(/outside feature-store\/ .*offline store/);
  expect(p.fix).toMatch(/rename the model/);
  expect(problems('feature-store', 'feature-store/')).toEqual([expect.objectContaining({ path: 'data.location', value: 'feature-store/' })]);
});

test('every other model name is accepted, including ones that start alike', () => {
  fc.assert(fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/), (name) => {
    fc.pre(name !== 'feature-store' && !name.includes('--'));
    expect(problems(name)).toEqual([]);
  }));
  for (const name of ['feature-stores', 'feature-store-model', 'features']) expect(problems(name)).toEqual([]);
});
