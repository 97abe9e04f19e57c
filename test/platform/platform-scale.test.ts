// Fifty models (issue 10 "Done when"): synthesized once (CloudFormation's built-in validation
// off, no cdk-nag: platform-stacks.test.ts checks every stack shape under nag), then checked
// per stack: under the model-stack budget and CloudFormation's 500, one VPC for all.
import { modelCopies } from '../../bench/synth/model-copies';
import { MlopsModelStack } from '../../lib/platform/mlops-model-stack';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { testApp } from '../support/cdk';

const MODELS = 50;

test(`${MODELS} models synthesize: one stack each under the budget, one VPC, no exports`, () => {
  const app = testApp();
  new MlopsPlatformStacks(app, { models: modelCopies(MODELS) });
  const stacks = app.synth().stacks;
  expect(stacks).toHaveLength(MODELS + 1);
  let vpcs = 0;
  for (const s of stacks) {
    const resources = Object.values<{ Type: string }>(s.template.Resources);
    vpcs += resources.filter((r) => r.Type === 'AWS::EC2::VPC').length;
    const limit = s.stackName === 'MlopsPlatformStack' ? 500 : MlopsModelStack.RESOURCE_BUDGET;
    expect([s.stackName, resources.length <= limit]).toEqual([s.stackName, true]);
    expect([s.stackName, JSON.stringify(s.template).includes('Fn::ImportValue')]).toEqual([s.stackName, false]);
  }
  expect(vpcs).toBe(1);
}, 10 * 60_000);
