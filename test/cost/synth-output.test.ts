import { join } from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { PlatformCost } from '../../lib/cost';
import { MlopsPlatformStack } from '../../lib/platform/mlops-platform-stack';
import { loadModelSpec } from '../../lib/spec/load-model-spec';
import { testApp } from '../support/cdk';

test('synth prints, for each model, the front end and both options\' monthly costs from the cost model', () => {
  const spec = loadModelSpec(join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml'));
  const [f] = new PlatformCost({ models: [spec] }).frontEnds;
  const stack = new MlopsPlatformStack(testApp(), 'MlopsPlatformStack', { models: [spec] });
  const dollars = (n: number) => `\\$${n.toFixed(0)}/month`;
  Annotations.fromStack(stack).hasInfo('*', Match.stringLikeRegexp(
    `demand-forecast: serving front end "service" \\(serving "service" chosen as the cheaper front end at avg 300 TPS; `
    + `cost model .*"service" \\(ALB \\+ Fargate \\+ VPC endpoints\\) ${dollars(f.serviceUsd)}, "api" \\(HTTP API \\+ Lambda\\) ${dollars(f.apiUsd)}\\)`));
});
