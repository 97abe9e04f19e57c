// MlopsDeliveryPipeline (issue 13 §1): a self-mutating CDK pipeline in a tools account that
// builds model images once, synthesizes with every policy pack, and deploys dev -> staging ->
// prod (prod behind an approval), each stage deploying the same image digest and smoke-tested.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MlopsDeliveryPipeline } from '../../lib/delivery';
import { nagFindings } from '../support/cdk';
import { CONNECTION, IMAGE, ROOT, STAGES, TOOLS, exampleModels, pipelineApp } from './fixtures';

type Action = { Name: string; RunOrder: number; ActionTypeId: { Category: string; Provider: string }; Configuration?: Record<string, unknown> };
type PipelineStage = { Name: string; Actions: Action[] };

function pipelineStages(stack: Stack): PipelineStage[] {
  const [pipeline] = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline')) as any[];
  return pipeline.Properties.Stages;
}

/** The buildspec of a step's CodeBuild project. */
function buildSpecOf(stack: Stack, projectLogicalIdPrefix: string): any {
  const projects = Template.fromStack(stack).findResources('AWS::CodeBuild::Project');
  const ids = Object.keys(projects).filter((id) => id.startsWith(projectLogicalIdPrefix));
  expect(ids).toHaveLength(1);
  return JSON.parse(projects[ids[0]].Properties.Source.BuildSpec);
}

/** The build commands of a step's CodeBuild project. */
const commandsOf = (stack: Stack, projectLogicalIdPrefix: string): string[] => buildSpecOf(stack, projectLogicalIdPrefix).phases.build.commands;

/** How a stage's templates spell the image: the account and region, then the URL suffix, then repo@digest. */
const IMAGE_IN_TEMPLATE = [IMAGE.split('amazonaws.com')[0], IMAGE.split('amazonaws.com')[1]];

/** Every template of every stage, by stage name then stack name, as JSON strings. */
function stageTemplates(app: App): Record<string, Record<string, string>> {
  const assembly = app.synth();
  return Object.fromEntries(STAGES.map((s) => {
    const nested = assembly.getNestedAssembly(`assembly-Delivery-Pipeline-${s.name}`);
    return [s.name, Object.fromEntries(nested.stacks.map((st) => [st.stackName, JSON.stringify(st.template)]))];
  }));
}

describe('a three-stage pipeline for the example model', () => {
  const { app, stack } = pipelineApp();
  const stages = pipelineStages(stack);
  const templates = stageTemplates(app);

  test('source, build, self-update, assets, then dev -> staging -> prod in that order', () => {
    expect(stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'dev', 'staging', 'prod']);
    expect(stages[0].Actions[0]).toMatchObject({
      ActionTypeId: { Provider: 'CodeStarSourceConnection' },
      Configuration: { ConnectionArn: CONNECTION.connectionArn, FullRepositoryId: 'acme/ml-platform', BranchName: 'main' },
    });
    expect(stages[2].Actions.map((a) => a.Name)).toEqual(['SelfMutate']);
  });

  test('only prod waits for a manual approval, before anything of it deploys', () => {
    const approvals = stages.flatMap((s) => s.Actions.filter((a) => a.ActionTypeId.Category === 'Approval').map((a) => ({ stage: s.Name, runOrder: a.RunOrder })));
    expect(approvals).toEqual([{ stage: 'prod', runOrder: 1 }]);
    const prodDeploys = stages[6].Actions.filter((a) => a.ActionTypeId.Provider === 'CloudFormation');
    expect(Math.min(...prodDeploys.map((a) => a.RunOrder))).toBeGreaterThan(1);
  });

  test('each stage deploys the platform stack, then the model stack, into its own account', () => {
    for (const s of stages.slice(4)) {
      const deploys = s.Actions.filter((a) => a.Name.endsWith('.Deploy')).sort((a, b) => a.RunOrder - b.RunOrder).map((a) => a.Name);
      expect(deploys).toEqual(['MlopsPlatformStack.Deploy', 'MlopsPlatformStack-demand-forecast.Deploy']);
    }
    expect(Object.keys(templates.prod).sort()).toEqual(['prod-MlopsPlatformStack', 'prod-MlopsPlatformStack-demand-forecast']);
    const roleOf = (s: PipelineStage) => JSON.stringify(s.Actions.find((a) => a.Name === 'MlopsPlatformStack.Deploy'));
    STAGES.forEach((st, i) => expect(roleOf(stages[4 + i])).toContain(`${st.env.account}:role/cdk-hnb659fds-deploy-role-${st.env.account}-${st.env.region}`));
  });

  test('the synth step runs npm ci, npm test and cdk synth, in that order, with every policy pack on', () => {
    expect(commandsOf(stack, 'PipelineBuildSynth')).toEqual(['npm ci', 'npm test', 'npx cdk synth']);
    expect(buildSpecOf(stack, 'PipelineBuildSynth').phases.install['runtime-versions']).toEqual({ nodejs: '20', java: 'corretto17' });
    const projects = Template.fromStack(stack).findResources('AWS::CodeBuild::Project');
    const synth = Object.entries(projects).find(([id]) => id.startsWith('PipelineBuildSynth'))![1];
    expect(synth.Properties.Environment.EnvironmentVariables).toEqual(expect.arrayContaining([
      { Name: 'MLOPS_POLICY_PACKS', Type: 'PLAINTEXT', Value: 'all' },
      { Name: 'MLOPS_IMAGE_DIGESTS_FILE', Type: 'PLAINTEXT', Value: 'model-images/image-digests.json' },
    ]));
  });

  test('model images are built once, in the build stage before synth, and the synth reads their digests', () => {
    const build = stages[1].Actions.map((a) => [a.Name, a.RunOrder]);
    expect(build).toEqual([['ModelImages', 1], ['Synth', 2]]);
    const images = commandsOf(stack, 'PipelineBuildModelImages');
    expect(images.filter((c) => c.startsWith('docker build'))).toEqual(['docker build --platform linux/amd64 -t "$MLOPS_IMAGE_REPOSITORY_0:$TAG" models/demand-forecast']);
    expect(images.filter((c) => c.startsWith('docker push'))).toEqual(['docker push "$MLOPS_IMAGE_REPOSITORY_0:$TAG"']);
    expect(images.find((c) => c.includes('.RepoDigests'))).toContain('model-images/image-digests.json');
    // The synth gets the image build's output as a second input.
    const synthInputs = JSON.stringify(stages[1].Actions.find((a) => a.Name === 'Synth'));
    expect(synthInputs).toContain('ModelImages');
    // No stage builds a model image: the only Docker asset is the prediction server's.
    const dockerAssets = stages[3].Actions.filter((a) => a.Name.includes('AssetImage')).map((a) => a.Name);
    expect(dockerAssets).toEqual(['Model_Service_TaskDefinition_Server_AssetImage']);
  });

  test('every stage deploys the same image, by digest (the Assets stage above builds no model image)', () => {
    for (const s of STAGES) {
      const model = templates[s.name][`${s.name}-MlopsPlatformStack-demand-forecast`];
      for (const part of IMAGE_IN_TEMPLATE) expect(model).toContain(part);
    }
  });

  test('the image repository keeps images immutable, scans on push, and lets only the stage accounts pull', () => {
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::Repository', {
      ImageTagMutability: 'IMMUTABLE',
      ImageScanningConfiguration: { ScanOnPush: true },
      RepositoryPolicyText: {
        Statement: [{
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
          Effect: 'Allow',
          Principal: { AWS: STAGES.map((s) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${s.env.account}:root`]] })) },
          Sid: 'StageAccountsPull',
        }],
      },
    });
  });

  test('a smoke test runs after each stage deploys, as the stage\'s smoke-test role', () => {
    for (const [i, s] of STAGES.entries()) {
      const actions = stages[4 + i].Actions;
      const smoke = actions.find((a) => a.Name === 'SmokeTest')!;
      expect(smoke.RunOrder).toBe(Math.max(...actions.map((a) => a.RunOrder)));
      expect(actions.filter((a) => a.RunOrder === smoke.RunOrder)).toHaveLength(1);
      expect(commandsOf(stack, `Pipeline${s.name}SmokeTest`)).toEqual([
        'npm ci',
        `aws configure set profile.mlops-stage.role_arn arn:aws:iam::${s.env.account}:role/cdk-mlops-smoke-default-${s.env.region}`,
        'aws configure set profile.mlops-stage.credential_source EcsContainer',
        `AWS_PROFILE=mlops-stage node scripts/smoke-test.mjs --platform default --region ${s.env.region} --model demand-forecast`,
      ]);
    }
    // The role exists in each stage's platform stack, trusted by the tools account only, read-only.
    const platform = Template.fromJSON(JSON.parse(templates.staging['staging-MlopsPlatformStack']));
    platform.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'cdk-mlops-smoke-default-eu-west-1',
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } } }] },
    });
    const policy = JSON.stringify(platform.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('SmokeTestAccessRole') }] } }));
    expect(policy.match(/"Action":"[a-z-]+:\w+"|"Action":\[[^\]]*\]/g)).toEqual([
      '"Action":"ssm:GetParameter"', '"Action":"dynamodb:GetItem"', '"Action":"kms:Decrypt"', '"Action":"execute-api:Invoke"', '"Action":"lambda:InvokeFunction"',
    ]);
  });

  test('internal load balancers are probed from inside the platform VPC, by a function that may reach nothing else', () => {
    const platform = Template.fromJSON(JSON.parse(templates.dev['dev-MlopsPlatformStack']));
    platform.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('smoke-test probe'),
      VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('SmokeTestAccessProbeSecurityGroup'), 'GroupId'] }] },
      ReservedConcurrentExecutions: 2,
    });
    platform.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('smoke-test probe'),
      SecurityGroupEgress: [80, 443].map((port) => ({ CidrIp: { 'Fn::GetAtt': [Match.anyValue(), 'CidrBlock'] }, Description: 'internal load balancers', FromPort: port, IpProtocol: 'tcp', ToPort: port })),
    });
    platform.hasResourceProperties('AWS::SSM::Parameter', { Name: '/cdk-mlops/default/delivery/smoke-probe-function', Value: { Ref: Match.stringLikeRegexp('SmokeTestAccessProbe') } });
  });

  test('artifacts are encrypted with a rotated customer key that the stage accounts\' deploy roles may use', () => {
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } }] },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'artifacts/' }),
    });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: 'cdk-mlops: delivery pipeline artifacts' });
    const keyPolicy = JSON.stringify(t.findResources('AWS::KMS::Key', { Properties: { Description: 'cdk-mlops: delivery pipeline artifacts' } }));
    for (const s of STAGES) expect(keyPolicy).toContain(`${s.env.account}:role/cdk-hnb659fds-deploy-role-${s.env.account}-${s.env.region}`);
  });
});

describe('notifications', () => {
  test('failed and finished runs and waiting approvals reach an encrypted topic, with the platform\'s alarm e-mails subscribed', () => {
    const { stack, pipeline } = pipelineApp({ platform: { alarmEmails: ['ml-team@example.com'] }, imageDigests: undefined, stages: STAGES.slice(0, 1) });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      EventTypeIds: ['codepipeline-pipeline-pipeline-execution-failed', 'codepipeline-pipeline-pipeline-execution-succeeded', 'codepipeline-pipeline-manual-approval-needed'],
      Targets: [{ TargetAddress: { Ref: stack.getLogicalId(pipeline.notificationTopic.node.defaultChild as sns.CfnTopic) }, TargetType: 'SNS' }],
    });
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ml-team@example.com' });
    const keyPolicy = JSON.stringify(t.findResources('AWS::KMS::Key', { Properties: { Description: 'cdk-mlops: delivery pipeline notifications' } }));
    expect(keyPolicy).toContain('codestar-notifications.amazonaws.com');
  });

  test('a topic of your own, or e-mails for ours, not both', () => {
    const { stack } = pipelineApp({ platform: {}, imageDigests: undefined, stages: STAGES.slice(0, 1) });
    const topic = new sns.Topic(stack, 'Mine');
    expect(() => new MlopsDeliveryPipeline(stack, 'Second', { source: { codeConnection: CONNECTION }, stages: STAGES, notificationTopic: topic, notificationEmails: ['a@example.com'] }))
      .toThrow('MlopsDeliveryPipeline: both notificationTopic and notificationEmails were given; fix: subscribe the addresses to your topic, or drop notificationTopic to get a topic with notificationEmails subscribed');
  });
});

test('the pipeline and every stage are AwsSolutions-clean (0 unacknowledged findings)', () => {
  expect(nagFindings((app) => {
    const stack = new Stack(app, 'Delivery', { env: TOOLS });
    const p = new MlopsDeliveryPipeline(stack, 'Pipeline', {
      source: { codeConnection: CONNECTION }, stages: STAGES, platform: { models: exampleModels() }, imageDigests: { 'demand-forecast': IMAGE }, repositoryRoot: ROOT,
    });
    for (const s of p.stages) Validations.of(s).addPlugins(new AwsSolutionsChecks(s));
  })).toEqual([]);
});

test('in the pipeline\'s synth, the digests come from the file the image build wrote (MLOPS_IMAGE_DIGESTS_FILE)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-digests-'));
  const file = join(dir, 'image-digests.json');
  writeFileSync(file, JSON.stringify({ 'demand-forecast': IMAGE }));
  const saved = process.env.MLOPS_IMAGE_DIGESTS_FILE;
  process.env.MLOPS_IMAGE_DIGESTS_FILE = file;
  try {
    const { pipeline } = pipelineApp({ imageDigests: undefined, stages: STAGES.slice(0, 1) });
    const model = Template.fromStack(pipeline.stages[0].platformStacks.modelStacks[0]);
    for (const part of IMAGE_IN_TEMPLATE) expect(JSON.stringify(model.toJSON())).toContain(part);
  } finally {
    if (saved === undefined) delete process.env.MLOPS_IMAGE_DIGESTS_FILE; else process.env.MLOPS_IMAGE_DIGESTS_FILE = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});
