// The platform as top-level stacks (issue 10 §1, §2): one platform stack, one stack per model,
// shared resources imported through SSM parameters, one network.
import { modelCopies } from '../../bench/synth/model-copies';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { nagFindings } from '../support/cdk';

const ENV = { account: '123456789012', region: 'eu-west-1' };

describe('MlopsPlatformStacks', () => {
  test.each([
    ['env-agnostic', undefined],
    ['env-specific', ENV],
  ])('%s: every stack kind is nag-clean (AwsSolutions, 0 unacknowledged findings)', (_kind, env) => {
    expect(nagFindings((app) => { new MlopsPlatformStacks(app, { models: modelCopies(4), stackProps: { env } }); })).toEqual([]);
  });
});
