// `inference.composition` in the spec: every mistake is reported at the field that causes it,
// with the value and the fix.
import { parseModelSpecText } from '../../lib/spec/load-model-spec';
import { MINIMAL_YAML } from '../spec/fixtures';

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/steps:1';
const problems = (inference: string) => parseModelSpecText(MINIMAL_YAML + inference, { file: 'models/demand/model.yaml' }).problems
  .map((p) => ({ path: p.path, value: p.value, expected: p.expected, fix: p.fix }));

test('a serial chain resolves its steps; the model step takes inference.modelLatency', () => {
  const { spec } = parseModelSpecText(`${MINIMAL_YAML}  mode: online\n  modelLatency: 80ms\n  composition:\n    serial:\n      - { name: prep, function: demand-prep, latency: 4ms }\n      - { name: model }\n`, { file: 'm' });
  expect(spec?.inference.composition).toEqual({
    kind: 'serial', quorum: 1,
    steps: [{ name: 'prep', functionName: 'demand-prep', latencyMs: 4, weight: 1 }, { name: 'model', latencyMs: 80, weight: 1 }],
  });
});

test.each([
  ['both kinds', '  mode: online\n  composition:\n    serial: []\n    parallel: {}\n',
    { path: 'inference.composition', expected: 'exactly one of "serial" and "parallel"', fix: 'write either serial: [steps] or parallel: { combine, branches }' }],
  ['no model step', `  mode: online\n  composition:\n    serial:\n      - { name: a, image: ${IMAGE}, latency: 1ms }\n      - { name: b, function: f, latency: 1ms }\n`,
    { path: 'inference.composition.serial', value: ['a', 'b'], expected: 'exactly one step without image or function (the model itself), but 0 found', fix: 'add the model step, e.g. - { name: model }' }],
  ['two model steps', '  mode: online\n  composition:\n    serial:\n      - { name: a }\n      - { name: b }\n',
    { path: 'inference.composition.serial', expected: 'exactly one step without image or function (the model itself), but 2 found', fix: 'give every step but the model an image or a function' }],
  ['image and function in one step', `  mode: online\n  composition:\n    serial:\n      - { name: a, image: ${IMAGE}, function: f, latency: 1ms }\n      - { name: model }\n`,
    { path: 'inference.composition.serial[0]', value: { image: IMAGE, function: 'f' }, expected: 'one of image and function', fix: 'keep one, or split the step in two' }],
  ['a function step without latency', '  mode: online\n  composition:\n    serial:\n      - { name: model }\n      - { name: post, function: demand-post }\n',
    { path: 'inference.composition.serial[1].latency', value: undefined, expected: 'the declared latency of an image or function step', fix: 'add e.g. latency: 5ms' }],
  ['a misspelt key', '  mode: online\n  composition:\n    serial:\n      - { name: model }\n      - { name: post, fucntion: demand-post, latency: 1ms }\n',
    { path: 'inference.composition.serial[1].fucntion', value: 'demand-post', fix: 'did you mean "function"?' }],
  ['a function that is no Lambda name', '  mode: online\n  composition:\n    serial:\n      - { name: model }\n      - { name: post, function: "s3://bucket/f", latency: 1ms }\n',
    { path: 'inference.composition.serial[1].function', value: 's3://bucket/f', expected: 'a Lambda function name or ARN', fix: 'write the function name, e.g. "demand-calibrate"' }],
  ['a function branch', '  mode: online\n  composition:\n    parallel:\n      branches:\n        - { name: a, model: demand }\n        - { name: b, function: f }\n',
    { path: 'inference.composition.parallel.branches[1].function', value: 'f', expected: 'no function in a parallel branch', fix: 'use model: <name> or image: <uri>' }],
  ['a quorum above the branches', '  mode: online\n  composition:\n    parallel:\n      quorum: 3\n      branches:\n        - { name: a, model: demand }\n        - { name: b, model: other }\n',
    { path: 'inference.composition.parallel.quorum', value: 3, expected: 'at most the number of branches (2)', fix: 'lower quorum to 2 or add branches' }],
  ['a quorum with first', '  mode: online\n  composition:\n    parallel:\n      combine: first\n      quorum: 2\n      branches:\n        - { name: a, model: demand }\n        - { name: b, model: other }\n',
    { path: 'inference.composition.parallel.quorum', value: 2, expected: 'quorum 1 with combine first (the first answer wins)', fix: 'remove quorum, or use mean, weighted-mean or vote' }],
  ['a zero weight', '  mode: online\n  composition:\n    parallel:\n      branches:\n        - { name: a, model: demand, weight: 0 }\n        - { name: b, model: other }\n',
    { path: 'inference.composition.parallel.branches[0].weight', value: 0, expected: 'a number > 0' }],
  ['a batch model', '  composition:\n    serial:\n      - { name: model }\n      - { name: post, function: f, latency: 1ms }\n',
    { path: 'inference.composition', value: 'serial (2 steps)', expected: 'mode online (a composition answers each request in real time; with mode batch batch scoring would run the model alone)', fix: 'set inference.mode: online, or remove composition' }],
  ['mode both', '  mode: both\n  composition:\n    serial:\n      - { name: model }\n      - { name: post, function: f, latency: 1ms }\n',
    { path: 'inference.composition', expected: 'mode online (a composition answers each request in real time; with mode both batch scoring would run the model alone)' }],
])('%s is reported at its field with the value and the fix', (_name, yaml, expected) => {
  expect(problems(yaml)).toEqual([expect.objectContaining(expected)]);
});
