// The one SageMaker builder: training, batch scoring and real-time endpoints get the same role,
// KMS, image-pull, isolation and VPC shape, and the state machines may create jobs only with
// the settings their own Task states send (IAM condition keys evaluated against the ASL).
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import fc from 'fast-check';

import { TRAINING_STATES } from '../../lambda/shared/training/constants';
import { ENDPOINT_SETTINGS_ENV } from '../../lambda/shared/serving-endpoint/settings';
import { BATCH_STATES, BatchInference } from '../../lib/batch-inference/batch-inference';
import { SageMakerExecution, SageMakerWorkload, acceptsVolumeKmsKey } from '../../lib/common/sagemaker';
import { DataLake } from '../../lib/data-lake';
import { ModelEndpoint } from '../../lib/model-endpoint';
import { ModelRegistry } from '../../lib/model-registry';
import { PredictionStore } from '../../lib/prediction-store';
import { MetricDirection, TrainingBackend, TrainingImage, TrainingPipeline } from '../../lib/training-pipeline';
import { MlopsPlatform } from '../../lib/platform/mlops-platform';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { AslDefinition, extractDefinition, resolveIntrinsics } from '../../local/asl';
import { testApp, testStack } from '../support/cdk';
import { applyParameters, createTrainingJobContext, failedConditions } from '../support/iam-conditions';

/* eslint-disable @typescript-eslint/no-explicit-any */
const MODEL = 'demand-forecast';
const INSTANCE = 'ml.m5.xlarge';

function platformLike() {
  const stack = testStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2, natGateways: 0,
    subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
  });
  const dataLake = new DataLake(stack, 'DataLake');
  const registry = new ModelRegistry(stack, 'Registry');
  const repository = new ecr.Repository(stack, 'Images');
  const image = TrainingImage.fromEcrRepository(repository, 'v1');
  new TrainingPipeline(stack, 'Training', {
    modelName: MODEL, categories: ['books'], dataLake, registry,
    backend: TrainingBackend.sageMaker({ image, instanceType: INSTANCE, spot: false, vpc }),
    evaluation: { metric: 'rmse', direction: MetricDirection.MINIMIZE },
  });
  new BatchInference(stack, 'Batch', {
    model: MODEL, categories: ['books'], dataLake, registry, predictionStore: new PredictionStore(stack, 'Predictions'),
    scoringImageRepository: repository, instanceType: new ec2.InstanceType('m5.xlarge'), vpc,
  });
  new ModelEndpoint(stack, 'Endpoint', { modelName: MODEL, image, dataLake, registry, categories: ['books'], instanceType: INSTANCE, vpc });
  return { stack, vpc, template: Template.fromStack(stack).toJSON() };
}

const { template } = platformLike();
const resources = template.Resources as Record<string, any>;
const resolve = (v: unknown) => resolveIntrinsics(v, { resources }) as any;
const roleId = (pattern: RegExp) => {
  const ids = Object.keys(resources).filter((id) => resources[id].Type === 'AWS::IAM::Role' && pattern.test(id));
  expect(ids).toHaveLength(1);
  return ids[0];
};
const ROLES = { training: roleId(/^TrainingBackendTrainingRole/), scoring: roleId(/^BatchScoringRole/), endpoint: roleId(/^EndpointRole[0-9A-F]{8}$/) };

/** Every statement of the policies attached to a role, resolved. */
function statementsOf(role: string): any[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === role))
    .flatMap((r) => resolve(r.Properties.PolicyDocument.Statement));
}

/** (action, resource, condition) triples of the execution rights: key, image pull, logs, metrics, network interfaces. */
function executionShape(role: string): string[] {
  const out = new Set<string>();
  for (const s of statementsOf(role)) {
    for (const action of [].concat(s.Action)) {
      if (!/^(kms|ecr|logs|cloudwatch|ec2):/.test(action)) continue;
      // The data lake's own grants (through S3, by intent: read artifacts, write outputs) differ by design.
      if (JSON.stringify(s.Condition ?? {}).includes('"kms:ViaService":"s3.')) continue;
      for (const resource of [].concat(s.Resource)) out.add(`${action} ${resource} ${JSON.stringify(s.Condition ?? {})}`);
    }
  }
  return [...out].sort();
}

/** The one statement allowing `action` to the role of the state machine or function whose construct id is `owner`. */
function createStatement(owner: string, action: string): any {
  const ids = Object.keys(resources).filter((id) => new RegExp(`^${owner}[0-9A-F]{8}$`).test(id) && ['AWS::StepFunctions::StateMachine', 'AWS::Lambda::Function'].includes(resources[id].Type));
  expect(ids).toHaveLength(1);
  const props = resources[ids[0]].Properties;
  const role = (props.RoleArn ?? props.Role)['Fn::GetAtt'][0];
  const statements = statementsOf(role);
  const found = statements.filter((s: any) => [].concat(s.Action).includes(action as never));
  expect(found).toHaveLength(1);
  return found[0];
}

function taskOf(select: (id: string) => boolean, state: string): any {
  const def = extractDefinition(template, select);
  const all: Record<string, any> = {};
  const walk = (d: AslDefinition) => {
    for (const [n, s] of Object.entries(d.States)) {
      all[n] = s;
      if (s.ItemProcessor) walk(s.ItemProcessor as AslDefinition);
      if (s.Iterator) walk(s.Iterator as AslDefinition);
    }
  };
  walk(def);
  expect(all[state]).toBeDefined();
  return all[state];
}

describe('one SageMaker builder for training, scoring and endpoints', () => {
  test('the three roles have the same key, image-pull and network-interface rights; logs and metrics differ only by workload', () => {
    const byWorkload = (role: string) => executionShape(role).map((t) => t.replace(/Endpoints\/\*|Endpoints|TrainingJobs:\*|TrainingJobs/g, '<workload>'));
    expect(executionShape(ROLES.scoring)).toEqual(executionShape(ROLES.training));
    expect(byWorkload(ROLES.endpoint)).toEqual(byWorkload(ROLES.training));
    const shape = executionShape(ROLES.training).join('\n');
    // Pull from the model's repository only; a grant on the key for AWS resources via SageMaker only.
    expect(shape).toMatch(/ecr:BatchGetImage \S+:Images[0-9A-F]{8} \{\}/);
    expect(shape).toMatch(/kms:CreateGrant arn:aws:kms:\S+ \{"Bool":\{"kms:GrantIsForAWSResource":"true"\},"StringEquals":\{"kms:ViaService":\["sagemaker\.us-east-1\.amazonaws\.com"/);
    expect(shape).toContain('logs:PutLogEvents arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:* {}');
    expect(executionShape(ROLES.endpoint).join('\n')).toContain('logs:PutLogEvents arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/* {}');
    expect(shape).toContain('ec2:CreateNetworkInterface * {}');
  });

  test('the three place their containers in the same subnets, network-isolated, with the same volume key rule', () => {
    const train = taskOf((id) => id.startsWith('Training'), TRAINING_STATES.train).Parameters;
    const score = taskOf((id) => id.startsWith('Batch'), BATCH_STATES.score).Parameters;
    const fn = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.[ENDPOINT_SETTINGS_ENV]);
    const settings = JSON.parse(resolve(fn.Properties.Environment.Variables[ENDPOINT_SETTINGS_ENV]));
    const subnets = resolve(Object.keys(resources).filter((id) => resources[id].Type === 'AWS::EC2::Subnet').map((id) => ({ Ref: id }))).sort();
    for (const p of [train, score]) {
      expect(p.VpcConfig.Subnets.slice().sort()).toEqual(subnets);
      expect(p.EnableNetworkIsolation).toBe(true);
      expect(p.ResourceConfig.VolumeKmsKeyId).toBe(p.OutputDataConfig.KmsKeyId);
    }
    expect(settings.vpc.subnets.slice().sort()).toEqual(subnets);
    expect(settings.networkIsolation).toBe(true);
    expect(settings.kmsKeyId).toBe(train.ResourceConfig.VolumeKmsKeyId);
  });

  test('jobs may be created only in the VPC, isolated, with the key: the conditions every create statement carries', () => {
    const training = createStatement('Training', 'sagemaker:CreateTrainingJob').Condition;
    const scoring = createStatement('Batch', 'sagemaker:CreateTrainingJob').Condition;
    const model = createStatement('EndpointUpdate', 'sagemaker:CreateModel').Condition;
    const config = createStatement('EndpointUpdate', 'sagemaker:CreateEndpointConfig').Condition;
    for (const c of [training, scoring, model]) {
      expect(c.Bool['sagemaker:NetworkIsolation']).toBe('true');
      expect(c.Null).toEqual({ 'sagemaker:VpcSubnets': 'false', 'sagemaker:VpcSecurityGroupIds': 'false' });
      expect(c['ForAllValues:StringEquals']['sagemaker:VpcSubnets']).toEqual(training['ForAllValues:StringEquals']['sagemaker:VpcSubnets']);
    }
    expect(training.ArnEquals).toEqual(scoring.ArnEquals);
    expect(Object.keys(training.ArnEquals).sort()).toEqual(['sagemaker:OutputKmsKey', 'sagemaker:VolumeKmsKey']);
    expect(config.ArnEquals['sagemaker:VolumeKmsKey']).toBe(training.ArnEquals['sagemaker:VolumeKmsKey']);
  });

  test.each([
    ['training', (id: string) => id.startsWith('Training'), TRAINING_STATES.train, 'Training'],
    ['scoring', (id: string) => id.startsWith('Batch'), BATCH_STATES.score, 'Batch'],
  ])('the CreateTrainingJob request the %s state machine builds satisfies its role\'s conditions, and a weaker one does not', (_name, select, state, owner) => {
    const input = { outputUri: 's3://artifacts/runs/x/', datasetUri: 's3://datasets/x/', checkpointUri: 's3://artifacts/c/', image: 'img', modelUri: 's3://m', inputUri: 's3://i', job: { name: 'j' } };
    const request = applyParameters(taskOf(select, state).Parameters, input);
    const conditions = createStatement(owner, 'sagemaker:CreateTrainingJob').Condition;
    expect(failedConditions(conditions, createTrainingJobContext(request))).toEqual([]);

    const without = (mutate: (r: any) => void) => { const r = structuredClone(request); mutate(r); return failedConditions(conditions, createTrainingJobContext(r)); };
    expect(without((r) => delete r.VpcConfig)).toEqual(expect.arrayContaining(['Null sagemaker:VpcSubnets']));
    expect(without((r) => { r.VpcConfig.Subnets = ['subnet-elsewhere']; })).toEqual(['ForAllValues:StringEquals sagemaker:VpcSubnets']);
    expect(without((r) => { r.EnableNetworkIsolation = false; })).toEqual(['Bool sagemaker:NetworkIsolation']);
    expect(without((r) => delete r.ResourceConfig.VolumeKmsKeyId)).toEqual(['ArnEquals sagemaker:VolumeKmsKey']);
    expect(without((r) => { r.OutputDataConfig.KmsKeyId = 'arn:aws:kms:us-east-1:123456789012:key/other'; })).toEqual(['ArnEquals sagemaker:OutputKmsKey']);
  });
});

describe('the volume key rule', () => {
  const family = fc.oneof(
    fc.constantFrom('m5', 'c5', 'r5', 'm6i', 'c6i', 'r6i', 'm7i', 't3', 'p3', 'g4ad'),
    fc.constantFrom('g4dn', 'g5', 'g6', 'g6e', 'p3dn', 'p4d', 'p4de', 'p5', 'trn1', 'inf2', 'm5d', 'c5d', 'r5d', 'm6id', 'c6id', 'r5dn', 'm5dn'),
  );
  const instanceType = fc.tuple(family, fc.constantFrom('large', 'xlarge', '2xlarge', '12xlarge', '48xlarge')).map(([f, s]) => `ml.${f}.${s}`);

  test('families with local NVMe storage (GPU/accelerator families with storage, "d" variants) reject a volume key; others take one', () => {
    fc.assert(fc.property(instanceType, (type) => {
      const family = type.split('.')[1];
      const local = /^(g4dn|g5|g6|g6e|p3dn|p4d|p4de|p5|trn1|inf2)$/.test(family) || /^[a-z]\d+[a-z]*dn?$/.test(family);
      expect(acceptsVolumeKmsKey(type)).toBe(!local);
    }));
  });

  test('for any instance type, the request the builder makes satisfies the conditions it writes, with the key on the volume exactly when the type takes one', () => {
    const stack = new Stack(undefined, 'Rule', { env: { account: '123456789012', region: 'eu-west-1' } });
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/k');
    const image = TrainingImage.fromRegistry('public.ecr.aws/x/y:1');
    let n = 0;
    fc.assert(fc.property(instanceType, fc.integer({ min: 1, max: 4 }), fc.boolean(), (type, count, isolated) => {
      n += 1;
      const e = new SageMakerExecution(stack, { workload: SageMakerWorkload.TRAINING_JOBS, roleId: `Role${n}`, securityGroupId: `Sg${n}`, description: 'd', key, image, instanceType: type, instanceCount: count, networkIsolation: isolated });
      const request = stack.resolve(e.trainingJobParameters({ S3OutputPath: 's3://b/p' }, 30));
      const conditions = stack.resolve(e.trainingJobConditions());
      expect(request.ResourceConfig.VolumeKmsKeyId !== undefined).toBe(acceptsVolumeKmsKey(type));
      expect(failedConditions(conditions, createTrainingJobContext(request))).toEqual([]);
      if (acceptsVolumeKmsKey(type)) expect(conditions.ArnEquals['sagemaker:VolumeKmsKey']).toBe(key.keyArn);
    }));
  });
});

describe('the platform runs SageMaker jobs in its VPC whenever it has one', () => {
  // A model that needs no network of its own (SageMaker training, Lambda API, batch scoring).
  const { spec, problems } = parseModelSpecObject({
    name: 'quiet', description: 'd', owner: 'ds@example.com', categories: ['books'],
    training: { image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/quiet:1' }, evaluation: { metric: 'rmse' },
    inference: { serving: 'api', rules: { fallback: [{ name: 'default', prediction: 0 }] } },
  }, { file: 'models/quiet/model.yaml' });
  const trainParameters = (t: Record<string, any>) => {
    const def = extractDefinition(t, (id) => /Training[0-9A-F]{8}$/.test(id));
    const train = Object.values(def.States).find((s: any) => s.ItemProcessor)!.ItemProcessor as AslDefinition;
    return (train.States[TRAINING_STATES.train] as any).Parameters;
  };

  test('one construct: the default network (created up front) holds the training jobs', () => {
    expect(problems).toEqual([]);
    const stack = new Stack(testApp(), 'One', { env: { account: '123456789012', region: 'eu-west-1' } });
    new MlopsPlatform(stack, 'Platform', { models: [spec!] });
    expect(trainParameters(Template.fromStack(stack).toJSON()).VpcConfig.Subnets).toHaveLength(2);
  });

  test('a platform stack plus model stacks: the model stack imports the subnets for its jobs', () => {
    const stacks = new MlopsPlatformStacks(testApp(), { models: [spec!], stackProps: { env: { account: '123456789012', region: 'eu-west-1' } } });
    const model = stacks.modelStacks[0];
    expect(trainParameters(Template.fromStack(model).toJSON()).VpcConfig.Subnets).toHaveLength(2);
  });
});
