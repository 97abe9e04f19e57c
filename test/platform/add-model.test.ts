// Issue 10 "adding a model changes no other template", as a property: for generated model mixes
// (every training backend, inference mode, front end and client path of spec-arbitrary.ts),
// adding one more model to MlopsPlatformStacks adds its stack and leaves every other template
// byte-identical; the first model too. fast-check prints the seed of a failure; replay it with
// GEN_SEED=<seed>. Runs: ADD_MODEL_RUNS (default 4).
import { App } from 'aws-cdk-lib';
import fc from 'fast-check';
import { modelCopies, modelCopy } from '../../bench/synth/model-copies';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { ModelSpec } from '../../lib/spec/model-spec';
import { testApp } from '../support/cdk';
import { acceptedSpec, rawSpec } from './spec-arbitrary';

const RUNS = Number(process.env.ADD_MODEL_RUNS ?? 4);
const SEED = process.env.GEN_SEED === undefined ? undefined : Number(process.env.GEN_SEED);

/** Every template of an app of `models`, by stack name, as the JSON CloudFormation receives. */
function templates(models: ModelSpec[]): Record<string, string> {
  const app: App = testApp();
  new MlopsPlatformStacks(app, { models });
  return Object.fromEntries(app.synth().stacks.map((s) => [s.stackName, JSON.stringify(s.template)]));
}

/** Parameters a template declares but never references (CloudFormation lint W2001). */
function unusedParameters(template: string): string[] {
  const t = JSON.parse(template);
  const body = JSON.stringify({ ...t, Parameters: undefined });
  return Object.keys(t.Parameters ?? {}).filter((p) => p !== 'BootstrapVersion' && !body.includes(`{"Ref":"${p}"}`));
}

/** What changes when `added` joins `before`: new stack names, and the names of changed templates. */
function changes(before: Record<string, string>, after: Record<string, string>) {
  return {
    added: Object.keys(after).filter((n) => !(n in before)),
    changed: Object.keys(before).filter((n) => after[n] !== before[n]),
  };
}

test(`${RUNS} generated model mixes: adding a model (any backend, mode, front end, client path) changes no other template`, () => {
  // 0 to 2 models first (0: the first model joins an empty platform), then one more.
  const mix = fc.integer({ min: 0, max: 2 }).chain((n) => fc.tuple(...Array.from({ length: n + 1 }, (_, i) => rawSpec(`mix-${i}`))));
  fc.assert(fc.property(mix, (raws) => {
    const specs = raws.map((raw) => acceptedSpec(raw));
    const before = templates(specs.slice(0, -1));
    const after = templates(specs);
    expect(changes(before, after)).toEqual({ added: [`MlopsPlatformStack-${specs[specs.length - 1].name}`], changed: [] });
    for (const [name, t] of Object.entries(after)) expect([name, unusedParameters(t)]).toEqual([name, []]);
  }), { numRuns: RUNS, seed: SEED, endOnFailure: true });
}, 10 * 60_000);

const BATCH = { backend: 'batch', instanceType: 'g5.xlarge', maxVcpus: 16, spot: true, maxRuntime: '2h', command: ['python3', '/opt/program/train.py'] };

/** Copy `i` of the example (a multiple of 4: SageMaker training), trained on SageMaker or Batch, with inference overrides. */
function shape(i: number, batchTraining: boolean, inference: Record<string, unknown>): ModelSpec {
  const raw = modelCopy(i);
  const training = batchTraining ? { image: raw.training.image, ...BATCH } : raw.training;
  const { spec, problems } = parseModelSpecObject({ ...raw, training, inference: { ...raw.inference, ...inference } }, { file: `models/${raw.name}/model.yaml` });
  if (!spec) throw new Error(JSON.stringify(problems));
  return spec;
}

const SHAPES: Array<[string, ModelSpec]> = [
  ['SageMaker training, batch predictions only', shape(20, false, { mode: 'batch', serving: 'none' })],
  ['SageMaker training, HTTP API', shape(24, false, { serving: 'api', tps: { min: 1, avg: 5, max: 20 }, peakWindows: [] })],
  ['Batch GPU training, HTTP API (network without the VPC CIDR)', shape(28, true, { serving: 'api', tps: { min: 1, avg: 5, max: 20 }, peakWindows: [] })],
  ['ALB + Fargate reached from the VPC and a client CIDR', shape(32, false, { mode: 'both', serving: 'service', access: { clientCidrs: ['10.20.0.0/16'] } })],
  ['Batch GPU training, ALB + Fargate through PrivateLink', shape(36, true, { serving: 'service', access: { mode: 'private-link', allowedPrincipals: ['arn:aws:iam::111122223333:root'] } })],
  ['ALB + Fargate internet-facing with mutual TLS', shape(40, false, {
    serving: 'service',
    access: {
      mode: 'internet',
      certificate: 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
      trustStore: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:truststore/clients/0123456789abcdef',
    },
  })],
];

describe('each model shape, added to a platform of two models (batch only, HTTP API)', () => {
  const base = modelCopies(2);
  const before = templates(base);
  test.each(SHAPES)('%s: adds its stack only; every other template is byte-identical', (_name, spec) => {
    const after = templates([...base, spec]);
    expect(changes(before, after)).toEqual({ added: [`MlopsPlatformStack-${spec.name}`], changed: [] });
    expect(unusedParameters(after[`MlopsPlatformStack-${spec.name}`])).toEqual([]);
  });
});
