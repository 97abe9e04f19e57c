// A composition of a model hosted on Fargate (`hosting: fargate`): the model's own step calls its
// model service over HTTP (the service's URL), image steps get their SageMaker endpoints as with
// hosting sagemaker, and no SageMaker endpoint is made for the model itself.
import { Template } from 'aws-cdk-lib/assertions';
import { PREDICT_ENV } from '../../lambda/shared/predict/constants';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { testApp } from '../support/cdk';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const IMAGE = (n: string) => `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${n}:1.0`;

function synth(composition: Record<string, unknown>) {
  const { spec, problems } = parseModelSpecObject({
    name: 'demand', description: 'd', owner: 'ds@example.com', training: { image: IMAGE('demand') }, evaluation: { metric: 'rmse' },
    inference: {
      mode: 'online', hosting: 'fargate', fargate: { command: ['python3', 'serve.py'] },
      rules: { fallback: [{ name: 'default', prediction: 0 }] }, composition,
    },
  }, { file: 'models/demand/model.yaml' });
  expect(problems).toEqual([]);
  const stacks = new MlopsPlatformStacks(testApp(), { models: [spec!], stackProps: { env: ENV } });
  const t = Template.fromStack(stacks.modelStacks[0]);
  const server = (Object.values(t.findResources('AWS::ECS::TaskDefinition')) as Array<{ Properties: { ContainerDefinitions: Array<{ Name: string; Environment?: Array<{ Name: string; Value: unknown }> }> } }>)
    .flatMap((d) => d.Properties.ContainerDefinitions).find((c) => c.Name === 'Server')!;
  return { t, endpoints: JSON.stringify(server.Environment!.find((e) => e.Name === PREDICT_ENV.modelEndpoints)!.Value) };
}

test('serial: the image step is a SageMaker endpoint, the model step the Fargate service\'s URL', () => {
  const { t, endpoints } = synth({ serial: [{ name: 'features', image: IMAGE('features'), latency: '5ms' }, { name: 'model' }] });
  expect(endpoints).toMatch(/\\"composition\\":\{\\"kind\\":\\"serial\\",\\"steps\\":\[\{\\"name\\":\\"features\\",\\"target\\":\{\\"sageMakerEndpoint\\":\\"demand-features\\"\}\},\{\\"name\\":\\"model\\",\\"target\\":\{\\"url\\":\\"http:\/\//);
  expect(endpoints).not.toMatch(/\\"url\\":\\"http:[^"]*\\",\\"budgetMs/); // the composition answers, not the service alone
  t.resourceCountIs('AWS::SageMaker::Endpoint', 1);
  t.hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointName: 'demand-features' });
});

test('parallel: a branch naming the model itself calls its Fargate service', () => {
  const { endpoints } = synth({
    parallel: { combine: 'mean', branches: [{ name: 'own', model: 'demand' }, { name: 'alt', image: IMAGE('alt'), latency: '5ms' }] },
  });
  expect(endpoints).toMatch(/\{\\"name\\":\\"own\\",\\"target\\":\{\\"url\\":\\"http:\/\//);
  expect(endpoints).toMatch(/\{\\"name\\":\\"alt\\",\\"target\\":\{\\"sageMakerEndpoint\\":\\"demand-alt\\"\}/);
});
