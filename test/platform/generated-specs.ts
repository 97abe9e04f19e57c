// Every spec the loader accepts synthesizes: generated specs across the whole schema, each
// built by MlopsPlatform in an env-specific stack under AwsSolutions, must neither crash nor
// leave an unacknowledged finding. Synth is the slow part (about 1.2 s per model here), so two
// models share one stack, several stacks one App (one synth per App), and the runs are split over
// two test files that jest runs in parallel. fast-check prints the seed of a failure; replay it
// with GEN_SEED=<seed>. Sizes: GEN_RUNS Apps x GEN_STACKS stacks x GEN_MODELS models per file.
import { Stack } from 'aws-cdk-lib';
import fc from 'fast-check';
import { MlopsPlatform } from '../../lib/platform/mlops-platform';
import { nagFindings } from '../support/cdk';
import { acceptedSpec, rawSpec } from './spec-arbitrary';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const RUNS = Number(process.env.GEN_RUNS ?? 10);
// Two models per stack keep each stack well under CloudFormation's 500 resources.
const STACKS = Number(process.env.GEN_STACKS ?? 5);
const MODELS = Number(process.env.GEN_MODELS ?? 2);
const SEED = process.env.GEN_SEED === undefined ? undefined : Number(process.env.GEN_SEED);

/** Declares the generative test (one half of the runs per test file). */
export function generatedSpecsTest(half: string): void {
  const app = fc.tuple(...Array.from({ length: STACKS }, (_, s) => fc.tuple(...Array.from({ length: MODELS }, (_, m) => rawSpec(`gen-${half}-${s}-${m}`)))));
  test(`${half}: ${RUNS * STACKS * MODELS} generated specs synthesize in env-specific stacks with no unacknowledged AwsSolutions finding`, () => {
    let synthesized = 0;
    fc.assert(fc.property(app, (stacks) => {
      const specs = stacks.map((models) => models.map((raw) => acceptedSpec(raw)));
      const findings = nagFindings((a) => {
        specs.forEach((models, s) => new MlopsPlatform(new Stack(a, `Gen${s}`, { env: ENV }), 'Platform', { models }));
      });
      expect(findings).toEqual([]);
      synthesized += specs.flat().length;
    }), { numRuns: RUNS, seed: SEED, endOnFailure: true });
    expect(synthesized).toBe(RUNS * STACKS * MODELS);
  }, 15 * 60_000);
}
