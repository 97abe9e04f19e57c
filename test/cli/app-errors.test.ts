// The default app (bin/app.ts, what `cdk synth` runs) as a child process, the way cdk runs it:
// a broken spec or a wrong MLOPS_MODELS_DIR prints the problem and exits 1, with no Node stack
// trace (issue 9 §5).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppHarness, NO_STACK, ROOT, appHarness } from './app-harness';

let app: AppHarness;
let work: string;
beforeAll(() => { app = appHarness(); work = app.work; });
afterAll(() => app.cleanup());
const synth = (modelsDir: string) => app.synth(modelsDir);

function modelsWith(name: string, yaml: string): string {
  const dir = join(work, `models-${name}`);
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, 'model.yaml'), yaml);
  return dir;
}

test('a spec with problems: the report on stderr, exit 1, no stack trace', () => {
  const example = readFileSync(join(ROOT, 'models', 'demand-forecast', 'model.yaml'), 'utf8');
  const broken = example.replace('ttl: 3d', 'ttl: 3 days').replace('metric: rmse', 'metric: "9rmse"');
  const r = synth(modelsWith('demand-forecast', broken));
  expect(r.stderr).toMatch(/^error: models-demand-forecast\/demand-forecast\/model\.yaml: inference\.ttl: "3 days" is invalid: .*\n {2}fix: /m);
  expect(r.stderr).toMatch(/^error: models-demand-forecast\/demand-forecast\/model\.yaml: evaluation\.metric: "9rmse" is invalid: .*\n {2}fix: /m);
  // One pass: the missing Dockerfile (no Dockerfile in the temp folder) comes with the field problems.
  expect(r.stderr).toMatch(/^error: models-demand-forecast\/demand-forecast\/model\.yaml: training\.image: "\." is invalid: /m);
  expect(r.stderr).toMatch(/^3 error\(s\), 0 warning\(s\), 0 acknowledged in 1 spec\(s\)\nerror: 3 error\(s\) in the model specs; nothing was synthesized/m);
  expect(r.stderr).not.toContain(work);
  expect(r.stderr).not.toMatch(NO_STACK);
  expect(r.status).toBe(1);
});

test('a failed pattern check: the findings with their fix, exit 1, no stack trace', () => {
  const r = synth(modelsWith('no-fallback', [
    'description: A model served online without a fallback rule', 'owner: ds@example.com',
    'training: { image: 111111111111.dkr.ecr.eu-west-1.amazonaws.com/x:1 }', 'evaluation: { metric: rmse }', '',
  ].join('\n')));
  expect(r.stderr).toMatch(/^error: models-no-fallback\/no-fallback\/model\.yaml: inference\.rules\.fallback: MLOPS-ServingHasFallback: /);
  expect(r.stderr).toMatch(/acknowledged in its spec: acknowledge: \[\{ id: <check id>, reason: <why it is acceptable> \}\]/);
  expect(r.stderr).not.toMatch(NO_STACK);
  expect(r.status).toBe(1);
});

test('MLOPS_MODELS_DIR pointing at a missing folder is an error, not an empty platform', () => {
  const r = synth(join(work, 'no-such-folder'));
  expect(r.stderr).toMatch(/^error: MLOPS_MODELS_DIR=.*no-such-folder is not a folder/);
  expect(r.stderr).toMatch(/fix: point MLOPS_MODELS_DIR at the folder that holds <model>\/model\.yaml/);
  expect(r.stderr).not.toMatch(NO_STACK);
  expect(r.status).toBe(1);
});
