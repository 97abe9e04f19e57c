// A model whose ingestion job (Fargate, isolated subnets) writes into its feature groups: the job
// is told the group names, and the platform network gets the Feature Store runtime endpoint, once
// and only when some model needs it.
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { needsFeatureStoreRuntime } from '../../lib/platform/model-outputs';
import { specWith } from '../spec/fixtures';
import { FEATURES } from './features-spec';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const INGEST = { ingestion: { every: '6h', command: ['python3', 'ingest.py'], triggersTraining: true } };

function synth(models: ReturnType<typeof specWith>[]): { platform: Template; models: Template[] } {
  const app = new App();
  const stacks = new MlopsPlatformStacks(app, { models, stackProps: { env: ENV } });
  const assembly = app.synth();
  const t = (name: string) => Template.fromJSON(assembly.getStackByName(name).template);
  return { platform: t(stacks.platformStack.stackName), models: stacks.modelStacks.map((s) => t(s.stackName)) };
}

const endpointsOf = (t: Template, service: string) => Object.values(t.findResources('AWS::EC2::VPCEndpoint'))
  .filter((r) => JSON.stringify(r.Properties.ServiceName).includes(service));

test('a features model with an ingestion job: one Feature Store runtime endpoint, with the account policy, and the group names in the job\'s environment', () => {
  const { platform, models } = synth([specWith({ features: FEATURES, data: INGEST }, 'churn'), specWith({ features: { groups: [{ ...FEATURES.groups[0], name: 'other-labels' }] }, data: INGEST }, 'other')]);
  const endpoints = endpointsOf(platform, 'sagemaker.featurestore-runtime');
  expect(endpoints).toHaveLength(1);
  expect(endpoints[0].Properties).toMatchObject({ VpcEndpointType: 'Interface', PrivateDnsEnabled: true });
  expect(JSON.stringify(endpoints[0].Properties.PolicyDocument)).toContain('aws:PrincipalAccount');
  models[0].hasResourceProperties('AWS::ECS::TaskDefinition', {
    ContainerDefinitions: Match.arrayWith([Match.objectLike({
      Name: 'ingest', Environment: Match.arrayWith([{ Name: 'MLOPS_FEATURE_GROUPS', Value: 'churn-labels,customer-profile' }]),
    })]),
  });
});

test('no Feature Store runtime endpoint for features without ingestion, ingestion without features, or a built-in source (a Lambda function outside the VPC) with features', () => {
  // One platform holding the three (one synth): any of them alone would add the endpoint to it.
  const renamed = (prefix: string) => ({ groups: FEATURES.groups.map((g) => ({ ...g, name: `${prefix}-${g.name}` })) });
  const models = [
    specWith({ features: renamed('a') }, 'features-only'),
    specWith({ data: INGEST }, 'ingestion-only'),
    specWith({ features: renamed('c'), data: { ingestion: { every: '6h', source: { http: { url: 'https://example.com/export?c={category}' } }, triggersTraining: true } } }, 'sourced'),
  ];
  expect(models.map(needsFeatureStoreRuntime)).toEqual([false, false, false]);
  expect(endpointsOf(synth(models).platform, 'featurestore')).toHaveLength(0);
});
