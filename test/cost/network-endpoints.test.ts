// The cost model bills the interface endpoints the platform really creates: for model mixes of
// every shape (no network, HTTP API, ALB + Fargate, Batch GPU training) and both network
// provisionings, the endpoints PlatformCost names are the ones in the synthesized platform stack.
import fc from 'fast-check';
import { modelCopies } from '../../bench/synth/model-copies';
import { platformEndpoints } from '../../lib/cost/platform-cost';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { NetworkProvisioning } from '../../lib/platform/platform-network';
import { testApp } from '../support/cdk';
import { FEATURES } from '../feature-store/features-spec';
import { specWith } from '../spec/fixtures';

const SEED = process.env.GEN_SEED === undefined ? undefined : Number(process.env.GEN_SEED);
// Copies 0-3: batch only (SageMaker), HTTP API, ALB + Fargate, Batch GPU training with ALB + Fargate;
// 4: an ingestion job that writes to the model's feature groups (the Feature Store runtime endpoint).
const SHAPES = [...modelCopies(4), specWith({ features: FEATURES, data: { ingestion: { every: '1d', command: ['python3', 'ingest.py'], triggersTraining: true } } }, 'featured')];

/** The interface endpoints of the synthesized platform stack, as the cost model names services. */
function synthesizedEndpoints(indexes: number[], network: NetworkProvisioning): string[] {
  const app = testApp();
  new MlopsPlatformStacks(app, { models: indexes.map((i) => SHAPES[i]), network });
  const resources = Object.values<any>(app.synth().getStackByName('MlopsPlatformStack').template.Resources);
  return resources.filter((r) => r.Type === 'AWS::EC2::VPCEndpoint' && r.Properties.VpcEndpointType === 'Interface')
    // Env-agnostic: {"Fn::Join":["",["com.amazonaws.",{"Ref":"AWS::Region"},".ecs-agent"]]}
    .map((r) => /"\.([^"]+)"\]\]\}$/.exec(JSON.stringify(r.Properties.ServiceName))?.[1] ?? JSON.stringify(r.Properties.ServiceName))
    .sort();
}

test('PlatformCost names exactly the interface endpoints of the synthesized platform stack (both provisionings)', () => {
  const mix = fc.record({
    indexes: fc.uniqueArray(fc.integer({ min: 0, max: 4 }), { maxLength: 5 }),
    network: fc.constantFrom(NetworkProvisioning.UP_FRONT, NetworkProvisioning.ON_DEMAND),
  });
  fc.assert(fc.property(mix, ({ indexes, network }) => {
    const billed = platformEndpoints(indexes.map((i) => SHAPES[i]), network);
    expect(synthesizedEndpoints(indexes, network)).toEqual([...billed].sort());
  }), { numRuns: 6, seed: SEED, endOnFailure: true, examples: [[{ indexes: [], network: NetworkProvisioning.UP_FRONT }], [{ indexes: [0, 1], network: NetworkProvisioning.ON_DEMAND }], [{ indexes: [4], network: NetworkProvisioning.ON_DEMAND }], [{ indexes: [1, 4], network: NetworkProvisioning.UP_FRONT }]] });
}, 10 * 60_000);
