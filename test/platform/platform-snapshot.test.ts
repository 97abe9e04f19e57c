import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { MlopsPlatformStack } from '../../lib/platform/mlops-platform-stack';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { loadModelSpec } from '../../lib/spec/load-model-spec';
import { testApp } from '../support/cdk';

const EXAMPLE = join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml');

// #region snapshot
// The content hash of a staged asset: the S3 key of every Lambda bundle (`<hash>.zip`) and the
// tag of every Docker image asset (also inside the training configuration JSON).
const ASSET_HASH = /\b[0-9a-f]{64}\b/g;

/** The template with asset hashes replaced, so the snapshot moves only when the infrastructure does. */
function maskVolatile(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(ASSET_HASH, '<asset-hash>');
  if (Array.isArray(value)) return value.map(maskVolatile);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskVolatile(v)]));
  return value;
}

// The default app's layout: one snapshot per stack kind (the platform stack, a model stack).
test('the default app\'s stacks match their snapshots (asset hashes masked)', () => {
  const stacks = new MlopsPlatformStacks(testApp(), { models: [loadModelSpec(EXAMPLE)] });
  expect(maskVolatile(Template.fromStack(stacks.platformStack).toJSON())).toMatchSnapshot('platform stack');
  expect(maskVolatile(Template.fromStack(stacks.modelStacks[0]).toJSON())).toMatchSnapshot('model stack');
});
// #endregion snapshot

test('the mask replaces every asset hash: Lambda code keys and Docker image tags', () => {
  const stack = new MlopsPlatformStack(testApp(), 'Masked', { models: [loadModelSpec(EXAMPLE)] });
  const raw = Template.fromStack(stack).toJSON();
  const masked = maskVolatile(raw) as { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
  const functions = Object.values(masked.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
  expect(functions.length).toBeGreaterThan(0);
  expect(functions.map((f) => f.Properties.Code.S3Key)).toEqual(functions.map(() => '<asset-hash>.zip'));
  expect(JSON.stringify(raw)).toMatch(/container-assets-[^"]*:[0-9a-f]{64}/);
  expect(JSON.stringify(masked)).toMatch(/container-assets-[^"]*:<asset-hash>/);
  expect(JSON.stringify(masked)).not.toMatch(/[0-9a-f]{64}/);
});
