import { join } from 'node:path';
import {
  InferenceMode, MetricDirection, ModelSpecError, PromotionMode, ServingFrontEnd, TrainingEngine,
  loadModelSpec, loadModelSpecs, parseModelSpec, parseModelSpecText,
} from '../../lib/spec';
import { MINIMAL_YAML, modelsDir, specFrom } from './fixtures';

const EXAMPLE = join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml');

function problems(yaml: string) {
  return parseModelSpecText(yaml, { file: 'models/demand/model.yaml' }).problems;
}

describe('defaults from the reference scenario', () => {
  test('a minimal spec gets daily training, 3-day TTL/RPO, 100/300/1000 TPS and p95 300 ms / p99 500 ms', () => {
    const spec = specFrom();
    expect(spec.schedule).toEqual({ cron: '0 2 * * *', timeZone: 'UTC', enabled: true });
    expect(spec.categories).toEqual(['default']);
    expect(spec.inference).toMatchObject({
      mode: InferenceMode.BATCH, ttlSeconds: 3 * 86400, rpoSeconds: 3 * 86400,
      tps: { min: 100, avg: 300, max: 1000 }, slo: { p95Ms: 300, p99Ms: 500 }, serviceName: 'demand',
    });
    expect(spec.training).toMatchObject({
      backend: TrainingEngine.SAGEMAKER, instanceType: 'ml.m5.large', spot: true, maxRuntimeSeconds: 3600, volumeSizeGiB: 30, retries: 2,
      imageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand:1',
    });
    expect(spec.evaluation).toMatchObject({ metric: 'rmse', direction: MetricDirection.MINIMIZE, promotion: PromotionMode.AUTO, approvalTimeoutSeconds: 3 * 86400 });
    expect(spec.data).toMatchObject({ location: 'demand/', external: false, format: 'csv', minRows: 100, maxAgeSeconds: 86400 });
  });

  test('serving is chosen by the cost model and the reason shows both options\' costs', () => {
    expect(specFrom().inference).toMatchObject({ serving: ServingFrontEnd.SERVICE, servingReason: expect.stringMatching(/^serving "service" chosen as the cheaper front end at avg 300 TPS; cost model .*"service" .* \$\d+\/month, "api" .* \$\d+\/month$/) });
    const low = specFrom('  tps: { min: 0, avg: 5, max: 50 }\n');
    expect(low.inference).toMatchObject({ serving: ServingFrontEnd.API, servingReason: expect.stringMatching(/^serving "api" chosen as the cheaper front end at avg 5 TPS; cost model/) });
    const declared = specFrom('  serving: api\n');
    expect(declared.inference).toMatchObject({ serving: ServingFrontEnd.API, servingReason: expect.stringMatching(/^serving "api" declared in the spec; cost model .*"service" .*"api"/) });
  });

  test('the example model loads with its Dockerfile folder, rules and peak windows', () => {
    const spec = loadModelSpec(EXAMPLE);
    expect(spec.name).toBe('demand-forecast');
    expect(spec.training.imageDirectory).toBe(join(__dirname, '..', '..', 'models', 'demand-forecast'));
    expect(spec.categories).toEqual(['books', 'garden', 'toys']);
    expect(spec.inference.peakWindows[0]).toEqual({ startCron: '0 8 * * *', durationSeconds: 7200, tps: 1000 });
    expect(spec.inference.rules.fallback).toEqual([{ name: 'typical-store-day', prediction: 50 }]);
    expect(spec.inference.rules.override).toEqual([{ name: 'never-negative', when: { prediction: { lt: 0 } }, prediction: 0 }]);
    expect(spec.inference.rules.prefilter[0].when).toEqual({ entityId: { prefix: 'test-' } });
  });
});

describe('validation lists every problem with file, path, value, expectation and fix', () => {
  test('field problems are all reported at once', () => {
    const yaml = `
descriptio: typo
owner: me
categories: [books, books, "bad#cat"]
training: { image: "repo/x:1", spot: "yes", volumeSize: 30, maxRuntime: 10 }
evaluation: { metric: rmse }
inference: { ttl: "3 days", mode: Online }
`;
    const found = problems(yaml);
    const byPath = Object.fromEntries(found.map((p) => [p.path, p]));
    expect(Object.keys(byPath).sort()).toEqual([
      'categories[1]', 'categories[2]', 'description', 'descriptio', 'inference.mode', 'inference.ttl',
      // One pass: no folder to name the inline spec after, reported with the field problems.
      'name',
      'training.maxRuntime', 'training.spot', 'training.volumeSize',
    ].sort());
    expect(byPath.descriptio.fix).toBe('did you mean "description"?');
    expect(byPath['inference.ttl']).toMatchObject({ file: 'models/demand/model.yaml', value: '3 days', expected: expect.stringMatching(/duration such as "3d"/) });
    expect(byPath['inference.mode'].fix).toBe('write "online" (lowercase)');
    expect(byPath['training.volumeSize'].fix).toBe('add a unit: "30GiB"');
    expect(byPath['training.maxRuntime'].fix).toMatch(/bare number is ambiguous/);
  });

  test('the thrown error names the file, the path, the value, the expectation and the fix', () => {
    expect(() => parseModelSpec(MINIMAL_YAML.replace('metric: rmse', 'metric: rmse\n  promotion: sometimes'), { file: 'models/demand/model.yaml' }))
      .toThrow(/models\/demand\/model.yaml: evaluation.promotion: "sometimes" is invalid: expected one of "auto", "manual", "none". Fix: pick one of auto, manual, none/);
  });

  test('cross-field problems: traffic order, SLO order, serving for online, backend, command and instance type', () => {
    const found = problems(`${MINIMAL_YAML}
  mode: online
  serving: none
  tps: { min: 10, avg: 5, max: 1 }
  slo: { p95: 600ms, p99: 500ms }
`.replace('training:\n', 'training:\n  backend: batch\n  instanceType: ml.g5.xlarge\n'));
    expect(found.map((p) => p.path).sort()).toEqual(['inference.serving', 'inference.slo.p95', 'inference.tps', 'training.command', 'training.instanceType']);
    expect(found.find((p) => p.path === 'training.instanceType')!.fix).toBe('write "g5.xlarge"');
  });

  test('rules are checked by the prediction core, every bad rule reported at its own path', () => {
    const found = problems(MINIMAL_YAML.replace('- { name: default, prediction: 0 }', `- { name: a, when: { entityId: { oneOf: store-1 } }, prediction: 0 }
      - { name: b, when: { prediction: { lt: 0 } }, prediction: 0 }
      - { name: c, answer: 0 }
      - { name: ok, prediction: 1 }
      - { name: ok, prediction: 2 }
    overrides: []`));
    expect(found.map((p) => [p.path, p.fix])).toEqual([
      ['inference.rules.overrides', 'did you mean "override"?'],
      ['inference.rules.fallback[0].when.entityId.oneOf', 'use a non-empty list of strings, numbers or booleans'],
      ['inference.rules.fallback[1].when.prediction', 'only override rules can test the prediction: prefilter and fallback rules run without one'],
      ['inference.rules.fallback[2].answer', 'remove it: a rule has "name", "when" and "prediction"'],
      ['inference.rules.fallback[4].name', 'give every rule of a list a unique name'],
    ]);
  });

  test('an unknown metric needs a direction; a missing Dockerfile is reported with its path', () => {
    const found = problems(MINIMAL_YAML.replace('metric: rmse', 'metric: business_value').replace(/image: .*/, 'image: ./no-such-folder'));
    expect(found.map((p) => p.path)).toEqual(['training.image', 'evaluation.direction']);
    expect(found[0].expected).toMatch(/no-such-folder\/Dockerfile/);
  });

  test('invalid YAML is reported with its line', () => {
    const found = problems('description: [unclosed\nowner: x\n');
    expect(found[0]).toMatchObject({ path: '', expected: 'valid YAML', value: expect.stringMatching(/line \d+/) });
  });
});

describe('loading a models folder', () => {
  test('loads every model sorted by name and names models after their folder', () => {
    const yaml = MINIMAL_YAML.replace('name: demand\n', '');
    const { dir, cleanup } = modelsDir({ 'zeta/model.yaml': yaml, 'alpha/model.yml': yaml, 'notes/README.md': 'no spec here' });
    try {
      expect(loadModelSpecs(dir).map((s) => s.name)).toEqual(['alpha', 'zeta']);
    } finally { cleanup(); }
  });

  test('reports the problems of every file and duplicate names together', () => {
    const { dir, cleanup } = modelsDir({
      'one/model.yaml': MINIMAL_YAML.replace('name: demand', 'name: same'),
      'two/model.yaml': MINIMAL_YAML.replace('name: demand', 'name: same'),
      'three/model.yaml': MINIMAL_YAML.replace('owner: ds-team', 'owner: ""'),
    });
    try {
      let error: ModelSpecError | undefined;
      try { loadModelSpecs(dir); } catch (e) { error = e as ModelSpecError; }
      expect(error).toBeInstanceOf(ModelSpecError);
      expect(error!.problems.map((p) => [p.file.replace(dir, ''), p.path])).toEqual([
        ['/three/model.yaml', 'owner'],
        ['/two/model.yaml', 'name'],
      ]);
      expect(error!.message).toMatch(/2 problems in model specs/);
    } finally { cleanup(); }
  });
});
