// What a platform team gets wrong when wiring the pipeline: the source, the stage list, the
// image digests. Each error names the field, the value and the fix, and fails before any synth.
import { basename, dirname, join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import fc from 'fast-check';
import { MlopsDeliveryPipeline } from '../../lib/delivery';
import { sourceProblems } from '../../lib/delivery/delivery-source';
import { DeliveryStageProps, stageProblems } from '../../lib/delivery/delivery-stages';
import { withImageDigests } from '../../lib/delivery/image-digests';
import { testApp } from '../support/cdk';
import { CONNECTION, DIGEST, IMAGE, ROOT, STAGES, TOOLS, exampleModels, pipelineApp } from './fixtures';

describe('source', () => {
  test('exactly one of codeConnection and s3Archive', () => {
    const bucket = s3.Bucket.fromBucketName(new Stack(testApp(), 'S'), 'Releases', 'acme-releases');
    expect(() => pipelineApp({ source: {} })).toThrow(/neither codeConnection nor s3Archive was given; fix: give codeConnection \{ connectionArn, repository, branch \} or s3Archive/);
    expect(() => pipelineApp({ source: { codeConnection: CONNECTION, s3Archive: { bucket, objectKey: 'ml.zip' } } }))
      .toThrow(/both codeConnection and s3Archive were given; fix: give one/);
  });

  test.each([
    [{ ...CONNECTION, connectionArn: 'arn:aws:codecommit:eu-west-1:111111111111:ml-platform' }, /source\.codeConnection\.connectionArn is "arn:aws:codecommit:eu-west-1:111111111111:ml-platform"; fix: use the ARN of an AVAILABLE connection/],
    [{ ...CONNECTION, repository: 'ml-platform' }, /source\.codeConnection\.repository is "ml-platform"; fix: write the repository as owner\/name/],
    [{ ...CONNECTION, branch: 'release candidate' }, /source\.codeConnection\.branch is "release candidate"; fix: use a branch name without spaces/],
  ])('a CodeConnections source with a bad field: %j', (codeConnection, message) => {
    expect(sourceProblems({ codeConnection }).join('\n')).toMatch(message);
  });

  test('both connection ARN spellings (codeconnections, codestar-connections) are accepted', () => {
    expect(sourceProblems({ codeConnection: CONNECTION })).toEqual([]);
    expect(sourceProblems({ codeConnection: { ...CONNECTION, connectionArn: CONNECTION.connectionArn.replace('codeconnections', 'codestar-connections') } })).toEqual([]);
  });

  test('an S3 archive source must name a zip; a valid one polls the object', () => {
    const stack = new Stack(testApp(), 'S', { env: TOOLS });
    const bucket = s3.Bucket.fromBucketName(stack, 'Releases', 'acme-releases');
    expect(sourceProblems({ s3Archive: { bucket, objectKey: '/releases/ml.tar.gz' } }))
      .toEqual(['source.s3Archive.objectKey is "/releases/ml.tar.gz"; fix: use the key of a zip archive without a leading "/", e.g. "releases/ml-platform.zip"']);
    const { stack: pipelineStack } = pipelineApp({ source: { s3Archive: { bucket: s3.Bucket.fromBucketName(new Stack(testApp(), 'T', { env: TOOLS }), 'B', 'acme-releases'), objectKey: 'releases/ml-platform.zip' } }, stages: STAGES.slice(0, 1), platform: {}, imageDigests: undefined });
    const [pipeline] = Object.values(Template.fromStack(pipelineStack).findResources('AWS::CodePipeline::Pipeline')) as any[];
    expect(pipeline.Properties.Stages[0].Actions[0]).toMatchObject({
      ActionTypeId: { Provider: 'S3' },
      Configuration: { S3Bucket: 'acme-releases', S3ObjectKey: 'releases/ml-platform.zip', PollForSourceChanges: true },
    });
  });
});

describe('stages', () => {
  const stage = (name: string, account: string, region = 'eu-west-1'): DeliveryStageProps => ({ name, env: { account, region } });

  test('an empty list, a repeated name, a repeated environment, a missing account', () => {
    expect(stageProblems([], 'eu-west-1', false)).toEqual([expect.stringMatching(/^stages is empty; fix: list the environments in deploy order/)]);
    expect(stageProblems([stage('dev', '222222222222'), stage('dev', '333333333333')], 'eu-west-1', false))
      .toEqual(['stages[1].name "dev" is also stages[0].name; fix: give each stage its own name']);
    expect(stageProblems([stage('dev', '222222222222'), stage('prod', '222222222222')], 'eu-west-1', false))
      .toEqual([expect.stringMatching(/^stages\[1\]\.env 222222222222\/eu-west-1 is also stages\[0\]\.env: .*fix: give each stage its own account or region$/)]);
    expect(stageProblems([{ name: 'prod', env: { region: 'eu-west-1' } }], 'eu-west-1', false))
      .toEqual(['stages[0].env.account is undefined; fix: give the stage\'s 12-digit account id (a pipeline deploys to explicit environments)']);
  });

  test('the pipeline stack needs an explicit environment', () => {
    const stack = new Stack(testApp(), 'Delivery');
    expect(() => new MlopsDeliveryPipeline(stack, 'Pipeline', { source: { codeConnection: CONNECTION }, stages: STAGES }))
      .toThrow(/stack Delivery has env \$\{Token\[AWS\.AccountId\.\d+\]\}\/\$\{Token\[AWS\.Region\.\d+\]\}; fix: give the stack an explicit env \{ account, region \}/);
  });

  test('with images built by the pipeline, a stage outside its region is refused, naming the stage and the fix', () => {
    expect(() => pipelineApp({ stages: [STAGES[0], stage('prod', '444444444444', 'us-east-1')] }))
      .toThrow(/stages\[1\]\.env\.region is "us-east-1", but model images are pushed once to ECR in the pipeline's region "eu-west-1".*fix: deploy this stage from a pipeline in its region/);
  });

  const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-southeast-2', 'sa-east-1'];
  const stageLists = fc.uniqueArray(fc.record({
    account: fc.integer({ min: 100000000000, max: 999999999999 }).map(String),
    region: fc.constantFrom(...REGIONS),
  }), { minLength: 1, maxLength: 5, selector: (e) => e.account }).map((envs) => envs.map((env, i): DeliveryStageProps => ({ name: `stage-${i}`, env })));

  test('property: a stage is refused for its region exactly when it leaves the pipeline region while images are built', () => {
    fc.assert(fc.property(stageLists, fc.constantFrom(...REGIONS), fc.boolean(), (stages, pipelineRegion, buildsImages) => {
      const flagged = stageProblems(stages, pipelineRegion, buildsImages).map((p) => Number(/^stages\[(\d+)\]\.env\.region/.exec(p)?.[1])).filter((i) => !Number.isNaN(i));
      const expected = buildsImages ? stages.flatMap((s, i) => (s.env.region === pipelineRegion ? [] : [i])) : [];
      expect(flagged).toEqual(expected);
    }));
  });

  test('property (synth, 1-5 stages, distinct accounts and regions): stages deploy in list order, one approval before the last, a smoke test after each', () => {
    fc.assert(fc.property(stageLists, (stages) => {
      const app = testApp();
      const stack = new Stack(app, 'Delivery', { env: TOOLS });
      new MlopsDeliveryPipeline(stack, 'Pipeline', { source: { codeConnection: CONNECTION }, stages });
      const [pipeline] = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline')) as any[];
      const deployed = (pipeline.Properties.Stages as Array<{ Name: string; Actions: any[] }>).slice(4);
      expect(deployed.map((s) => s.Name)).toEqual(stages.map((s) => s.name));
      const approvals = deployed.filter((s) => s.Actions.some((a) => a.ActionTypeId.Category === 'Approval')).map((s) => s.Name);
      expect(approvals).toEqual([stages[stages.length - 1].name]);
      const last = deployed[deployed.length - 1].Actions;
      expect(last.find((a) => a.ActionTypeId.Category === 'Approval').RunOrder).toBeLessThan(Math.min(...last.filter((a) => a.ActionTypeId.Provider === 'CloudFormation').map((a) => a.RunOrder)));
      for (const s of deployed) {
        const smoke = s.Actions.filter((a) => a.Name === 'SmokeTest');
        expect(smoke).toHaveLength(1);
        expect(smoke[0].RunOrder).toBe(Math.max(...s.Actions.map((a) => a.RunOrder)));
      }
    }), { numRuns: 6 });
  });

  test('requireApproval overrides the default: an approval before staging and none before prod', () => {
    const { stack } = pipelineApp({ platform: {}, imageDigests: undefined, stages: [STAGES[0], { ...STAGES[1], requireApproval: true }, { ...STAGES[2], requireApproval: false }] });
    const [pipeline] = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline')) as any[];
    const approvals = pipeline.Properties.Stages.filter((s: any) => s.Actions.some((a: any) => a.ActionTypeId.Category === 'Approval')).map((s: any) => s.Name);
    expect(approvals).toEqual(['staging']);
  });
});

describe('smoke test script', () => {
  test('by default the script shipped with the package, as the checkout sees it (node_modules/cdk-mlops/... in a consumer)', () => {
    const { stack } = pipelineApp({ platform: {}, imageDigests: undefined, stages: STAGES.slice(0, 1), repositoryRoot: dirname(ROOT) });
    const projects = Template.fromStack(stack).findResources('AWS::CodeBuild::Project');
    const smoke = Object.entries(projects).find(([id]) => id.startsWith('PipelinedevSmokeTest'))![1];
    expect(JSON.parse(smoke.Properties.Source.BuildSpec).phases.build.commands).toContain(`AWS_PROFILE=mlops-stage node ${basename(ROOT)}/scripts/smoke-test.mjs --platform default --region eu-west-1`);
  });

  test('a package outside the repository is refused, with the fix', () => {
    expect(() => pipelineApp({ platform: {}, imageDigests: undefined, stages: STAGES.slice(0, 1), repositoryRoot: join(ROOT, 'models') }))
      .toThrow(/the smoke test script .*scripts\/smoke-test\.mjs is outside repositoryRoot .*models, so the pipeline's checkout will not have it; fix: install cdk-mlops in the repository/);
  });
});

describe('image digests', () => {
  const models = exampleModels();

  test('every built image needs its digest, by digest, and every digest a built model', () => {
    expect(() => withImageDigests(models, {})).toThrow('imageDigests.demand-forecast is missing: the model\'s image would be rebuilt in every stage; fix: add the digest the model-image build pushed');
    expect(() => withImageDigests(models, { 'demand-forecast': IMAGE.replace(`@${DIGEST}`, ':latest') }))
      .toThrow(/imageDigests\.demand-forecast is "111111111111\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/demand-forecast-images:latest"; fix: give the pushed image by digest/);
    expect(() => withImageDigests(models, { 'demand-forecast': IMAGE, 'demand-forcast': IMAGE }))
      .toThrow(/imageDigests\.demand-forcast: no model named "demand-forcast" builds its image from a Dockerfile folder \(built: demand-forecast\); fix: remove the entry or correct the model name/);
  });

  test('the digest replaces the Dockerfile folder of the spec, and nothing else', () => {
    const [spec] = withImageDigests(models, { 'demand-forecast': IMAGE });
    expect(spec.training).toEqual({ ...models[0].training, imageUri: IMAGE, imageDirectory: undefined });
    expect({ ...spec, training: undefined }).toEqual({ ...models[0], training: undefined });
  });

  test('a smoke-test entity for a model that is not served, or not an entity id, is refused', () => {
    expect(() => pipelineApp({ smokeTestEntities: { churn: 'customer-1' } }))
      .toThrow(/smokeTestEntities names churn, which is not a served model \(served: demand-forecast\); fix: remove the entry or correct the model name/);
    expect(() => pipelineApp({ smokeTestEntities: { 'demand-forecast': 'store 1; rm -rf /' } }))
      .toThrow(/smokeTestEntities\.demand-forecast is "store 1; rm -rf \/"; fix: use 1-256 letters, digits/);
  });
});
