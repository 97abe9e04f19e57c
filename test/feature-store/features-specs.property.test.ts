// Generated `features` blocks (group counts, feature names and types, online stores, training
// joins with own and other models' groups, category filters) load, synthesize AwsSolutions-clean
// within the model stack's resource budget, with KMS on every store. Replay with GEN_SEED=<seed>.
import { App } from 'aws-cdk-lib';
import fc from 'fast-check';
import { MlopsModelStack } from '../../lib/platform/mlops-model-stack';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { specWith } from '../spec/fixtures';
import { nagFindings } from '../support/cdk';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const RUNS = Number(process.env.GEN_RUNS ?? 3);
const SEED = process.env.GEN_SEED === undefined ? undefined : Number(process.env.GEN_SEED);

const type = fc.constantFrom('Integral', 'Fractional', 'String');
/** A group: identifier and event time, then extra features with names unique across groups (prefixed). */
const group = (i: number) => fc.record({
  extra: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/), { minLength: 1, maxLength: 6 }),
  types: fc.array(type, { minLength: 6, maxLength: 6 }),
  online: fc.boolean(),
}).map(({ extra, types, online }) => ({
  name: `group-${i}`, recordIdentifier: 'entity_id', eventTime: 'event_time', online,
  definitions: [{ name: 'entity_id', type: 'String' }, { name: 'event_time', type: 'String' }, ...extra.map((n, k) => ({ name: `g${i}_${n}`, type: types[k] }))],
}));
const features = fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(fc.tuple(...Array.from({ length: n }, (_, i) => group(i))), fc.boolean(), fc.boolean(), fc.boolean()))
  .map(([groups, training, external, category]) => ({
    groups: category ? [{ ...groups[0], definitions: [...groups[0].definitions, { name: 'segment', type: 'String' }] }, ...groups.slice(1)] : groups,
    ...(training ? {
      training: {
        labels: 'group-0', ...(category ? { category: 'segment' } : {}),
        join: [...groups.slice(1).map((g) => ({ group: g.name })), ...(external ? [{ group: 'shared-stats', features: ['footfall'] }] : [])],
      },
    } : {}),
  }));

test(`${RUNS} generated features blocks synthesize with KMS on every store, AwsSolutions-clean, within the budget (${MlopsModelStack.RESOURCE_BUDGET})`, () => {
  fc.assert(fc.property(features, (f) => {
    const spec = specWith({ features: f }, 'gen-features');
    let stacks: MlopsPlatformStacks | undefined;
    expect(nagFindings((app) => { stacks = new MlopsPlatformStacks(app, { models: [spec], stackProps: { env: ENV } }); })).toEqual([]);
    const stack = stacks!.modelStacks[0];
    const template = (stack.node.root as App).synth().getStackByName(stack.stackName).template;
    const resources = Object.values(template.Resources) as Array<{ Type: string; Properties: any }>;
    const groups = resources.filter((r) => r.Type === 'AWS::SageMaker::FeatureGroup');
    expect(groups.map((g) => g.Properties.FeatureGroupName)).toEqual(f.groups.map((g) => g.name));
    for (const g of groups) {
      expect(g.Properties.OfflineStoreConfig.S3StorageConfig.KmsKeyId).toBeDefined();
      if (g.Properties.OnlineStoreConfig) expect(g.Properties.OnlineStoreConfig.SecurityConfig.KmsKeyId).toBeDefined();
    }
    expect(resources.filter((r) => r.Type === 'AWS::Athena::WorkGroup')).toHaveLength(f.training ? 1 : 0);
    expect(resources.length).toBeLessThanOrEqual(MlopsModelStack.RESOURCE_BUDGET);
  }), { numRuns: RUNS, seed: SEED, endOnFailure: true });
}, 10 * 60_000);
