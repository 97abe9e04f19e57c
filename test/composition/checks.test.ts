// The composition pattern checks, each with a compliant and a non-compliant fixture.
import { Compliance, compositionFitsSlo, compositionModelsServed, runPatternChecks } from '../../lib/checks';
import { specFrom } from '../spec/fixtures';

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/steps:1';
const serial = (preLatency: string, postLatency: string) => specFrom(`  mode: online
  serving: service
  modelLatency: 120ms
  composition:
    serial:
      - { name: features, image: ${IMAGE}, latency: ${preLatency} }
      - { name: model }
      - { name: calibrate, function: demand-calibrate, latency: ${postLatency} }
`);
const parallel = (combine: string, branches: string, name = 'demand') => specFrom(`  mode: online
  serving: service
  modelLatency: 60ms
  composition:
    parallel:
      combine: ${combine}
      branches:
${branches}`, name);
const online = (name: string, latency: string) => specFrom(`  mode: online\n  serving: service\n  modelLatency: ${latency}\n`, name);

describe('MLOPS-CompositionFitsSlo (online big-size)', () => {
  test('compliant: 40 + 120 + 30 ms plus the service overhead fits p95 300 ms', () => {
    expect(compositionFitsSlo.check([serial('40ms', '30ms')]).get('demand')).toEqual({ compliance: Compliance.COMPLIANT });
  });
  test('non-compliant: a serial chain whose summed latency exceeds the SLO names every step and the fix', () => {
    expect(compositionFitsSlo.check([serial('100ms', '80ms')]).get('demand')).toEqual({
      compliance: Compliance.NON_COMPLIANT, path: 'inference.composition.serial',
      detail: 'features 100ms + model 120ms + calibrate 80ms + service overhead 15ms = 315ms > slo.p95 300ms; bring the chain under 285ms (fold a step into the model image, or precompute), or raise slo.p95',
    });
  });
  test('non-compliant: a fan-out waits for its slowest branch, another model\'s declared latency included', () => {
    const branches = '        - { name: own, model: demand }\n        - { name: big, model: big-model }\n';
    expect(compositionFitsSlo.check([parallel('mean', branches), online('big-model', '400ms')]).get('demand')).toMatchObject({
      compliance: Compliance.NON_COMPLIANT, path: 'inference.composition.parallel.branches[1]',
      detail: expect.stringMatching(/^slowest branch big 400ms \+ service overhead 15ms = 415ms > slo.p95 300ms; give big a timeout under 285ms/),
    });
    // combine first answers with the fastest branch: compliant.
    expect(compositionFitsSlo.check([parallel('first', branches), online('big-model', '400ms')]).get('demand')?.compliance).toBe(Compliance.COMPLIANT);
  });
  test('non-compliant: a branch slower than its own timeout never answers', () => {
    const branches = `        - { name: own, model: demand }\n        - { name: gbm, image: ${IMAGE}, latency: 90ms, timeout: 80ms }\n`;
    expect(compositionFitsSlo.check([parallel('mean', branches)]).get('demand')).toEqual({
      compliance: Compliance.NON_COMPLIANT, path: 'inference.composition.parallel.branches[1].timeout',
      detail: 'branch gbm takes 90ms but its timeout is 80ms, so it never answers; raise the timeout above 90ms or remove the branch',
    });
  });
  test('not applicable without a composition', () => {
    expect(compositionFitsSlo.check([online('demand', '50ms')]).get('demand')?.compliance).toBe(Compliance.NOT_APPLICABLE);
  });
});

describe('MLOPS-CompositionModelsServed', () => {
  const branches = '        - { name: own, model: demand }\n        - { name: other, model: seasonal }\n';
  test('compliant: every branch names a real-time model of the platform', () => {
    expect(compositionModelsServed.check([parallel('vote', branches), online('seasonal', '30ms')]).get('demand')?.compliance).toBe(Compliance.COMPLIANT);
  });
  test('non-compliant: a missing model, and a batch model, are named with the fix', () => {
    expect(compositionModelsServed.check([parallel('vote', branches)]).get('demand')).toEqual({
      compliance: Compliance.NON_COMPLIANT, path: 'inference.composition.parallel.branches[1].model',
      detail: '"seasonal" is not a model of this platform; name one of the real-time models (demand), set its inference.mode to online or both, or use an image branch',
    });
    const findings = runPatternChecks([parallel('vote', branches), specFrom('', 'seasonal')]);
    expect(findings.filter((f) => f.id === 'MLOPS-CompositionModelsServed')).toEqual([expect.objectContaining({ model: 'demand', detail: expect.stringMatching(/^"seasonal" is a batch model/) })]);
  });
  test('non-compliant: another model hosted on Fargate (its service admits only its own front end); the model itself on Fargate is fine', () => {
    const fargate = (name: string) => specFrom('  mode: online\n  serving: service\n  modelLatency: 30ms\n  hosting: fargate\n  fargate: { command: [python3, serve.py] }\n', name);
    expect(compositionModelsServed.check([parallel('vote', branches), fargate('seasonal')]).get('demand')).toEqual({
      compliance: Compliance.NON_COMPLIANT, path: 'inference.composition.parallel.branches[1].model',
      detail: '"seasonal" is hosted on Fargate, whose model service admits only its own front end; set its inference.hosting to sagemaker, or use an image branch',
    });
    const own = '        - { name: own, model: demand }\n        - { name: gbm, image: ' + IMAGE + ', latency: 20ms }\n';
    expect(compositionModelsServed.check([parallel('vote', own)]).get('demand')?.compliance).toBe(Compliance.COMPLIANT);
  });
});
