// Generated fargate-hosted specs (every size Fargate offers, task counts, traffic, peaks, modes,
// front-end declarations, client paths) synthesize as model stacks within the resource budget
// and with no unacknowledged AwsSolutions finding. fast-check prints the seed of a failure;
// replay it with GEN_SEED=<seed>.
import { App } from 'aws-cdk-lib';
import fc from 'fast-check';
import { FARGATE_MEMORY_MIB } from '../../lib/model-service/validate-fargate-model-service-props';
import { MlopsModelStack } from '../../lib/platform/mlops-model-stack';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { ModelHosting } from '../../lib/spec/model-spec';
import { nagFindings } from '../support/cdk';
import { acceptedSpec, rawSpec } from '../platform/spec-arbitrary';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const RUNS = Number(process.env.GEN_RUNS ?? 4);
const SEED = process.env.GEN_SEED === undefined ? undefined : Number(process.env.GEN_SEED);

/** A size Fargate offers: a CPU size and a memory within its range. */
const size = fc.constantFrom(...Object.keys(FARGATE_MEMORY_MIB).map(Number)).chain((cpu) => {
  const [lo, hi, step] = FARGATE_MEMORY_MIB[cpu];
  return fc.integer({ min: 0, max: (hi - lo) / step }).map((i) => ({ cpu, memoryMiB: lo + i * step }));
});
const fargate = fc.tuple(size, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 10, max: 500 }))
  .map(([s, tasks, extra, tpsPerTask]) => ({ ...s, tasks, maxTasks: tasks + extra, tpsPerTask, command: ['python3', '/opt/program/serve.py'] }));

/** A generated spec turned fargate-hosted: online or both, with the service front end (declared or chosen). */
const fargateSpec = (name: string) => fc.tuple(rawSpec(name), fargate, fc.constantFrom('online', 'both')).map(([raw, f, mode]) => {
  const inference = raw.inference as Record<string, unknown>;
  return { ...raw, inference: { ...inference, mode, hosting: 'fargate', fargate: f, serving: inference.serving === 'service' ? 'service' : undefined } };
});

test(`${RUNS * 2} generated fargate-hosted specs synthesize within the model stack's resource budget (${MlopsModelStack.RESOURCE_BUDGET}), AwsSolutions-clean`, () => {
  fc.assert(fc.property(fc.tuple(fargateSpec('gen-fargate-a'), fargateSpec('gen-fargate-b')), (raws) => {
    const models = raws.map((raw) => acceptedSpec(raw));
    expect(models.map((m) => m.inference.hosting)).toEqual([ModelHosting.FARGATE, ModelHosting.FARGATE]);
    let stacks: MlopsPlatformStacks | undefined;
    expect(nagFindings((app) => { stacks = new MlopsPlatformStacks(app, { models, stackProps: { env: ENV } }); })).toEqual([]);
    // The app is synthesized already: synth() hands back the same assembly.
    const assembly = (stacks!.modelStacks[0].node.root as App).synth();
    for (const s of stacks!.modelStacks) {
      const resources = Object.keys(assembly.getStackByName(s.stackName).template.Resources).length;
      expect([s.stackName, resources <= MlopsModelStack.RESOURCE_BUDGET]).toEqual([s.stackName, true]);
    }
  }), { numRuns: RUNS, seed: SEED, endOnFailure: true });
}, 15 * 60_000);
