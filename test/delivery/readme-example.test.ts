// #region delivery-pipeline
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, ServerlessChecks } from 'cdk-nag';
import { MlopsDeliveryPipeline, loadModelSpecs } from '../../lib';

/** The pipeline app (cdk.json "app"): a tools account that ships the platform to three accounts. */
export function deliveryApp(app: App): MlopsDeliveryPipeline {
  const tools = new Stack(app, 'MlopsDelivery', { env: { account: '111111111111', region: 'eu-west-1' } });
  const delivery = new MlopsDeliveryPipeline(tools, 'Pipeline', {
    source: {
      codeConnection: {
        connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0f4c2a1e-7b9d-4e2a-9c3f-5d8e6a7b1c2d',
        repository: 'acme/ml-platform',
        branch: 'main',
      },
      // Air-gapped: s3Archive: { bucket, objectKey: 'releases/ml-platform.zip' }
    },
    stages: [
      { name: 'dev', env: { account: '222222222222', region: 'eu-west-1' } },
      { name: 'staging', env: { account: '333333333333', region: 'eu-west-1' } },
      { name: 'prod', env: { account: '444444444444', region: 'eu-west-1' } }, // after a manual approval
    ],
    platform: { models: loadModelSpecs('models'), alarmEmails: ['ml-team@example.com'] },
  });
  // The synth step sets MLOPS_POLICY_PACKS=all: every pack checks the pipeline and each stage.
  const packs = process.env.MLOPS_POLICY_PACKS === 'all'
    ? [AwsSolutionsChecks, NIST80053R5Checks, HIPAASecurityChecks, ServerlessChecks]
    : [AwsSolutionsChecks];
  for (const scope of [app, ...delivery.stages]) Validations.of(scope).addPlugins(...packs.map((Pack) => new Pack(scope)));
  return delivery;
}
// #endregion delivery-pipeline

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { smokeTestCommand } from '../../lib/delivery/smoke-test-step';
import { pageSnippet, testedRegion } from '../docs/snippets';
import { testApp } from '../support/cdk';

const README = join(__dirname, '..', '..', 'README.md');

describe('the "Delivery (MLOps level 2)" example of the README', () => {
  test('is the code shown in the README', () => {
    expect(pageSnippet('delivery-pipeline', readFileSync(README, 'utf8'))).toEqual(testedRegion(readFileSync(__filename, 'utf8'), 'delivery-pipeline'));
  });

  test('shows the smoke test command the pipeline runs', () => {
    const command = smokeTestCommand({ script: 'scripts/smoke-test.mjs', platformName: 'default', region: 'eu-west-1', models: loadModelSpecs('models'), entities: {} });
    expect(readFileSync(README, 'utf8')).toContain(`\`${command}\``);
  });

  test('synthesizes dev -> staging -> prod, nag-clean, and deploys the digest the image build wrote', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-readme-'));
    const image = `111111111111.dkr.ecr.eu-west-1.amazonaws.com/mlopsdelivery-pipeline-demand-forecast@sha256:${'0f'.repeat(32)}`;
    writeFileSync(join(dir, 'image-digests.json'), JSON.stringify({ 'demand-forecast': image }));
    const saved = process.env.MLOPS_IMAGE_DIGESTS_FILE;
    process.env.MLOPS_IMAGE_DIGESTS_FILE = join(dir, 'image-digests.json');
    try {
      const app = testApp();
      const delivery = deliveryApp(app);
      app.synth();
      const [pipeline] = Object.values(Template.fromStack(delivery.pipeline.pipeline.stack).findResources('AWS::CodePipeline::Pipeline')) as any[];
      expect(pipeline.Properties.Stages.map((s: { Name: string }) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'dev', 'staging', 'prod']);
      const model = JSON.stringify(Template.fromStack(delivery.stages[2].platformStacks.modelStacks[0]).toJSON());
      expect(model).toContain(`/mlopsdelivery-pipeline-demand-forecast@sha256:${'0f'.repeat(32)}`);
    } finally {
      if (saved === undefined) delete process.env.MLOPS_IMAGE_DIGESTS_FILE; else process.env.MLOPS_IMAGE_DIGESTS_FILE = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
