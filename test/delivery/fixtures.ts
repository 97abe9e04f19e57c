// A pipeline app as a platform team writes it: a tools account, three stage accounts in the
// pipeline's region, the example model (its image built from models/demand-forecast/Dockerfile).
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { MlopsDeliveryPipeline, MlopsDeliveryPipelineProps } from '../../lib/delivery';
import { loadModelSpecs } from '../../lib/spec/load-model-spec';
import { testApp } from '../support/cdk';

export const ROOT = join(__dirname, '..', '..');
export const TOOLS = { account: '111111111111', region: 'eu-west-1' };
export const STAGES = [
  { name: 'dev', env: { account: '222222222222', region: 'eu-west-1' } },
  { name: 'staging', env: { account: '333333333333', region: 'eu-west-1' } },
  { name: 'prod', env: { account: '444444444444', region: 'eu-west-1' } },
];
export const CONNECTION = { connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0f4c2a1e-7b9d-4e2a-9c3f-5d8e6a7b1c2d', repository: 'acme/ml-platform', branch: 'main' };
export const DIGEST = `sha256:${'a1'.repeat(32)}`;
export const IMAGE = `111111111111.dkr.ecr.eu-west-1.amazonaws.com/demand-forecast-images@${DIGEST}`;

export const exampleModels = () => loadModelSpecs(join(ROOT, 'models'));

/** A pipeline stack in a fresh test app; props override the three-stage defaults. */
export function pipelineApp(props: Partial<MlopsDeliveryPipelineProps> = {}): { app: App; stack: Stack; pipeline: MlopsDeliveryPipeline } {
  const app = testApp();
  const stack = new Stack(app, 'Delivery', { env: TOOLS });
  const pipeline = new MlopsDeliveryPipeline(stack, 'Pipeline', {
    source: { codeConnection: CONNECTION },
    stages: STAGES,
    platform: { models: exampleModels() },
    imageDigests: { 'demand-forecast': IMAGE },
    repositoryRoot: ROOT,
    ...props,
  });
  return { app, stack, pipeline };
}
