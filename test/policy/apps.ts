// The three apps the policy packs are held to (issue 13 §2): the default app (models/), a
// two-model app (Batch + SageMaker, manual promotion, an API front end) and the pipeline app.
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { modelCopy } from '../../bench/synth/model-copies';
import { MlopsDeliveryPipeline } from '../../lib/delivery';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { loadModelSpecs, parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { ModelSpec } from '../../lib/spec/model-spec';
import { CONNECTION, IMAGE, ROOT, STAGES, TOOLS, exampleModels } from '../delivery/fixtures';

/** A Batch-trained model with manual promotion behind the ALB service, and a SageMaker-trained one behind the HTTP API. */
export function twoModelSpecs(): ModelSpec[] {
  const batch = modelCopy(1);
  const sagemaker = modelCopy(2);
  const parse = (raw: Record<string, any>) => {
    const { spec, problems } = parseModelSpecObject(raw, { file: `models/${raw.name}/model.yaml` });
    if (!spec) throw new Error(JSON.stringify(problems));
    return spec;
  };
  return [
    parse({
      ...batch,
      training: { image: batch.training.image, backend: 'batch', instanceType: 'g5.xlarge', maxVcpus: 16, spot: true, maxRuntime: '2h', command: ['python3', '/opt/program/train.py'] },
      evaluation: { ...batch.evaluation, promotion: 'manual' },
      inference: { ...batch.inference, serving: 'service' },
    }),
    parse({ ...sagemaker, inference: { ...sagemaker.inference, serving: 'api', tps: { min: 1, avg: 5, max: 20 }, peakWindows: [] } }),
  ];
}

/** Each app by name, built into the given App. */
export const APPS: Array<[string, (app: App) => void]> = [
  ['default app', (app) => { new MlopsPlatformStacks(app, { models: loadModelSpecs(join(ROOT, 'models')) }); }],
  ['two-model app', (app) => { new MlopsPlatformStacks(app, { models: twoModelSpecs() }); }],
  ['pipeline app', (app) => {
    const stack = new Stack(app, 'Delivery', { env: TOOLS });
    new MlopsDeliveryPipeline(stack, 'Pipeline', {
      source: { codeConnection: CONNECTION }, stages: STAGES, platform: { models: exampleModels() }, imageDigests: { 'demand-forecast': IMAGE }, repositoryRoot: ROOT,
    });
  }],
];
